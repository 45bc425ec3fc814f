"""Scaling out: two instances of the portal behind one address, sharing one Redis and one store, on loopback.

Two gunicorn instances with the same settings (same `PORTAL_SECRET_KEY`, same `PORTAL_REDIS_URL`) in front of one
demo store and one throwaway `redis-server` (`demo/redis_server.py`). The signed-in sessions are written into
that Redis by this benchmark, never into an instance, so every page answered 200 was answered from shared state.

Figures, each able to fail:
- a bounded load (pages of many people, each request to either instance at random) answers 200 every time;
- the store GETs of the whole run stay close to what ONE instance makes: every page of every person is asked
  of instance A alone first (that is the reference), then the load visits both; with per-process caches
  instance B would fetch everything again (ratio about 2), with the shared cache it fetches nothing;
- a sign-out at instance A is refused at instance B at once, the CSRF token coming from B (one secret key);
- the sign-in rate limit counts the requests to both instances together;
- and, for `docs/scaling.md`: throughput of two instances against one, Redis memory per session and per
  cached answer (`INFO memory`, `MEMORY USAGE`), resident memory of each instance's worker.

Store GETs are counted by each instance itself (its Prometheus metrics, a folder of its own) and cross-checked
with the demo store's own counter, which also counts the access log's POSTs.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import re
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from bench.figures import Figure
from bench.load import requests_per_second
from bench.population import Person, seed_store
from bench.stack import (
    COOKIE,
    DemoStack,
    RedisServer,
    demo_store,
    free_port,
    gunicorn,
    portal_environment,
    redis_server_path,
    resident_mb,
    worker_pids,
)
from portal.auth.session import RedisSessionStore

EXTRA_PEOPLE = 40  # besides the data set's own: enough that the load is many people, not one page
REQUESTS, THREADS, SECONDS = 5000, 8, 60
PAGES = ("/", "/treatments", "/calendar", "/care-team", "/support", "/illness")
WORKERS, WORKER_THREADS = 1, 4  # per instance: two instances are then two processes, one CPU each at most
SIGN_OUTS = 5
SIGN_IN_LIMIT = 20  # per minute, for the whole deployment
THROUGHPUT_SECONDS = 5
THROWAWAY_SESSIONS = 2000  # sessions written only to measure Redis memory per session, then deleted
# Longer than the run: the store GETs then say how well the cache is shared, not how often it expires.
CACHE_TTL = 600
METRICS_TOKEN = "bench-metrics-token-0123456789-abcdef"  # noqa: S105 (loopback, throwaway)
IDLE_SECONDS = 240 * 60  # PORTAL_SESSION_IDLE_MINUTES of bench.stack.portal_environment
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Instance:
    name: str
    url: str
    pid: int

    def store_gets(self) -> int:
        """Requests this instance has sent to the store, its access log's POSTs left out (its own metrics)."""
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            text = answer.read().decode()
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                # The access log's writes are "create AuditEvent" and, several at once, "batch create".
                interaction = sample.labels.get("interaction", "")
                if sample.name == "portal_store_request_duration_seconds_count" and "create" not in interaction:
                    total += sample.value
        return round(total)


def _store_requests(store_url: str) -> int:
    with urllib.request.urlopen(f"{store_url.removesuffix('/fhir')}/_demo/stats", timeout=5) as answer:  # noqa: S310
        return int(json.load(answer)["requests"]) - 1  # this call excluded


@contextlib.contextmanager
def _instances(stack: DemoStack, public_url: str, ports: list[int], redis_url: str) -> Iterator[list[Instance]]:
    """One gunicorn per port, every one with the same settings; each keeps its metrics in a folder of its own."""
    settings = portal_environment(
        stack,
        public_url,
        PORTAL_REDIS_URL=redis_url,
        PORTAL_STORE_CACHE_TTL=str(CACHE_TTL),
        PORTAL_RATE_LIMIT_SIGN_IN=f"{SIGN_IN_LIMIT} per minute",
        PORTAL_METRICS_TOKEN=METRICS_TOKEN,
    )
    with contextlib.ExitStack() as running:
        instances = []
        for name, port in zip("AB", ports, strict=True):
            env = {**settings, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix=f"pps-bench-metrics-{name}-")}
            pid = running.enter_context(
                gunicorn(port, env, stack.log_dir, workers=WORKERS, threads=WORKER_THREADS, name=f"gunicorn-{name}")
            )
            instances.append(Instance(name, f"http://127.0.0.1:{port}", pid))
        yield instances


