"""Fixtures shared by the integration and browser layers: the real demo stack and the portal serving HTTP.

The portal runs in a thread of the test process behind werkzeug's real HTTP server, so requests go through
sockets, cookies and redirects exactly as a browser's would. Everything started here is stopped at the end.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.ops.logs import quiet_libraries
from synthetic import build_bundle

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "demo"))

from stack import DemoStack, free_port, load_accounts  # noqa: E402

# Every log record of the run is scanned for the synthetic patients' identity (issue 8): see tests/logscan.py.
pytest_plugins = ["tests.logscan"]


@dataclass(frozen=True)
class Running:
    stack: DemoStack
    portal_url: str
    accounts: dict[str, dict[str, str]]
    #: The portal itself (it runs in a thread of the test process): tests may move its clocks.
    app: Flask


def portal_settings(stack: DemoStack) -> dict[str, str]:
    return {
        **stack.portal_environment(),
        "PORTAL_SECRET_KEY": "integration-test-secret-key-0123456789abcdef",
        "PORTAL_DEV_INSECURE_HTTP": "true",
        "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:demo:patient-idp-sub",
        # Every test signs in from 127.0.0.1: the production limit would stop the suite, not an attacker.
        "PORTAL_RATE_LIMIT_SIGN_IN": "10000 per minute",
        # These layers check what the portal shows, not its time limits (the unit layer checks those, on clocks
        # of its own; `make bench` times them): on a loaded CI machine a slow answer of the demo servers must not
        # become a 503 that fails a test about something else.
        "PORTAL_PAGE_TIME_BUDGET": "30",
        "PORTAL_STORE_READ_TIMEOUT": "30",
        "PORTAL_OIDC_TIMEOUT": "30",
    }


@pytest.fixture(scope="session")
def synthetic_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full synthetic data set (the project's generator), as the demo store is seeded with it."""
    path = tmp_path_factory.mktemp("synthetic") / "bundle.json"
    path.write_text(json.dumps(build_bundle()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory, synthetic_bundle: Path) -> Iterator[Running]:
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("demo-logs")
    with DemoStack(portal_url=portal_url, seed=synthetic_bundle, log_dir=logs) as stack:
        app = create_app(portal_settings(stack))
        server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal", daemon=True)
        thread.start()
        try:
            yield Running(stack, portal_url, {a["login"]: a for a in load_accounts()}, app)
        finally:
            server.shutdown()
            thread.join(timeout=30)


@pytest.fixture(scope="module")
def quiet_urllib3() -> Iterator[None]:
    """The INS is in the URLs of the searches of other regions' stores, which urllib3 writes at debug level: quieten
    it as the portal does (portal.ops.logs.quiet_libraries), for the module that asks, so the log scan finds no INS."""
    logger = logging.getLogger("urllib3")
    level = logger.level
    quiet_libraries()
    try:
        yield
    finally:
        logger.setLevel(level)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the access-log queues of the run's apps before pytest reports: their stores are gone."""
    from portal.access import trail as audit

    audit.discard_all()
