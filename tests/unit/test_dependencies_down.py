"""A provider or the store that does not answer: sign-in says which sign-in service is down (and sends nobody to
it), metadata is read again after its TTL, /readyz asks its dependencies at most once per few seconds whoever
calls it, and a breaker comes back to a store after a few jittered seconds. Clocks are injected: nothing waits."""

from __future__ import annotations

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from portal import create_app
from portal.auth.oidc import CHECK_SECONDS, OidcProvider
from portal.settings import Settings, SettingsError
from portal.store.breaker import CircuitBreaker, CircuitOpen, State
from portal.web.health import READY_SECONDS, Readiness
from tests.pages import check_page
from tests.unit.conftest import ISSUER, PRO_ISSUER, STORE, FakeProvider, base_env, make_client
from tests.unit.professionals import pro_client, pro_provider, sign_in_pro

DISCOVERY = ISSUER + "/.well-known/openid-configuration"
SIGN_IN_DOWN_FR = "Le service de connexion est indisponible pour le moment"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def discovery_calls(mock: responses.RequestsMock, url: str = DISCOVERY) -> int:
    return sum(1 for call in mock.calls if call.request.url == url)


def h1(body: str) -> str:
    return " ".join(check_page(body).find(".//h1").text_content().split())


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- sign-in when a provider is down ---------------------------------------------------------------------------


def test_login_with_the_provider_down_names_the_sign_in_service_and_redirects_nowhere(
    client: FlaskClient, mock: responses.RequestsMock
) -> None:
    mock.get(DISCOVERY, body=responses.ConnectionError("down"))
    unavailable = sample("portal_sign_ins_total", provider="patient", outcome="unavailable")

    answer = client.get("/login")

    assert answer.status_code == 503
    assert "Location" not in answer.headers
    assert int(answer.headers["Retry-After"]) > 0  # (the sign-in rate limiter states its own window here)
    body = answer.get_data(as_text=True)
    assert h1(body) == SIGN_IN_DOWN_FR
    assert "FranceConnect+" in body
    assert "programme de soins" not in body.split("<main", 1)[1].split("</main>")[0]  # not the store's words
    assert sample("portal_sign_ins_total", provider="patient", outcome="unavailable") == unavailable + 1


