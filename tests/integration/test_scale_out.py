"""Scaling out for real: two instances of the portal with the same settings, one real Redis, the demo stack.

Each instance is its own app (`create_app`, its own session interface, store client, caches and limiter) behind
its own HTTP server, as two processes behind a load balancer would be; what one knows of the other can only come
from the Redis of `PORTAL_REDIS_URL`. Sign-in goes through A (the providers know A's address); the browser then
takes its cookie to B. The benchmark `bench.scaleout` does the same under load, with gunicorn.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from redis_server import RedisServer, redis_server_path
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.store.client import RoundTrip
from tests.conftest import DemoStack, free_port, load_accounts, portal_settings
from tests.integration.signin import sign_in

pytestmark = pytest.mark.integration
#: The longest a request to a local server may take: a bound for a loaded machine, never a pass condition.
TIMEOUT = 30
#: Per address and per sign-in route, for the whole deployment: the sign-ins of this module stay well under it.
SIGN_IN_LIMIT = 6
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Instance:
    url: str
    app: Flask
    store_gets: list[RoundTrip]

    def flush_access_log(self) -> None:
        assert self.app.extensions["portal.access.trail"].flush(timeout=30)


@dataclass(frozen=True)
class TwoInstances:
    stack: DemoStack
    a: Instance
    b: Instance
    accounts: dict[str, dict[str, str]]

    def store_requests(self) -> int:
        """The demo store's own count of the requests it answered (this one left out)."""
        base = self.stack.store_url.removesuffix("/fhir")
        return int(requests.get(f"{base}/_demo/stats", timeout=TIMEOUT).json()["requests"]) - 1

    def signed_in(self, login: str) -> requests.Session:
        """A browser signed in through instance A, at A's overview."""
        account = self.accounts[login]
        browser = requests.Session()
        browser.headers["Accept-Language"] = "fr"
        home = sign_in(browser, self.a.url + "/login", account["login"], account["password"])
        assert home.status_code == 200
        assert home.url.startswith(self.a.url)
        assert "Se déconnecter" in home.text
        return browser


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory: pytest.TempPathFactory, synthetic_bundle: Path) -> Iterator[TwoInstances]:
    if redis_server_path() is None:
        pytest.skip("redis-server is absent (make test installs it from Debian)")
    ports = [free_port(), free_port()]
    public_url = f"http://127.0.0.1:{ports[0]}"  # the one address people use: A's, as a load balancer's would be
    logs = tmp_path_factory.mktemp("scale-out-logs")
    with (
        RedisServer(log_dir=logs) as redis_server,
        DemoStack(portal_url=public_url, seed=synthetic_bundle, log_dir=logs, backchannel_logout=True) as stack,
    ):
        settings = {
            **portal_settings(stack),
            "PORTAL_REDIS_URL": redis_server.url,
            "PORTAL_RATE_LIMIT_SIGN_IN": f"{SIGN_IN_LIMIT} per minute",
        }
        servers: list[tuple[BaseWSGIServer, threading.Thread]] = []
        instances = []
        try:
            for port in ports:
                app = create_app(settings)
                gets: list[RoundTrip] = []
                app.extensions["portal.store"].observers.append(
                    lambda trip, gets=gets: gets.append(trip) if trip.method == "GET" else None
                )
                server = make_server("127.0.0.1", port, app, threaded=True)
                thread = threading.Thread(target=server.serve_forever, name=f"portal-{port}", daemon=True)
                thread.start()
                servers.append((server, thread))
                instances.append(Instance(f"http://127.0.0.1:{port}", app, gets))
            yield TwoInstances(stack, *instances, {a["login"]: a for a in load_accounts()})
        finally:
            for server, thread in servers:
                server.shutdown()
                thread.join(timeout=30)


def test_a_session_opened_at_a_is_served_by_b(two_instances: TwoInstances) -> None:
    browser = two_instances.signed_in("bernard")

    at_b = browser.get(two_instances.b.url + "/treatments", allow_redirects=False, timeout=TIMEOUT)

    assert at_b.status_code == 200
    assert "Se déconnecter" in at_b.text


def test_a_store_answer_fetched_by_a_is_served_to_b_from_the_shared_cache(two_instances: TwoInstances) -> None:
    a, b = two_instances.a, two_instances.b
    a.store_gets.clear()
    browser = two_instances.signed_in("nathalie")  # A's overview: the Patient, the plan search, the plan itself
    assert len(a.store_gets) >= 3
    # Every access record written so far, both instances' (an earlier test's view at B may still wait for its
    # batch): only B's record of this page may reach the store below.
    a.flush_access_log()
    b.flush_access_log()
    b.store_gets.clear()
    before = two_instances.store_requests()

    page = browser.get(b.url + "/", timeout=TIMEOUT)
    b.flush_access_log()

    assert page.status_code == 200
    assert "Se déconnecter" in page.text
    assert b.store_gets == []  # B parsed the plan itself, from the answers A left in Redis
    # By the store's own count (less the request of the first count): nothing but B's access record (one POST).
    assert two_instances.store_requests() - before - 1 <= 1


def test_signing_out_at_a_ends_the_session_at_b(two_instances: TwoInstances) -> None:
    a, b = two_instances.a, two_instances.b
    browser = two_instances.signed_in("diane")
    page_at_b = browser.get(b.url + "/treatments", allow_redirects=False, timeout=TIMEOUT)
    assert page_at_b.status_code == 200
    token = CSRF.search(page_at_b.text)
    assert token is not None

    # B's CSRF token is good at A: both sign it with the same PORTAL_SECRET_KEY.
    signed_out = browser.post(
        a.url + "/logout", data={"csrf_token": token.group(1)}, allow_redirects=False, timeout=TIMEOUT
    )
    assert signed_out.status_code == 302

    after = browser.get(b.url + "/treatments", allow_redirects=False, timeout=TIMEOUT)
    assert after.status_code == 302
    assert after.headers["Location"] in ("/", f"{b.url}/")
    start = browser.get(b.url + "/", timeout=TIMEOUT)
    assert "Se déconnecter" not in start.text
    assert 'href="/login"' in start.text


def test_a_back_channel_logout_received_by_a_ends_the_session_at_b(two_instances: TwoInstances) -> None:
    browser = two_instances.signed_in("henri")
    assert "Se déconnecter" in browser.get(two_instances.b.url + "/", timeout=TIMEOUT).text

    # Signing out at the provider only (another tab holding its cookies): it posts the logout token to A.
    provider_tab = requests.Session()
    for cookie in browser.cookies:
        if cookie.name != "portal-session":
            provider_tab.cookies.set_cookie(cookie)
    issuer = two_instances.stack.patient_issuer
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    assert provider_tab.get(discovery["end_session_endpoint"], timeout=TIMEOUT).status_code == 200

    after = browser.get(two_instances.b.url + "/", timeout=TIMEOUT)
    assert "Se déconnecter" not in after.text
    assert 'href="/login"' in after.text


def test_the_sign_in_rate_limit_counts_both_instances_together(two_instances: TwoInstances) -> None:
    # The professional door has its own counter: the patient sign-ins of the other tests do not weigh on it.
    statuses = [
        requests.get(f"{instance.url}/pro/login", allow_redirects=False, timeout=TIMEOUT).status_code
        for _ in range(SIGN_IN_LIMIT)
        for instance in (two_instances.a, two_instances.b)
    ]

    assert statuses.count(429) == SIGN_IN_LIMIT  # half of them: each instance alone would have let all through
    assert statuses[:SIGN_IN_LIMIT] == [302] * SIGN_IN_LIMIT
