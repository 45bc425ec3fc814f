"""A page while the store misbehaves on a real loopback socket (budget: it answers within the page's time budget,
never hangs), and the reader refusing hostile files (budget: each within a second).

The frozen store is the budgeted case of issue 19: FROZEN_REQUESTS overviews, FROZEN_CLIENTS signed-in people at
once, while the store holds every request without answering; the p99 of their server time stays within
PORTAL_PAGE_TIME_BUDGET + 10 %, and every answer is the portal's own "unavailable" page (503) or the page itself
(200, from a last good copy): a bare error, a 500 or no answer fails the figure. The store client's circuit breaker
is held closed there, so that every page meets the frozen store (the worst case: a store that froze a moment ago);
with it, after five failures pages answer at once for a few seconds, and a measure of those would flatter.

The unit tests check what the portal does in each case (tests/unit/hostile/test_time_budget.py: the page answers
"unavailable", the portal cut the request, the timeouts and waits computed from the budget; tests/unit/pps and
tests/unit/fuzz: the reason of each refusal); how many seconds it takes is measured here, on a quiet machine,
never asserted by a test that a busy one would fail."""

from __future__ import annotations

import functools
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import responses

from bench.figures import Figure
from portal.access import trail as audit
from portal.pps import DocumentRefused, read_pps
from portal.store.breaker import CircuitBreaker
from portal.web.language_templates import compile_all
from tests.unit.conftest import FakeProvider, signed_in_client
from tests.unit.hostile.pages import ACCESS_UNAVAILABLE_FR, UNAVAILABLE_FR, h1, portal, readable
from tests.unit.hostile.stores import MODES, hostile_store

#: The page's budget in these runs (PORTAL_PAGE_TIME_BUDGET), in seconds.
PAGE_BUDGET = 1.0
#: What a page may take above its budget: rendering the error page and the test client's own work.
RENDER_ALLOWANCE = 0.75
#: Each hostile file is refused within this many milliseconds.
REFUSAL_BUDGET_MS = 1000.0
#: The frozen store: overviews asked for in all, by this many people at once; the p99 of their server time must
#: stay within the page's budget and a tenth.
FROZEN_REQUESTS, FROZEN_CLIENTS = 50, 5
FROZEN_BUDGET = PAGE_BUDGET * 1.1
#: The h1 of the portal's own "unavailable" pages (503): the store cannot be reached, or who may see whom cannot
#: be checked (the Patient search failed: access fails closed).
UNAVAILABLE_PAGES = (UNAVAILABLE_FR, ACCESS_UNAVAILABLE_FR)


def answer_kind(answer: Any) -> str:
    """ "page" (200), "unavailable page" (503, the portal's own readable page), or what else it was."""
    if answer.status_code == 200:
        return "page"
    try:
        title = h1(readable(answer))
    except (AssertionError, AttributeError, ValueError):
        return f"{answer.status_code}, not the portal's page"
    if answer.status_code == 503 and title in UNAVAILABLE_PAGES:
        return "unavailable page"
    return f"{answer.status_code} '{title}'"


def right(kind: str) -> bool:
    return kind in ("page", "unavailable page")


def frozen_app(store_url: str, mock: responses.RequestsMock) -> tuple[Any, FakeProvider]:
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
    compile_all(app)  # as a serving process does (portal.wsgi): no page waits for a template's compiling
    return app, provider


def page_seconds(store_url: str) -> tuple[float, str]:
    """Seconds the overview takes for a signed-in person on a portal whose store is `store_url`, and what it was."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        app, provider = frozen_app(store_url, mock)
        client = signed_in_client(app, provider, "sub-123")
        started = time.perf_counter()
        answer = client.get("/")
        return time.perf_counter() - started, answer_kind(answer)


def frozen_store_pages(store_url: str) -> tuple[list[float], Counter[str]]:
    """FROZEN_REQUESTS overviews, FROZEN_CLIENTS signed-in people asking at once, on a portal whose store holds
    every request: each one's server time (the test client runs the app in this process: no network in it), and
    what each answer was. A page that has not answered after a minute counts as "no answer"."""
    times: list[float] = []
    kinds: Counter[str] = Counter()
    lock = threading.Lock()
    left = [FROZEN_REQUESTS]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        app, provider = frozen_app(store_url, mock)
        # Never opens: every page waits for the frozen store (the breaker would answer most of them at once).
        app.extensions["portal.store"].breaker = CircuitBreaker(failure_threshold=10**9, name="store (held closed)")
        clients = [signed_in_client(app, provider, "sub-123") for _ in range(FROZEN_CLIENTS)]

        def ask(client: Any) -> None:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                started = time.perf_counter()
                try:
                    answer = client.get("/")
                except Exception as error:  # what escaped the app is a wrong answer, counted
                    answer, kind = None, f"raised {type(error).__name__}"
                # The server's time ends with its answer: checking the page (parsing it whole) is the bench's.
                seconds = time.perf_counter() - started
                if answer is not None:
                    kind = answer_kind(answer)
                with lock:
                    times.append(seconds)
                    kinds[kind] += 1

        threads = [threading.Thread(target=ask, args=(c,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60 + FROZEN_REQUESTS * PAGE_BUDGET)
    with lock:
        if sum(kinds.values()) < FROZEN_REQUESTS:
            kinds["no answer"] += FROZEN_REQUESTS - sum(kinds.values())
        return list(times), Counter(kinds)


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=100, method="inclusive")[98]


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


def frozen_figure(store: Any) -> Figure:
    store.mode = "hang"
    times, kinds = frozen_store_pages(store.base)
    wrong = sum(n for kind, n in kinds.items() if not right(kind))
    said = ", ".join(f"{kind} ×{n}" for kind, n in kinds.most_common())
    return Figure(
        "overview while the store is frozen: server time (p99)",
        p99(times) if times else None,
        "s",
        FROZEN_BUDGET,
        note=f"{FROZEN_REQUESTS} overviews, {FROZEN_CLIENTS} people at once, page budget {PAGE_BUDGET:g} s + 10 %;"
        f" circuit breaker held closed; slowest {max(times, default=0):.2f} s, median"
        f" {statistics.median(times) if times else 0:.2f} s; {said}; the portal cut {store.cuts} of the"
        f" {store.requests} requests the store held",
        failed_requests=wrong,
    )


def run() -> list[Figure]:
    figures = []
    with hostile_store() as store:
        figures.append(frozen_figure(store))
    with hostile_store() as store:
        for mode in MODES:
            store.mode = mode
            seconds, kind = page_seconds(store.base)
            figures.append(
                Figure(
                    f"overview while the store answers '{mode}'",
                    seconds,
                    "s",
                    PAGE_BUDGET + RENDER_ALLOWANCE,
                    note=f"page budget {PAGE_BUDGET:g} s; {kind}",
                    failed_requests=0 if right(kind) else 1,
                )
            )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    seconds, kind = page_seconds(f"http://127.0.0.1:{port}/fhir")
    figures.append(
        Figure(
            "overview while the store refuses connections",
            seconds,
            "s",
            PAGE_BUDGET,
            note=kind,
            failed_requests=0 if right(kind) else 1,
        )
    )
    worst, name = max((slowest_ms(functools.partial(refuse, data)), name) for name, data in hostile_files().items())
    figures.append(
        Figure("refuse a hostile file (slowest case, slowest of 5 runs)", worst, "ms", REFUSAL_BUDGET_MS, note=name)
    )
    audit.discard_all()  # the apps of these runs leave access records for stores that are gone
    return figures
