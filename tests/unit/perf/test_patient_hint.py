"""The session's hint (the patient it saw last) lets a page ask for the documents while the Patient search runs,
but never decides whose plan is shown: the Patient search does, on every page.

What the portal asks in the background (its thread pool) is waited for with `background.drain()` before a test
counts the store's requests: never polled for, never raced."""

from __future__ import annotations

import responses
from flask.testing import FlaskClient

from portal import create_app
from portal.web.viewing import PATIENT_HINT
from tests.unit.conftest import PUBLIC, STORE, BackgroundWork, FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.synthetic_store import SyntheticStore
from tests.unit.viewers import DEMO_SUBJECT_SYSTEM, Viewers

CAMILLE_SUB = "p-7c1e0b52a4"


def camille(mock: responses.RequestsMock, provider: FakeProvider) -> FlaskClient:
    SyntheticStore(STORE).install(mock)
    app = create_app(base_env(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM))
    app.config["TESTING"] = True
    client = make_client(app)
    provider.sub = CAMILLE_SUB
    assert sign_in(client, provider).status_code == 302
    return client


def document_searches(mock: responses.RequestsMock) -> list[str]:
    return [c.request.url for c in mock.calls if "/DocumentReference?" in str(c.request.url)]


def test_a_hint_naming_another_patient_never_shows_their_plan(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    client = camille(mock, provider)
    with client.session_transaction() as session:
        session[PATIENT_HINT] = "pat-diane"

    page = client.get("/", base_url=PUBLIC).get_data(as_text=True)

    assert "Camille" in page and "Diane" not in page
    with client.session_transaction() as session:
        assert session[PATIENT_HINT] == "pat-camille"


def test_with_the_right_hint_the_documents_are_asked_for_once(
    mock: responses.RequestsMock, provider: FakeProvider, background: BackgroundWork
) -> None:
    client = camille(mock, provider)
    client.get("/", base_url=PUBLIC)
    background.drain()  # nothing of the sign-in or of that page may fill the cache after it is cleared
    store = client.application.extensions["portal.store"]
    store.cache.clear()
    before = len(document_searches(mock))

    assert client.get("/", base_url=PUBLIC).status_code == 200

    searches = document_searches(mock)[before:]
    assert len(searches) == 1 and "pat-camille" in searches[0]


def test_a_malformed_hint_is_ignored(mock: responses.RequestsMock, provider: FakeProvider) -> None:
    client = camille(mock, provider)
    with client.session_transaction() as session:
        session[PATIENT_HINT] = "../Patient?x=1"

    assert client.get("/", base_url=PUBLIC).status_code == 200


def test_sign_in_finds_the_patient_and_starts_asking_for_the_documents(
    mock: responses.RequestsMock, provider: FakeProvider, background: BackgroundWork
) -> None:
    client = camille(mock, provider)  # signed in; no page asked for yet

    with client.session_transaction() as session:
        assert session[PATIENT_HINT] == "pat-camille"
    store = client.application.extensions["portal.store"]
    # The documents are asked for in the background, while the browser is redirected: wait for that work.
    assert background.drain() >= 1
    assert len(document_searches(mock)) == 1 and "pat-camille" in document_searches(mock)[0]
    before = len(mock.calls)

    assert client.get("/", base_url=PUBLIC).status_code == 200

    assert len(document_searches(mock)) == 1  # the page found the answer in the cache
    assert store.cache is not None and len(mock.calls) > before  # (the file itself was still to fetch)


def test_a_store_that_fails_at_sign_in_does_not_stop_the_sign_in(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    mock.get(STORE + "/Patient", status=503)
    app = create_app(base_env(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM))
    app.config["TESTING"] = True
    client = make_client(app)
    provider.sub = CAMILLE_SUB

    assert sign_in(client, provider).status_code == 302

    with client.session_transaction() as session:
        assert session["user"]["sub"] == CAMILLE_SUB and PATIENT_HINT not in session


def test_a_warm_page_hands_no_store_search_to_another_thread(viewers: Viewers, background: BackgroundWork) -> None:
    """Within the cache's TTL every search is answered from memory: asking it ahead, on the pool, would only cost a
    hand-over between threads (portal.store.ahead)."""
    client = viewers.sign_in("camille")
    assert client.get("/").status_code == 200
    started = background.drain()
    calls = len(viewers.mock.calls)

    assert client.get("/treatments").status_code == 200  # a page not yet shown: rendered now, not kept

    assert background.drain() == started  # nothing more was started on the pool
    asked = [c.request.url for c in viewers.mock.calls[calls:] if c.request.method == "GET"]
    assert asked == []  # and nothing asked of the store (its access record is written, by the trail's thread)
