"""Store round trips and server time of the overview when the portal reads three regional stores, one of them 200 ms
away (issue 18, budgets: a cold page waits for ≤ 2 store round trips one after the other whatever the number of
stores, 0 within the TTL; the page's server time stays within the far store's latency plus the one-store figure).

The person is Bernard (demo/accounts.json), a patient with plans in several regions, signed in through the real
demo identity provider against the portal in this process, as `bench.roundtrips` signs camille in. His plans are in
three stores:

- the home store (the synthetic data set, 50 ms away): his first plan, where his `sub` links him to his Patient;
- "nord" (`synthetic.build_region_bundle("nord")`, 50 ms away): his current plan, the newest, which he opens on;
- "loin" (200 ms away): a copy of the nord seed with every id re-keyed (`nord-` → `loin-`) and its plans dated
  `FAR_PLANS_OLDER_BY` earlier: the same person (same INS and identity traits), an older plan.

Why that third store and not a near-empty one (like the "lente" store of tests/integration/test_regions.py): a store
where he has no Patient is asked once whether it knows him and then has nothing more to say, while a store where he
has a plan is asked for that plan's documents on every cold page (which of his plans is the newest decides which
one opens). That is the most a store the page does not show costs. His plan there is the older one on purpose: the
page shows his nord plan, from a store as near as the one-store figure's, so the far store's 200 ms can overlap the
other stores' work and the budget (one far latency on top of the one-store figure) measures exactly that: whether
the stores are asked in parallel. Were the newest plan in the far store, its file would be read there after its
documents, two far round trips: the one-store figure to compare with would then be a store 200 ms away.

The one-store figure is measured in the same run, the same way: a second portal in this process, on the same demo
stack and home store (50 ms away) without PORTAL_REGIONS, Bernard signed in the same way and shown his home plan.
The same person, machine, load and procedure; the two portals' cold visits alternate so that a disturbance weighs on
both. (Camille's figure of `bench.roundtrips` would compare another person's plan, measured at another moment.)

Round trips are counted as in `bench.roundtrips`: every store client's observer hook (the home store's and each
region's) reports each GET with its start and end, noted with the store it went to. "Sequential" is the longest
chain of GETs each starting after the previous one ended, whatever their stores: what the page waited for, one
after the other (an upper bound: two GETs that need not wait for each other count twice if they happen to follow
each other). "Cold" forgets every store client's answers, every plan loader's parsed plans and the rendered pages;
the session keeps what it learnt at sign-in. Cold visits are repeated `COLD_RUNS` times: the round trips reported
are the worst run's, the server times the medians. A page not answered 200, a store that did not answer (a timeout,
a 5xx), or an overview that does not show the nord plan and name the two other regions stops the benchmark.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from bench.figures import Figure
from bench.population import write_seed
from bench.roundtrips import sequential, sign_in_through_provider
from bench.stack import REGION_LABELS, DemoStack, free_port, in_process_app, region_setting
from portal.store.client import RoundTrip
from portal.web import extensions
from synthetic import build_region_bundle

LATENCY_MS = 50
FAR_MS = 200
#: Long enough that a cold visit at the far store (a few round trips of 200 ms) is still fresh for the warm one.
TTL_SECONDS = 5
COLD_RUNS = 5
HOME, NORD, FAR = "home", "nord", "loin"
FAR_LABELS = ("Région Exemple-Loin – DCC Exemple Loin", "Example-Far region – DCC Example Far")
#: His plans in the far store are older than his nord ones: the page opens on the nord plan.
FAR_PLANS_OLDER_BY = dt.timedelta(days=30)
#: The far store's answers come within 200 ms: the portal waits for them well past that.
FAR_READ_TIMEOUT_SECONDS = "3"
#: A demo account of the patient provider (demo/accounts.json) with plans at home and in nord.
BERNARD, BERNARD_PASSWORD = "bernard", "demo-bernard"
#: What the French overview says of his plans (the page's own sentences): it comes from nord, he has others.
COMES_FROM = "Vous consultez votre propre programme. Il vient de : {region}."
#: A link of the plan's menu, on every page of a plan and on no detour page (chooser, nothing linked).
PLAN_MENU = 'href="/treatments"'
ALSO_IN = "Vous avez aussi un programme dans une autre région : {region}."


@dataclass(frozen=True)
class Trip:
    """A GET that reached a store, and which store."""

    store: str
    trip: RoundTrip


def chain(trips: list[Trip]) -> int:
    """Sequential round trips of a page, whatever the stores they went to."""
    return sequential([t.trip for t in trips])


def per_store(trips: list[Trip], order: list[str]) -> str:
    """Each store's GETs and how many of them one after the other, e.g. "home 2 GETs (2 in a row), loin 0"."""
    parts = []
    for store in order:
        own = [t.trip for t in trips if t.store == store]
        parts.append(f"{store} {len(own)} GETs ({sequential(own)} in a row)" if own else f"{store} 0")
    return ", ".join(parts)


