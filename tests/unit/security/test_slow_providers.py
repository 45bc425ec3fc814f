"""An identity provider that trickles its answers (their bodies or their headers), or sends more than any provider
needs to: the portal gives up within the provider's time (`PORTAL_OIDC_TIMEOUT`), closes the connection, and the
person reads that the sign-in service is unavailable. Before, requests' timeout bounded each read from the socket,
never the answer: a provider sending a byte now and then held the sign-in (and, during a discovery, every other
sign-in) as long as it liked.

The slow providers are real servers on 127.0.0.1 (`tests.unit.hostile.stores`, trickling a byte every 0.2 s, for
minutes); what is checked is what the portal did (the page it answered, the connection it cut), never how many
seconds it took: `WAIT` is a bound that only a portal waiting for the whole trickle reaches."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import responses
from authlib.integrations.flask_client import OAuth
from flask import Flask

from portal.auth import answers
from portal.auth.oidc import OidcProvider, ProviderConfig
from tests.unit.conftest import FakeProvider, make_client, sign_in
from tests.unit.hostile.pages import h1, portal, readable
from tests.unit.hostile.stores import HostileStore, bounded, hostile_store

#: The longest a test waits for the portal: the trickled answers would take minutes.
WAIT = 30.0
#: The French title of the page that says the sign-in service does not answer (templates/errors).
SIGN_IN_UNAVAILABLE_FR = "Le service de connexion est indisponible pour le moment"


@pytest.fixture(params=["trickle", "trickle headers"])
def slow(request: pytest.FixtureRequest) -> Iterator[HostileStore]:
    """A provider sending its answers' bodies, or their headers, a byte at a time."""
    with hostile_store() as server:
        server.mode = request.param
        yield server


def test_a_provider_trickling_its_discovery_document_is_unreachable_and_cut_off(slow: HostileStore) -> None:
    config = ProviderConfig("patient", slow.base, "pps-portal", "secret", ("openid",), "eidas2", timeout=1.0)
    provider = OidcProvider(OAuth(Flask(__name__)), config)
    assert bounded(provider.check, WAIT) is False
    assert slow.wait_for_cuts(1, WAIT) and slow.requests == 1  # the portal closed the connection: no retry either


@dataclass
class ProviderWithDiscoveryChanges(FakeProvider):
    """The fake provider, whose discovery document has `changes` (an endpoint moved, a member added)."""

    changes: dict[str, Any] = field(default_factory=dict)

    def _discovery(self, request: Any) -> tuple[int, dict[str, str], str]:
        status, headers, body = super()._discovery(request)
        return status, headers, json.dumps({**json.loads(body), **self.changes})


@pytest.mark.parametrize("endpoint", ["token_endpoint", "jwks_uri", "userinfo_endpoint"])
def test_a_provider_trickling_an_answer_during_the_sign_in_gives_the_unavailable_page(
    mock: responses.RequestsMock, slow: HostileStore, endpoint: str
) -> None:
    provider = ProviderWithDiscoveryChanges(mock, changes={endpoint: slow.base + "/" + endpoint})
    provider.install()
    mock.add_passthru(slow.base)
    client = make_client(portal(PORTAL_OIDC_TIMEOUT="1"))
    answer = bounded(lambda: sign_in(client, provider), WAIT)
    assert answer.status_code == 503
    assert h1(readable(answer)) == SIGN_IN_UNAVAILABLE_FR
    assert slow.wait_for_cuts(1, WAIT) and slow.requests == 1
    assert "Se déconnecter" not in client.get("/no-such-page").get_data(as_text=True)  # nobody is signed in


def test_a_discovery_document_larger_than_any_provider_sends_makes_the_provider_unavailable(
    mock: responses.RequestsMock,
) -> None:
    # Valid, but padded past what the portal reads.
    ProviderWithDiscoveryChanges(mock, changes={"x_padding": "x" * answers.MAX_ANSWER_BYTES}).install()
    answer = make_client(portal()).get("/login")
    assert answer.status_code == 503
    assert h1(readable(answer)) == SIGN_IN_UNAVAILABLE_FR


class Body:
    """An answer's body that hands out what it holds in reads of the size asked, and notes how much was read and
    whether the connection was closed."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.read_bytes = 0
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def read(self, size: int = -1, **_: Any) -> bytes:
        chunk = self._data.read(size)
        self.read_bytes += len(chunk)
        return chunk


def answer_of(data: bytes, headers: dict[str, str] | None = None) -> tuple[requests.Response, Body]:
    response = requests.Response()
    response.status_code = 200
    response.url = "https://idp.test/jwks?x=1"
    response.headers.update(headers or {})
    body = Body(data)
    response.raw = body
    return response, body


def read(response: requests.Response, max_bytes: int) -> requests.Response:
    return answers.within(WAIT, max_bytes)["response"](response)


def test_an_answer_within_the_size_is_read_whole_and_kept_for_requests() -> None:
    response, body = answer_of(b'{"keys": []}')
    assert read(response, 12).json() == {"keys": []} and body.read_bytes == 12


def test_an_answer_without_a_length_is_read_only_until_it_passes_the_size() -> None:
    response, body = answer_of(b"x" * 100_000)
    with pytest.raises(answers.AnswerTooLarge, match="larger than 1000 bytes"):
        read(response, 1000)
    assert body.read_bytes < 100_000 and body.closed


def test_an_answer_announcing_more_than_the_size_is_not_read_at_all() -> None:
    response, body = answer_of(b"x" * 2000, {"Content-Length": "2000"})
    with pytest.raises(answers.AnswerTooLarge, match="larger than 1000 bytes"):
        read(response, 1000)
    assert body.read_bytes == 0 and body.closed


def test_the_errors_are_requests_errors_that_name_the_endpoint_without_its_query() -> None:
    assert issubclass(answers.AnswerTooLarge, requests.RequestException)
    assert issubclass(answers.AnswerTooSlow, requests.Timeout)
    response, _ = answer_of(b"x" * 2000, {"Content-Length": "2000"})
    with pytest.raises(answers.AnswerTooLarge) as raised:
        read(response, 1000)
    assert str(raised.value).startswith("https://idp.test/jwks:") and "x=1" not in str(raised.value)
