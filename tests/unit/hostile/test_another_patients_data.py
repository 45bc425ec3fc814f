"""A store that answers with another patient's documents never puts them on a page: whatever the search, the
read or the file says, only the signed-in patient's own plan is shown, or a plain error page."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from flask.testing import FlaskClient

from tests.unit.conftest import FakeProvider, signed_in_client
from tests.unit.documents.synthetic_store import SyntheticStore
from tests.unit.hostile.pages import portal, readable
from tests.unit.viewers import DEMO_SUBJECT_SYSTEM, sub_of

#: Diane's identity as it would appear on a page: none of it may reach Camille's.
DIANE = ("Diane", "Démo", "267074900721525", "23/07/1967", "23 juillet 1967", "1967-07-23")
PAGES = ["/", "/treatments", "/calendar", "/care-team", "/support", "/illness", "/history", "/documents"]


class MixedUpStore(SyntheticStore):
    """Answers a search for Camille's documents with Diane's."""

    def _search_documents(self, request: Any) -> tuple[int, dict[str, str], bytes | str]:
        request.url = request.url.replace("pat-camille", "pat-diane")
        return super()._search_documents(request)


def camille(provider: FakeProvider, store_class: type[SyntheticStore], mock: responses.RequestsMock) -> FlaskClient:
    store = store_class("https://store.test/fhir")
    store.install(mock)
    app = portal(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM, PORTAL_STORE_CACHE_TTL="0")
    return signed_in_client(app, provider, sub_of("camille"))


def assert_nothing_of_diane(answer: Any) -> None:
    body = answer.get_data(as_text=True)
    readable(answer)
    for trace in DIANE:
        assert trace not in body, trace


@pytest.mark.parametrize("path", PAGES)
def test_a_search_answered_with_another_patients_documents_shows_none_of_them(
    provider: FakeProvider, mock: responses.RequestsMock, path: str
) -> None:
    client = camille(provider, MixedUpStore, mock)
    answer = client.get(path)
    assert answer.status_code == 503
    assert_nothing_of_diane(answer)


def test_a_file_swapped_for_another_patients_plan_is_not_shown(
    provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    """The DocumentReference is Camille's, but the file it points to is Diane's plan (a store mix-up)."""
    store = SyntheticStore("https://store.test/fhir")
    store.install(mock)
    camille_current = next(
        r
        for (kind, _), r in store.resources.items()
        if kind == "DocumentReference" and r["subject"]["reference"] == "Patient/pat-camille"
        if r["status"] == "current" and r["type"]["coding"][0]["code"] == "18776-5"
    )
    diane_current = next(
        r
        for (kind, _), r in store.resources.items()
        if kind == "DocumentReference" and r["subject"]["reference"] == "Patient/pat-diane"
        if r["status"] == "current" and r["type"]["coding"][0]["code"] == "18776-5"
    )
    # Camille's entry now announces Diane's file, size and hash included: only the content can tell.
    camille_current["content"] = diane_current["content"]
    app = portal(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM, PORTAL_STORE_CACHE_TTL="0")
    client = signed_in_client(app, provider, sub_of("camille"))
    for path in PAGES[:6]:
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert_nothing_of_diane(answer)