def unanswered(trips: list[Trip]) -> list[str]:
    """The GETs no store answered, or answered with a server error: figures built on them would be wrong."""
    return [
        f"{t.store} {t.trip.interaction} {t.trip.status or 'no answer'}" for t in trips if not 0 < t.trip.status < 500
    ]


def over_far_latency(three_stores_ms: float, one_store_ms: float, far_ms: float = FAR_MS) -> float:
    """How far the page over three stores takes longer than the one-store page plus the far store's latency (the
    budget is ≤ 0: the far store's answer overlaps the others')."""
    return three_stores_ms - (one_store_ms + far_ms)


def rekeyed(bundle: dict[str, Any], old: str, new: str, older_by: dt.timedelta) -> dict[str, Any]:
    """A copy of a region's seed for another store: every id and reference `old-…` made `new-…` (the documents'
    bytes unchanged, so their sizes and hashes still hold) and every DocumentReference dated `older_by` earlier."""
    pattern = re.compile(rf"\b{re.escape(old)}-")
    copied: dict[str, Any] = copy.deepcopy(bundle)
    for entry in copied["entry"]:
        resource = entry["resource"]
        entry["request"]["url"] = pattern.sub(f"{new}-", entry["request"]["url"])
        if resource["resourceType"] == "Binary":
            resource["id"] = pattern.sub(f"{new}-", resource["id"])
            continue
        moved = json.loads(pattern.sub(f"{new}-", json.dumps(resource, ensure_ascii=False)))
        if moved["resourceType"] == "DocumentReference" and "date" in moved:
            moved["date"] = (dt.datetime.fromisoformat(moved["date"]) - older_by).isoformat()
        entry["resource"] = moved
    return copied


@dataclass(frozen=True)
class Visit:
    milliseconds: float
    trips: list[Trip]


