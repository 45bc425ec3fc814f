"""Back-channel logout for real: the demo provider (oidc-provider) signs a logout token and posts it to the portal
when the person signs out at the provider, and the portal session of that person ends."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from tests.conftest import DemoStack, Running, free_port, load_accounts, portal_settings
from tests.integration.signin import sign_in

pytestmark = pytest.mark.integration
#: The longest a request to a local server may take: a bound for a loaded machine, never a pass condition.
TIMEOUT = 30


@pytest.fixture(scope="module")
def running_with_backchannel(tmp_path_factory: pytest.TempPathFactory, synthetic_bundle: Path) -> Iterator[Running]:
    """A stack whose providers call {portal}/auth/backchannel-logout, and the portal on that address."""
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("bcl-logs")
    with DemoStack(portal_url=portal_url, seed=synthetic_bundle, log_dir=logs, backchannel_logout=True) as stack:
        app = create_app(portal_settings(stack))
        server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal-bcl", daemon=True)
        thread.start()
        try:
            yield Running(stack, portal_url, {a["login"]: a for a in load_accounts()}, app)
        finally:
            server.shutdown()
            thread.join(timeout=30)


def test_signing_out_at_the_provider_ends_the_portal_session(
    running_with_backchannel: Running, caplog: pytest.LogCaptureFixture
) -> None:
    running = running_with_backchannel
    camille = running.accounts["camille"]
    browser = requests.Session()
    browser.headers["Accept-Language"] = "fr"
    home = sign_in(browser, running.portal_url + "/login", camille["login"], camille["password"])
    assert home.status_code == 200
    assert "Se déconnecter" in home.text

    # Another tab, at the provider only: it holds the provider's cookies, never the portal's.
    provider_tab = requests.Session()
    for cookie in browser.cookies:
        if cookie.name != "portal-session":
            provider_tab.cookies.set_cookie(cookie)
    discovery = requests.get(f"{running.stack.patient_issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
    caplog.set_level(logging.INFO, logger="portal.auth")
    ended = provider_tab.get(discovery.json()["end_session_endpoint"], timeout=TIMEOUT)
    assert ended.status_code == 200
    assert "Vous êtes déconnecté" in ended.text

    assert "back-channel logout ended 1 session(s)" in caplog.messages
    after = browser.get(running.portal_url + "/", timeout=TIMEOUT)
    assert "Se déconnecter" not in after.text
    assert 'href="/login"' in after.text