def test_metadata_read_once_is_not_trusted_forever_the_provider_is_checked_before_each_redirect(
    app: Flask, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    clock = FakeClock()
    patient: OidcProvider = app.extensions["portal.providers"]["patient"]
    patient._clock = clock
    client = make_client(app)
    assert client.get("/login").status_code == 302
    assert discovery_calls(mock) == 1  # the check read the document and gave it to authlib: one call
    assert client.get("/login").status_code == 302
    assert discovery_calls(mock) == 1  # within CHECK_SECONDS: the check is reused

    clock.now += CHECK_SECONDS
    mock.replace(responses.GET, DISCOVERY, body=responses.ConnectionError("down"))
    down = client.get("/login")
    assert down.status_code == 503  # checked again, found down: no redirect to a dead host
    assert "Location" not in down.headers


def test_the_discovery_document_is_read_again_after_its_ttl(
    app: Flask, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    clock = FakeClock()
    patient: OidcProvider = app.extensions["portal.providers"]["patient"]
    patient._clock = clock
    patient.metadata()
    patient.metadata()
    assert discovery_calls(mock) == 1
    clock.now += patient.config.metadata_ttl
    patient.metadata()
    assert discovery_calls(mock) == 2


def test_a_callback_whose_provider_fails_names_sign_in_not_the_store(
    client: FlaskClient, provider: FakeProvider
) -> None:
    from tests.unit.conftest import sign_in

    provider.token_status = 503
    answer = sign_in(client, provider)
    assert answer.status_code == 503
    body = answer.get_data(as_text=True)
    assert h1(body) == SIGN_IN_DOWN_FR
    assert "FranceConnect+" in body


def test_the_professional_provider_down_is_named_pro_sante_connect(mock: responses.RequestsMock) -> None:
    mock.get(PRO_ISSUER + "/.well-known/openid-configuration", body=responses.ConnectionError("down"))
    answer = pro_client().get("/pro/login")
    assert answer.status_code == 503
    assert "Pro Santé Connect" in answer.get_data(as_text=True)


def test_professional_sign_ins_are_counted_like_patients(mock: responses.RequestsMock) -> None:
    succeeded = sample("portal_sign_ins_total", provider="pro", outcome="succeeded")
    invalid = sample("portal_sign_ins_total", provider="pro", outcome="invalid")
    assert sign_in_pro(pro_client(), pro_provider(mock, SubjectNameID="10001234567")) == 302
    assert sign_in_pro(pro_client(), pro_provider(mock)) == 400  # no RPPS number
    assert sample("portal_sign_ins_total", provider="pro", outcome="succeeded") == succeeded + 1
    assert sample("portal_sign_ins_total", provider="pro", outcome="invalid") == invalid + 1


# --- /readyz ------------------------------------------------------------------------------------------------


def test_readiness_asks_each_dependency_at_most_once_per_few_seconds() -> None:
    clock = FakeClock()
    calls = {"store": 0, "redis": 0}

    def counted(name: str, answer: bool) -> object:
        def check() -> bool:
            calls[name] += 1
            return answer

        return check

    readiness = Readiness({"store": counted("store", True), "redis": counted("redis", False)}, clock=clock)  # type: ignore[dict-item]
    for _ in range(50):
        assert readiness.states() == {"store": "ok", "redis": "unavailable"}
    assert calls == {"store": 1, "redis": 1}
    clock.now += READY_SECONDS
    readiness.states()
    assert calls == {"store": 2, "redis": 2}


def test_readyz_asks_the_store_even_while_its_breaker_is_open(
    app: Flask, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/metadata", json={"resourceType": "CapabilityStatement", "status": "active"})
    store = app.extensions["portal.store"]
    for _ in range(store.breaker.failure_threshold):
        store.breaker.record_failure()
    assert store.breaker.state is State.OPEN
    answer = make_client(app).get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["store"] == "ok"
    assert store.breaker.state is State.OPEN  # readiness neither waits for the trial nor decides it


def test_readyz_reports_redis_when_there_is_one(monkeypatch: pytest.MonkeyPatch, mock: responses.RequestsMock) -> None:
    import fakeredis

    from portal.auth import session as session_module

    server = fakeredis.FakeServer()
    monkeypatch.setattr(session_module, "redis_client", lambda url: fakeredis.FakeRedis(server=server))
    mock.get(STORE + "/metadata", json={"resourceType": "CapabilityStatement", "status": "active"})
    FakeProvider(mock).install()
    server.connected = False
    app = create_app(base_env(PORTAL_REDIS_URL="redis://sessions.internal:6379/0"))
    answer = make_client(app).get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["redis"] == "unavailable"


# --- the store's breaker comes back ---------------------------------------------------------------------------


def test_the_breaker_tries_again_after_its_cool_down_stretched_by_its_jitter() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cool_down=3.0, jitter=1 / 3, clock=clock, chance=lambda: 0.5)
    breaker.record_failure()
    clock.now += 3.4
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 0.1  # 3.5 s = 3 × (1 + 0.5 / 3)
    breaker.before_call()  # the trial
    breaker.record_success()
    assert breaker.state is State.CLOSED


def test_the_default_cool_down_brings_a_store_back_within_five_seconds() -> None:
    settings = Settings.from_env(base_env())
    assert settings.store_breaker_cool_down * (1 + 1 / 3) <= 5.0


# --- what a server refuses to start with --------------------------------------------------------------------


def test_a_production_server_needs_redis_and_several_workers_need_it_too() -> None:
    with pytest.raises(SettingsError, match=r"^PORTAL_REDIS_URL is missing"):
        Settings.from_env(base_env()).check_serving()
    Settings.from_env(base_env(PORTAL_REDIS_URL="redis://r:6379/0")).check_serving(workers=4)
    development = Settings.from_env(
        base_env(PORTAL_DEV_INSECURE_HTTP="true", PORTAL_PUBLIC_URL="http://127.0.0.1:8000")
    )
    development.check_serving(workers=1)
    with pytest.raises(SettingsError, match=r"^GUNICORN_WORKERS is invalid: expected 1 without PORTAL_REDIS_URL"):
        development.check_serving(workers=2)


def test_sentinels_need_a_service_name() -> None:
    with pytest.raises(SettingsError, match="PORTAL_REDIS_SENTINEL_SERVICE is missing"):
        Settings.from_env(base_env(PORTAL_REDIS_SENTINELS="127.0.0.1:26379"))
    with pytest.raises(SettingsError, match="PORTAL_REDIS_SENTINELS is invalid: expected host:port"):
        Settings.from_env(base_env(PORTAL_REDIS_SENTINELS="nowhere", PORTAL_REDIS_SENTINEL_SERVICE="p"))
    settings = Settings.from_env(
        base_env(PORTAL_REDIS_SENTINELS="10.0.0.1:26379 10.0.0.2:26379", PORTAL_REDIS_SENTINEL_SERVICE="portal")
    )
    assert settings.redis_enabled
    settings.check_serving(workers=2)
