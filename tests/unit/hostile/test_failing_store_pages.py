"""Every way a store can fail or lie gives the signed-in patient a readable page, never an error trace."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses

from tests.unit.conftest import STORE, FakeProvider, signed_in_client
from tests.unit.fhir import PATIENT, searchset
from tests.unit.hostile.pages import ACCESS_UNAVAILABLE_FR, UNAVAILABLE_FR, h1, portal, readable
from tests.unit.web.plans import pps_entry, synthetic

FHIR = "application/fhir+json"
OUTCOME = {
    "resourceType": "OperationOutcome",
    "issue": [{"severity": "error", "code": "exception", "diagnostics": "database is down"}],
}

Failure = Callable[[responses.RequestsMock, str], None]


def answer(**kwargs: Any) -> Failure:
    def install(mock: responses.RequestsMock, url: str) -> None:
        mock.get(url, **kwargs)

    return install


FAILURES: dict[str, Failure] = {
    "timeout": answer(body=requests.exceptions.ReadTimeout()),
    "connect timeout": answer(body=requests.exceptions.ConnectTimeout()),
    "refused connection": answer(body=requests.exceptions.ConnectionError("refused")),
    "500": answer(status=500, json=OUTCOME, content_type=FHIR),
    "502 from a proxy": answer(status=502, body="<html>Bad gateway</html>", content_type="text/html"),
    "503": answer(status=503),
    "429 with Retry-After": answer(status=429, headers={"Retry-After": "3600"}),
    "invalid JSON": answer(body='{"resourceType": "Bundle", ', content_type=FHIR),
    "wrong content type": answer(json=searchset(PATIENT), content_type="text/html"),
    "truncated body": answer(body=b'{"resourceType": "Bundle"', content_type=FHIR, headers={"Content-Length": "4096"}),
    "200 carrying an OperationOutcome": answer(json=OUTCOME, content_type=FHIR),
    "a JSON array": answer(body="[]", content_type=FHIR),
    "a Bundle that is not a search": answer(json={**searchset(PATIENT), "type": "transaction"}, content_type=FHIR),
    "huge answer": answer(body=b" " * (8 * 1024 * 1024 + 1), content_type=FHIR),
    "huge announced length": answer(body=b"{}", content_type=FHIR, headers={"Content-Length": str(10**12)}),
}
#: The failures where the store does not answer (rather than answering nonsense): a search that decides who may
#: see whom then fails closed, with its own page.
NOT_ANSWERING = frozenset(
    {"timeout", "connect timeout", "refused connection", "500", "502 from a proxy", "503", "429 with Retry-After"}
    | {"truncated body"}
)


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
@pytest.mark.parametrize("step", ["Patient", "DocumentReference", "Binary"])
def test_a_failing_store_gives_a_readable_page(
    provider: FakeProvider, mock: responses.RequestsMock, failure: str, step: str
) -> None:
    cda = synthetic()["camille-pps-2"].cda
    urls = {
        "Patient": STORE + "/Patient",
        "DocumentReference": STORE + "/DocumentReference",
        "Binary": STORE + "/Binary/pps-1",
    }
    good = {
        "Patient": lambda: mock.get(urls["Patient"], json=searchset(PATIENT)),
        "DocumentReference": lambda: mock.get(urls["DocumentReference"], json=searchset(pps_entry("pps-1", cda))),
        "Binary": lambda: mock.get(urls["Binary"], body=cda, content_type="application/xml"),
    }
    for name, install in good.items():
        if name == step:
            FAILURES[failure](mock, urls[name])
        else:
            install()
    client = signed_in_client(portal(), provider)

    page = client.get("/")

    # (A file that is not the one announced fails its size and SHA-1 check: the same page.)
    assert page.status_code == 503, page.status_code
    access_failed = step == "Patient" and failure in NOT_ANSWERING
    assert h1(readable(page)) == (ACCESS_UNAVAILABLE_FR if access_failed else UNAVAILABLE_FR)
    assert "database is down" not in page.get_data(as_text=True)  # the store's own words never reach the page


def test_the_unavailable_page_speaks_english_too(provider: FakeProvider, mock: responses.RequestsMock) -> None:
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", status=503)
    client = signed_in_client(portal(), provider)
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 503
    assert h1(readable(page, "en")) == "The service is unavailable for now"


def test_the_access_page_speaks_english_too(provider: FakeProvider, mock: responses.RequestsMock) -> None:
    mock.get(STORE + "/Patient", status=503)
    client = signed_in_client(portal(), provider)
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "120"
    assert h1(readable(page, "en")) == "We cannot check your access right now"


def test_an_outcome_in_a_404_is_not_shown_either(provider: FakeProvider, mock: responses.RequestsMock) -> None:
    mock.get(STORE + "/Patient", status=404, body=json.dumps(OUTCOME), content_type=FHIR)
    client = signed_in_client(portal(), provider)
    page = client.get("/")
    readable(page)
    assert "database is down" not in page.get_data(as_text=True)