class Portal:
    """A portal in this process with every store client observed, and Bernard's browser signed in to it."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app, self.url = app, url
        self.trips: list[Trip] = []
        self.stores = list(self.app.extensions.get("portal.regions", {})) or [HOME]
        for key in self.stores:
            self._client(key).observers.append(self._observer(key))
        self.client = app.test_client()

    def _client(self, key: str) -> Any:
        return self.app.extensions["portal.store"] if key == HOME else self.app.extensions["portal.regions"][key].client

    def _observer(self, key: str) -> Callable[[RoundTrip], None]:
        def note(trip: RoundTrip) -> None:
            if trip.method == "GET":  # what a page waits for: the access log's POSTs leave from their own thread
                self.trips.append(Trip(key, trip))

        return note

    def sign_in(self) -> Visit:
        self.trips.clear()
        milliseconds = sign_in_through_provider(self.client, self.url, BERNARD, BERNARD_PASSWORD)
        return self._checked(Visit(milliseconds, list(self.trips)))

    def overview(self, check: Callable[[str], None]) -> Visit:
        self.trips.clear()
        start = time.perf_counter()
        answer = self.client.get("/", base_url=self.url)
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"the overview answered {answer.status_code}")
        check(answer.get_data(as_text=True))
        return self._checked(Visit(elapsed, list(self.trips)))

    def forget(self) -> None:
        """Cold: every store client's answers, every plan loader's parsed plans, the rendered pages."""
        regions = self.app.extensions.get("portal.regions", {})
        for key in self.stores:
            cache = self._client(key).cache
            if cache is not None:
                cache.clear()
        for loader in [self.app.extensions["portal.plans"], *(region.plans for region in regions.values())]:
            loader.clear()
        rendered = self.app.extensions.get("portal.rendered")
        if rendered is not None:
            with rendered._lock:
                rendered._pages.clear()

    def close(self) -> None:
        extensions.close(self.app)

    @staticmethod
    def _checked(visit: Visit) -> Visit:
        failed = unanswered(visit.trips)
        if failed:
            raise RuntimeError(f"a store did not answer: {', '.join(failed)}")
        return visit


def shows_the_nord_plan_and_names_the_others(labels: dict[str, str]) -> Callable[[str], None]:
    """The page the figures are about: the nord plan, the other two regions named (so both were asked and answered)."""
    wanted = [COMES_FROM.format(region=labels[NORD])] + [ALSO_IN.format(region=labels[k]) for k in (HOME, FAR)]

    def check(page: str) -> None:
        missing = [sentence for sentence in wanted if sentence not in page]
        if missing:
            raise RuntimeError(f"the overview over three stores does not say: {' / '.join(missing)}")

    return check


def shows_his_own_plan(page: str) -> None:
    """The one-store portal shows Bernard a plan (its pages in the menu: no detour page) and knows of no other
    region (a patient with one plan gets no banner saying whose it is)."""
    if PLAN_MENU not in page or ALSO_IN.split(":")[0] in page:
        raise RuntimeError("the one-store overview is not Bernard's own plan alone")


@contextlib.contextmanager
def three_stores(url: str) -> Iterator[DemoStack]:
    """The demo stack: the home store and nord 50 ms away, the far store 200 ms away, both providers."""
    folder = Path(tempfile.mkdtemp(prefix="pps-bench-regions-"))
    home, _ = write_seed(folder / "home.json")
    nord, far = folder / "nord.json", folder / f"{FAR}.json"
    bundle = build_region_bundle(NORD)
    nord.write_text(json.dumps(bundle), encoding="utf-8")
    far.write_text(json.dumps(rekeyed(bundle, NORD, FAR, FAR_PLANS_OLDER_BY)), encoding="utf-8")
    with DemoStack(
        portal_url=url,
        seed=home,
        store_latency_ms=LATENCY_MS,
        regions={NORD: nord, FAR: far},
        region_latency_ms={NORD: LATENCY_MS, FAR: FAR_MS},
        region_labels={**REGION_LABELS, FAR: FAR_LABELS},
        log_dir=folder / "logs",
    ) as stack:
        yield stack


def run() -> list[Figure]:
    url = f"http://127.0.0.1:{free_port()}"  # the address the demo provider sends the browser back to
    ttl = {"PORTAL_STORE_CACHE_TTL": str(TTL_SECONDS)}
    with three_stores(url) as stack:
        regions = {**stack.regions_environment(), region_setting(FAR, "READ_TIMEOUT"): FAR_READ_TIMEOUT_SECONDS}
        labels = {HOME: stack.home_labels[0], **{key: stack.region_labels[key][0] for key in (NORD, FAR)}}
        three = Portal(in_process_app(stack, url, [], **ttl, **regions), url)
        one = Portal(in_process_app(stack, url, [], **ttl), url)
        try:
            check = shows_the_nord_plan_and_names_the_others(labels)
            callback = three.sign_in()
            first = three.overview(check)
            one.sign_in()
            one.overview(shows_his_own_plan)
            colds, warms, alone = [], [], []
            for _ in range(COLD_RUNS):
                three.forget()
                colds.append(three.overview(check))
                warms.append(three.overview(check))  # at once: within the TTL
                one.forget()
                alone.append(one.overview(shows_his_own_plan))
        finally:
            three.close()
            one.close()
    stores = [HOME, NORD, FAR]
    worst_cold = max(colds, key=lambda v: chain(v.trips))
    worst_warm = max(warms, key=lambda v: len(v.trips))
    cold_ms = statistics.median(v.milliseconds for v in colds)
    alone_ms = statistics.median(v.milliseconds for v in alone)
    prefix = f"3 stores ({FAR} {FAR_MS} ms away), bernard's overview"
    return [
        Figure(
            f"3 stores ({FAR} {FAR_MS} ms away), bernard's sign-in callback: sequential store round trips",
            chain(callback.trips),
            "",
            None,
            note=f"{callback.milliseconds:.0f} ms server time, the identity provider's token and userinfo included; "
            + per_store(callback.trips, stores),
        ),
        Figure(
            f"{prefix}, first page of a session, cold: sequential store round trips",
            chain(first.trips),
            "",
            2,
            note=f"{first.milliseconds:.0f} ms server time; " + per_store(first.trips, stores),
        ),
        Figure(
            f"{prefix}, cold cache: sequential store round trips (worst of {COLD_RUNS})",
            chain(worst_cold.trips),
            "",
            2,
            note=f"runs {', '.join(str(chain(v.trips)) for v in colds)}; worst: " + per_store(worst_cold.trips, stores),
        ),
        Figure(
            f"{prefix}, warm within the TTL: store round trips (worst of {COLD_RUNS})",
            len(worst_warm.trips),
            "",
            0,
            note=per_store(worst_warm.trips, stores),
        ),
        Figure(
            f"{prefix}, cold cache: server time (median of {COLD_RUNS})",
            cold_ms,
            "ms",
            None,
            note=_runs(colds),
        ),
        Figure(
            f"1 store {LATENCY_MS} ms away, bernard's home plan, cold cache: server time (median of {COLD_RUNS})",
            alone_ms,
            "ms",
            None,
            note=f"{_runs(alone)}; {max(chain(v.trips) for v in alone)} sequential round trips at most",
        ),
        Figure(
            f"{prefix}, cold: server time beyond the one-store figure + the far store's {FAR_MS} ms",
            over_far_latency(cold_ms, alone_ms),
            "ms",
            0,
            note=f"{cold_ms:.0f} − ({alone_ms:.0f} + {FAR_MS}) ms",
        ),
        Figure(
            f"{prefix}, warm: server time (median of {COLD_RUNS})",
            statistics.median(v.milliseconds for v in warms),
            "ms",
            None,
        ),
    ]


def _runs(visits: list[Visit]) -> str:
    return "runs " + ", ".join(f"{v.milliseconds:.0f}" for v in visits) + " ms"