def _get(url: str, cookie: str = "") -> tuple[int, str]:
    """GET without following redirects: (status, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", parts.path or "/", headers={"Cookie": cookie} if cookie else {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _post(url: str, form: dict[str, str], cookie: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", parts.path, body=urlencode(form), headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


@dataclass
class LoadResult:
    statuses: dict[str, Counter[str]]
    asked: int
    seconds: float

    @property
    def answered_200(self) -> int:
        return sum(c["200"] for c in self.statuses.values())

    @property
    def not_200(self) -> int:
        return self.asked - self.answered_200


def _first_visits(instance: Instance, people: list[Person]) -> tuple[list[tuple[Person, str]], Counter[str]]:
    """Every plan page of every person, once, at `instance` alone: the (person, page) pairs it answers 200, and
    the count of its answers (a PDF-only plan has only its overview: its other pages redirect there)."""
    served, statuses = [], Counter[str]()
    for person in people:
        for page in PAGES:
            status, _ = _get(f"{instance.url}{page}", f"{COOKIE}={person.sid}")
            statuses[str(status)] += 1
            if status == 200:
                served.append((person, page))
    return served, statuses


def _load(instances: list[Instance], visits: list[tuple[Person, str]], *, seed: int = 9) -> LoadResult:
    """REQUESTS page views (at most SECONDS), each of a random (person, page) of `visits` at a random instance."""
    lock = threading.Lock()
    state = {"next": 0}
    statuses: dict[str, Counter[str]] = {i.name: Counter() for i in instances}
    started = time.monotonic()
    deadline = started + SECONDS

    def work(index: int) -> None:
        chance = random.Random(seed * 1000 + index)
        connections = {
            i.name: http.client.HTTPConnection("127.0.0.1", urlsplit(i.url).port, timeout=30) for i in instances
        }
        try:
            while time.monotonic() < deadline:
                with lock:
                    if state["next"] >= REQUESTS:
                        return
                    state["next"] += 1
                instance, (person, page) = chance.choice(instances), chance.choice(visits)
                connection = connections[instance.name]
                try:
                    connection.request("GET", page, headers={"Cookie": f"{COOKIE}={person.sid}"})
                    answer = connection.getresponse()
                    answer.read()
                    status = str(answer.status)
                except (OSError, http.client.HTTPException) as exc:
                    status = type(exc).__name__
                    connection.close()  # reconnects on the next request
                with lock:
                    statuses[instance.name][status] += 1
        finally:
            for connection in connections.values():
                connection.close()

    workers = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(SECONDS + 60)
    return LoadResult(statuses, REQUESTS, time.monotonic() - started)


def _sign_out_across(a: Instance, b: Instance, people: list[Person]) -> tuple[int, str]:
    """Sign each person out at A with the CSRF token of a page of B, then ask B for a plan page at once.

    Returns how many sessions B still served after the sign-out, counting as failures any check that could not
    run (B refusing the session before, A refusing the sign-out), and a note."""
    failures: list[str] = []
    gaps = []
    for person in people:
        cookie = f"{COOKIE}={person.sid}"
        status, body = _get(f"{b.url}/treatments", cookie)
        token = CSRF.search(body)
        if status != 200 or token is None:
            failures.append(f"B before: {status}")
            continue
        signed_out = _post(f"{a.url}/logout", {"csrf_token": token.group(1)}, cookie)
        done = time.monotonic()
        after, _ = _get(f"{b.url}/treatments", cookie)
        gaps.append((time.monotonic() - done) * 1000)
        if signed_out != 302:
            failures.append(f"sign-out at A: {signed_out}")
        elif after != 302:  # a signed-out browser is sent to the start page
            failures.append(f"B after: {after}")
    note = f"{len(people)} people; each page of B asked within {max(gaps, default=0):.0f} ms of the sign-out at A" + (
        f"; failed: {', '.join(failures)}" if failures else ""
    )
    return len(failures), note


def _sign_in_limit(instances: list[Instance]) -> tuple[int, str]:
    """/login asked 2 × limit + 2 times, alternately at each instance: how many were let through (not 429)."""
    let_through: Counter[str] = Counter()
    seen: Counter[int] = Counter()
    for n in range(2 * SIGN_IN_LIMIT + 2):
        instance = instances[n % len(instances)]
        status, _ = _get(f"{instance.url}/login")
        seen[status] += 1
        if status != 429:
            let_through[instance.name] += 1
    split = ", ".join(f"{name} {count}" for name, count in sorted(let_through.items()))
    answers = ", ".join(f"{count}× {status}" for status, count in sorted(seen.items()))
    return sum(let_through.values()), f"{2 * SIGN_IN_LIMIT + 2} asked alternately; let through: {split}; {answers}"


def _throughput(instances: list[Instance], person: Person) -> tuple[float, float, str]:
    """Warm overview: one instance with 8 connections, then both at once with 4 each (same generator)."""
    cookie = f"{COOKIE}={person.sid}"
    one, tool = requests_per_second(f"{instances[0].url}/", cookie=cookie, seconds=THROUGHPUT_SECONDS, connections=8)
    rates: list[float] = []

    def measure(instance: Instance) -> None:
        rate, _ = requests_per_second(f"{instance.url}/", cookie=cookie, seconds=THROUGHPUT_SECONDS, connections=4)
        rates.append(rate)

    threads = [threading.Thread(target=measure, args=(i,)) for i in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(rates) != len(instances):
        raise RuntimeError("a throughput measurement did not finish")
    return one, sum(rates), tool


def _used_memory(client: Redis) -> int:
    return int(client.info("memory")["used_memory"])


def _session_bytes(client: Redis) -> tuple[float, str]:
    """Redis memory per session: THROWAWAY_SESSIONS written as a sign-in writes them, `used_memory` before and
    after (the session and its back-channel logout index), then deleted."""
    store = RedisSessionStore(client, IDLE_SECONDS, prefix="bench:throwaway-session:")
    people = [
        Person(f"throwaway-{n:05d}-{'x' * 30}", f"fictional-sub-{n:05d}", f"p{n}") for n in range(THROWAWAY_SESSIONS)
    ]
    before = _used_memory(client)
    seed_store(store, people)
    after = _used_memory(client)
    for name in client.scan_iter(match="bench:throwaway-session:*", count=1000):
        client.delete(name)
    return (after - before) / THROWAWAY_SESSIONS, f"INFO used_memory over {THROWAWAY_SESSIONS} sessions"


def _usage(client: Redis, name: bytes | str) -> int:
    return int(client.memory_usage(name, samples=0) or 0)


def _redis_figures(client: Redis) -> list[Figure]:
    """What the run left in Redis: the cached store answers by kind, the sessions, the total."""
    prefix = "portal:store-cache:"
    kinds: dict[str, list[int]] = {"search answer": [], "document": []}
    for name in client.scan_iter(match=f"{prefix}entry:*", count=1000):
        raw = client.get(name)
        if not isinstance(raw, bytes):
            continue
        header = json.loads(raw.partition(b"\n")[0])
        kinds["search answer" if "json" in str(header.get("type")) else "document"].append(_usage(client, name))
    entries = sum(len(v) for v in kinds.values())
    # The bound's bookkeeping (expiry index and sizes), shared out over the entries.
    bookkeeping = sum(_usage(client, f"{prefix}{k}") for k in ("index", "sizes", "bytes")) / max(entries, 1)
    sessions, anonymous = [], 0
    for name in client.scan_iter(match="portal:session:*", count=1000):
        if b":by-" in name:
            continue  # a back-channel logout index: counted in the throwaway sessions' figure
        if client.type(name) != b"hash":
            continue  # a session is a hash (its data and when it was last seen); `born` is a string
        if b'"user"' in (client.hget(name, "data") or b""):
            sessions.append(_usage(client, name))
        else:
            anonymous += 1  # a page with a form (a 429 page, a sign-in on its way) keeps its CSRF token
    figures = [
        Figure(
            f"Redis memory per cached {kind}",
            (sum(sizes) / len(sizes) + bookkeeping) / 1024 if sizes else None,
            "KB",
            None,
            note=f"MEMORY USAGE, mean of {len(sizes)} entries, bookkeeping {bookkeeping:.0f} B each included",
        )
        for kind, sizes in kinds.items()
    ]
    figures.append(
        Figure(
            "Redis memory per session key after the load (index left out)",
            sum(sessions) / len(sessions) if sessions else None,
            "B",
            None,
            note=f"MEMORY USAGE, mean of {len(sessions)} signed-in sessions that saw pages (CSRF token, patient"
            f" hint); {anonymous} sessions of people not signed in besides",
        )
    )
    figures.append(
        Figure(
            "Redis memory in use after the run",
            _used_memory(client) / 1024**2,
            "MB",
            None,
            note=f"{entries} cached store answers, {int(client.get(f'{prefix}bytes') or 0) / 1024:.0f} KB of them"
            f" by the cache's own count; {client.dbsize()} keys",
        )
    )
    return figures


def run() -> list[Figure]:
    if redis_server_path() is None:
        return [Figure("two instances, one Redis", None, "", None, note="redis-server is not installed: skipped")]
    ports = [free_port(), free_port()]
    # One address for the people (the load balancer's): both instances are configured with it.
    public_url = f"http://127.0.0.1:{ports[0]}"
    with (
        demo_store(EXTRA_PEOPLE, portal_url=public_url) as (stack, people),
        RedisServer(log_dir=stack.log_dir) as redis_server,
    ):
        client = Redis.from_url(redis_server.url)
        per_session, session_note = _session_bytes(client)
        seed_store(RedisSessionStore(client, IDLE_SECONDS), people)
        with _instances(stack, public_url, ports, redis_server.url) as instances:
            a, b = instances
            store_before = _store_requests(stack.store_url)
            # The reference: every page of every person, at instance A alone, one after the other.
            visits, first = _first_visits(a, people)
            reference = a.store_gets()
            load = _load(instances, visits)
            gets = {i.name: i.store_gets() for i in instances}
            store_during = _store_requests(stack.store_url) - store_before
            worker_mb = [max(resident_mb(pid) for pid in worker_pids(i.pid)) for i in instances]
            sign_out_failures, sign_out_note = _sign_out_across(a, b, people[-SIGN_OUTS:])
            let_through, limit_note = _sign_in_limit(instances)
            one, two, tool = _throughput(instances, people[0])
            redis_figures = _redis_figures(client)
        client.close()

    split = ", ".join(f"{name}: {dict(counts)}" for name, counts in load.statuses.items())
    total_gets = sum(gets.values())
    smaller = min(sum(c.values()) for c in load.statuses.values()) / max(load.asked, 1)
    return [
        Figure(
            "two instances, one Redis: page views not answered 200",
            load.not_200,
            "",
            0,
            note=f"{load.asked} views of {len(visits)} (person, page) pairs, {len(people)} people, random instance,"
            f" {THREADS} connections, {load.seconds:.0f} s; {split}; first visits at A alone: {dict(first)}"
            " (the pairs not answered 200 there are left out)",
        ),
        Figure(
            "share of the load answered by the less used instance",
            smaller,
            "",
            0.4,
            direction="min",
            note=f"{load.answered_200 / load.seconds:.0f} views/s in all; {load.not_200} of {load.asked} not 200",
            failed_requests=load.not_200,
        ),
        Figure(
            "store GETs of the whole run / those of every person's first visit at one instance",
            total_gets / reference if reference else None,
            "",
            1.1,
            note=f"{total_gets} GETs ({', '.join(f'{k} {v}' for k, v in gets.items())}) against {reference}"
            f" for the first visits at A ({reference / len(people):.1f} a person); per-process caches"
            f" would make about 2; the store counted {store_during} requests, access log POSTs included;"
            f" cache TTL {CACHE_TTL} s; {load.not_200} of the load's {load.asked} views not answered 200",
            failed_requests=load.not_200,
        ),
        Figure(
            "sessions still served at B after a sign-out at A",
            sign_out_failures,
            "",
            0,
            note=sign_out_note,
        ),
        Figure(
            f"sign-in requests let through by both instances (limit {SIGN_IN_LIMIT} per minute)",
            let_through,
            "",
            SIGN_IN_LIMIT,
            note=limit_note,
        ),
        Figure(
            "warm overview throughput, two instances / one",
            two / one,
            "",
            None,
            note=f"one: {one:.0f} req/s, two: {two:.0f} req/s; gunicorn gthread {WORKERS}×{WORKER_THREADS} each,"
            f" {tool}, {THROUGHPUT_SECONDS} s; the load generator shares the machine's CPUs",
        ),
        Figure("Redis memory per signed-in session", per_session, "B", None, note=session_note),
        *redis_figures,
        Figure(
            "resident memory per worker of the two instances after the load (largest)",
            max(worker_mb),
            "MB",
            None,
            note=", ".join(f"{i.name} {mb:.0f} MB" for i, mb in zip(instances, worker_mb, strict=True))
            + f"; {load.not_200} of the load's {load.asked} views not answered 200",
            failed_requests=load.not_200,
        ),
    ]
