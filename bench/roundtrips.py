"""Store round trips of a care-plan page against a store 50 ms away (budget: ≤ 2 one after the other when the
cache is cold, 0 within its TTL), and the page after the TTL, when the cache asks "still the same?" (304).

Counted inside the portal with the store client's observer hook (every answer from the store is reported with
its start and end), and checked against the demo store's own request counter. "Sequential" is the longest chain
of round trips each starting after the previous one ended: what the page waited for, one after the other.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.figures import Figure
from bench.stack import demo_store, free_port, in_process_app
from portal.store.client import RoundTrip
from tests.integration.signin import sign_in

LATENCY_MS = 50
TTL_SECONDS = 2
#: A synthetic account of the demo identity provider (demo/accounts.json): a patient with a plan.
CAMILLE, CAMILLE_PASSWORD = "camille", "demo-camille"


def sequential(trips: list[RoundTrip]) -> int:
    """The longest chain of round trips that did not overlap (greedy on end times: optimal for intervals)."""
    count, last_end = 0, -math.inf
    for trip in sorted(trips, key=lambda t: t.ended):
        if trip.started >= last_end:
            count, last_end = count + 1, trip.ended
    return count


@dataclass(frozen=True)
class Visit:
    milliseconds: float
    trips: list[RoundTrip]
    store_count: int

    @property
    def note(self) -> str:
        not_modified = sum(1 for t in self.trips if t.status == 304)
        revalidated = f", {not_modified} answered 304" if not_modified else ""
        return (
            f"{self.milliseconds:.0f} ms server time; {len(self.trips)} store GETs in all"
            f" ({self.store_count} requests by the store's count, the access log's POST included){revalidated}"
        )


def run() -> list[Figure]:
    url = f"http://127.0.0.1:{free_port()}"  # the address the demo providers send the browser back to
    with demo_store(latency_ms=LATENCY_MS, portal_url=url) as (stack, people):
        app = in_process_app(stack, url, people, PORTAL_STORE_CACHE_TTL=str(TTL_SECONDS))
        trips: list[RoundTrip] = []

        def note(trip: RoundTrip) -> None:
            if trip.method == "GET":  # what a page waits for: the access log's POSTs leave from their own thread
                trips.append(trip)

        app.extensions["portal.store"].observers.append(note)
        client = app.test_client()
        counted = [_store_count(stack)]
        trips.clear()
        signing_in = sign_in_through_provider(client, url, CAMILLE, CAMILLE_PASSWORD)
        callback = Visit(signing_in, list(trips), 0)

        def visit() -> Visit:
            trips.clear()
            start = time.perf_counter()
            answer = client.get("/", base_url=url)
            elapsed = (time.perf_counter() - start) * 1000
            if answer.status_code != 200:
                raise RuntimeError(f"the overview answered {answer.status_code}")
            now = _store_count(stack)
            store_count, counted[0] = now - counted[0] - 1, now  # the stats call counts itself
            return Visit(elapsed, list(trips), store_count)

        counted[0] = _store_count(stack)
        first = visit()
        # Cold again: forget every store answer and every parsed plan; the session still knows its patient.
        app.extensions["portal.store"].cache.clear()
        app.extensions["portal.plans"].clear()
        cold = visit()
        warm = visit()
        time.sleep(TTL_SECONDS + 0.2)
        revalidated = visit()
    return [
        Figure(
            "sign-in callback: sequential store round trips (whose plan; its documents asked for meanwhile)",
            sequential(callback.trips),
            "",
            None,
            note=f"{callback.milliseconds:.0f} ms server time, the identity provider's token and userinfo included",
        ),
        Figure(
            "overview, first page of a session, cold cache: sequential store round trips",
            sequential(first.trips),
            "",
            2,
            note=first.note,
        ),
        Figure("overview, cold cache: sequential store round trips", sequential(cold.trips), "", 2, note=cold.note),
        Figure("overview, warm within the TTL: store round trips", len(warm.trips), "", 0, note=warm.note),
        Figure(
            "overview after the TTL (If-None-Match): sequential store round trips",
            sequential(revalidated.trips),
            "",
            None,
            note=revalidated.note,
        ),
        Figure(f"overview, cold cache, store {LATENCY_MS} ms away: server time", cold.milliseconds, "ms", None),
        Figure("overview, warm: server time", warm.milliseconds, "ms", None),
    ]


def sign_in_through_provider(client: Any, url: str, login: str, password: str) -> float:
    """Sign a demo account in through the demo identity provider, as a browser would: the portal's own callback
    runs, with every store request it makes. Returns the callback's server time in milliseconds."""
    start = client.get("/login", base_url=url)
    with requests.Session() as browser:
        back = sign_in(browser, start.headers["Location"], login, password, stop_at_prefix=f"{url}/auth/callback")
    callback = urlsplit(back.headers["Location"])
    started = time.perf_counter()
    answer = client.get(f"{callback.path}?{callback.query}", base_url=url)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 302:
        raise RuntimeError(f"the sign-in callback answered {answer.status_code}")
    return elapsed


def _store_count(stack: object) -> int:
    import json
    import urllib.request

    base = stack.store_url.removesuffix("/fhir")  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"{base}/_demo/stats", timeout=5) as answer:  # noqa: S310 (loopback)
        return int(json.load(answer)["requests"])
