"""A page while the store misbehaves on a real loopback socket (budget: it answers within the page's time budget,
never hangs), and the reader refusing hostile files (budget: each within a second).

The unit tests check what the portal does in each case (tests/unit/hostile/test_time_budget.py: the page answers
"unavailable", the portal cut the request, the timeouts and waits computed from the budget; tests/unit/pps and
tests/unit/fuzz: the reason of each refusal); how many seconds it takes is measured here, on a quiet machine,
never asserted by a test that a busy one would fail."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import responses

from bench.figures import Figure
from portal.access import trail as audit
from portal.pps import DocumentRefused, read_pps
from tests.unit.conftest import FakeProvider, signed_in_client
from tests.unit.hostile.pages import portal
from tests.unit.hostile.stores import MODES, hostile_store

#: The page's budget in these runs (PORTAL_PAGE_TIME_BUDGET), in seconds.
PAGE_BUDGET = 1.0
#: What a page may take above its budget: rendering the error page and the test client's own work.
RENDER_ALLOWANCE = 0.75
#: Each hostile file is refused within this many milliseconds.
REFUSAL_BUDGET_MS = 1000.0


def page_seconds(store_url: str) -> tuple[float, int]:
    """Seconds the overview takes for a signed-in person on a portal whose store is `store_url`, and its status."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        provider = FakeProvider(mock)
        provider.install()
        mock.add_passthru(store_url.rsplit("/fhir", 1)[0])
        app = portal(
            PORTAL_STORE_URL=store_url,
            PORTAL_PAGE_TIME_BUDGET=str(PAGE_BUDGET),
            PORTAL_STORE_READ_TIMEOUT="5",
            PORTAL_STORE_RETRIES="2",
            PORTAL_STORE_CACHE_TTL="0",
        )
        client = signed_in_client(app, provider, "sub-123")
        started = time.perf_counter()
        status = client.get("/").status_code
        return time.perf_counter() - started, status


def hostile_files() -> dict[str, bytes]:
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10 if i else "lol"}">' for i in range(10))
    nested = b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a>" * 2000 + b"</a>" * 2000 + b"</ClinicalDocument>"
    return {
        "entity expansion bomb": f'<?xml version="1.0"?><!DOCTYPE lolz [{lol}]><lolz>&l9;</lolz>'.encode(),
        "external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "nested 2000 deep": nested,
        "50 MB of '<'": b"<" * 50_000_000,
        "4 KB of random bytes": bytes(range(256)) * 16,
    }


def slowest_ms(work: Callable[[], object], runs: int = 5) -> float:
    worst = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        work()
        worst = max(worst, (time.perf_counter() - started) * 1000)
    return worst


def refuse(data: bytes) -> None:
    try:
        read_pps(data)
    except DocumentRefused:
        return
    raise AssertionError("a hostile file was read")


def run() -> list[Figure]:
    figures = []
    with hostile_store() as store:
        for mode in MODES:
            store.mode = mode
            seconds, status = page_seconds(store.base)
            figures.append(
                Figure(
                    f"overview while the store answers '{mode}'",
                    seconds if status == 503 else None,
                    "s",
                    PAGE_BUDGET + RENDER_ALLOWANCE,
                    note=f"page budget {PAGE_BUDGET:g} s, answered {status}",
                )
            )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    seconds, status = page_seconds(f"http://127.0.0.1:{port}/fhir")
    figures.append(
        Figure(
            "overview while the store refuses connections",
            seconds if status == 503 else None,
            "s",
            PAGE_BUDGET,
            note=f"answered {status}",
        )
    )
    worst, name = max((slowest_ms(lambda data=data: refuse(data)), name) for name, data in hostile_files().items())
    figures.append(
        Figure("refuse a hostile file (slowest case, slowest of 5 runs)", worst, "ms", REFUSAL_BUDGET_MS, note=name)
    )
    audit.discard_all()  # the apps of these runs leave access records for stores that are gone
    return figures
