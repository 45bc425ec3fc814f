"""Throughput of care-plan pages against the bare `/healthz` of the same app, same gunicorn configuration, one run,
alternated rounds: what the portal adds to what the framework can serve.

The budgeted figure is what people do: many people, each opening each page of their plan once (unique first
views, ≥ 300 people, their store answers already fetched, their parsed plans not all in the plan cache), so no page
comes from the per-session page cache. The warm overview reloaded by one session (answered from that cache) is
kept as information: it measures the cache, not the page.

Each round also reads the CPU time the gunicorn workers used, per request answered: the ratio of those two costs
(a /healthz against a first view) is the budgeted ratio without the share of the machine the workers happened to
get, which a busy neighbour or the load generator changes from round to round. It is information: the budget is
on throughput, as the issue set it.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.figures import Figure
from bench.load import ACCEPT_ENCODING, WRK, all_200_rate, run_requests
from bench.population import Person
from bench.stack import COOKIE, Server, cpu_seconds, portal_server, worker_pids

WORKERS, THREADS, SECONDS, ROUNDS = 2, 4, 5, 3
#: The unique first views: this many people, each plan page once, over ROUNDS rounds of FIRST_VIEW_SECONDS each.
PEOPLE, FIRST_VIEW_SECONDS = 960, 2
#: The seed of the order in which the unique first views are sent.
SEED = 19
PLAN_PAGES = ("/", "/treatments", "/calendar", "/care-team", "/support", "/illness", "/history", "/documents")
#: Pages that ask the store for everything the plan pages need: the grants and current plan, every version's file,
#: the related documents. Asked with a query the plan pages never carry, so no plan page is answered from memory.
WARMING = ("/?warm={n}", "/history?warm={n}", "/documents?warm={n}")
#: The store answers stay warm for the whole run.
STORE_CACHE_TTL = "900"
#: A first view writes its access record: the warm-up's views of the same pages, a few seconds before, must not make
#: them repeats within the coalescing window (60 s by default), which write none.
AUDIT_COALESCE_SECONDS = "1"
#: Warming goes on until a round reads the store for at most WARMED of its pages (each worker has then asked for
#: nearly everything); a round of first views may read it for at most WARM_READS of its views. At 8 %, warming
#: stopped with searches left in one worker's cache only: first views read the store for about 1.3 % of them, and a
#: slow round once for 3.3 % (refused). At 1 %, a round read it once in about 1,700 views.
WARMED, WARM_READS, WARMING_ROUNDS = 0.02, 0.03, 8

#: A round counts only when each worker did at least this share of the busiest one's CPU work. The workers share one
#: listening socket and a keep-alive connection stays with the worker that accepted it: Linux wakes the worker that
#: waited last, which then accepts every connection wrk opens at once, while the other idles. That halved a round
#: (seen in /healthz rounds, where it flattered the ratio). Such a round is run again, at most BALANCE_TRIES times
#: in all, and left out of the figure if it never was balanced (the note says how many were counted).
BALANCED, BALANCE_TRIES = 0.5, 4
#: Shares of the unique first views beyond one per round, for a first-view round run again (a second one finds no
#: views left and is left out). Each share must outlast a round: at about 500 views/s, 3 spare shares of 960
#: people's views ran out within the 2 s.
SPARE_SHARES = 1
#: Keep-alive connections of every load of this benchmark. The worker that wakes first accepts what comes in: wrk's
#: 8 connections, opened at once, often all went to one worker (the repeat round, four times running). With many
#: more, each worker gets some.
CONNECTIONS = 32

#: wrk sends each (person, page) of its file once, split between its threads; any answer but 200 is counted, and a
#: thread that ran out of unique pages says so (the figure is then refused: more people are needed).
FIRST_VIEWS_LUA = r"""
local threads, count = {}, 0
function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end
function init(args)
  queue, position, sent, bad, exhausted = {}, 1, 0, 0, 0
  local n = 0
  for line in io.lines(args[1]) do
    if n % tonumber(args[2]) == id then
      local path, cookie = line:match("^([^\t]+)\t(.*)$")
      table.insert(queue, wrk.format("GET", path, {["Cookie"] = cookie, ["Accept-Encoding"] = args[3]}))
    end
    n = n + 1
  end
end
function request()
  local next_request = queue[position]
  if next_request == nil then
    exhausted = 1
    next_request = queue[1]
  end
  position = position + 1
  sent = sent + 1
  return next_request
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local sent_all, bad_all, exhausted_any = 0, 0, 0
  for _, thread in ipairs(threads) do
    sent_all = sent_all + thread:get("sent")
    bad_all = bad_all + thread:get("bad")
    exhausted_any = math.max(exhausted_any, thread:get("exhausted"))
  end
  io.write(string.format("FIRST-VIEWS sent=%d bad=%d exhausted=%d\n", sent_all, bad_all, exhausted_any))
end
"""


def run() -> list[Figure]:
    with portal_server(
        PEOPLE,
        workers=WORKERS,
        threads=THREADS,
        PORTAL_STORE_CACHE_TTL=STORE_CACHE_TTL,
        PORTAL_AUDIT_COALESCE_SECONDS=AUDIT_COALESCE_SECONDS,
    ) as server:
        # The copied patients (the last PEOPLE): each a patient with a plan of their own, nobody to choose.
        people = server.people[-PEOPLE:]
        views = [(page, f"{COOKIE}={person.sid}") for person, page in unique_views(people)]
        _warm_store_answers(server, people)
        person = people[0]
        cookie = f"{COOKIE}={person.sid}"
        for _ in range(2 * WORKERS):  # the repeat-view figure's one session, in every worker's page cache
            request = urllib.request.Request(f"{server.url}/", headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
                answer.read()
        # Alternated, so that a neighbour busy for a while (another benchmark's servers stopping) weighs on all.
        # Every (person, page) is sent once: a round run again takes a share of its own.
        unsent = iter([views[i :: ROUNDS + SPARE_SHARES] for i in range(ROUNDS + SPARE_SHARES)])
        workers, tool = worker_pids(server.pid), ""

        def health() -> Measured:
            nonlocal tool
            measured, tool = _measured(f"{server.url}/healthz", seconds=FIRST_VIEW_SECONDS)
            return measured

        def first_views() -> Measured | None:
            share = next(unsent, None)
            if share is None:
                return None  # no views left that were never sent: no more tries
            reads = server.store_reads()
            measured = _first_views_per_second(server.url, share)
            _check_warm(server.store_reads() - reads - 1, measured.rate * FIRST_VIEW_SECONDS)
            return measured

        def repeat() -> Measured:
            return _measured(f"{server.url}/", cookie=cookie, seconds=SECONDS)[0]

        rounds = [
            (_balanced(workers, health), _balanced(workers, first_views), _balanced(workers, repeat))
            for _ in range(ROUNDS)
        ]
    healths, firsts, repeats = ([m for m in (r[i] for r in rounds) if m is not None] for i in range(3))
    if not (healths and firsts and repeats):
        raise RuntimeError(f"one gunicorn worker idled in every try of every round: {rounds}")
    health_rate, first_rate, repeat_rate = (_mean([m.rate for m in kept]) for kept in (healths, firsts, repeats))
    health_cpu, first_cpu = (_mean([m.cpu_ms for m in kept]) for kept in (healths, firsts))
    counted = f"{len(healths)}, {len(firsts)} and {len(repeats)} of {ROUNDS} rounds balanced"
    config = f"gunicorn gthread {WORKERS}×{THREADS}, {tool}, {ROUNDS} alternated rounds ({counted})"
    first_ratios = ", ".join(f"{f.rate / h.rate:.2f}" for h, f, _ in rounds if h is not None and f is not None)
    repeat_ratios = ", ".join(f"{r.rate / h.rate:.2f}" for h, _, r in rounds if h is not None and r is not None)
    cpu_ratios = ", ".join(f"{h.cpu_ms / f.cpu_ms:.2f}" for h, f, _ in rounds if h is not None and f is not None)
    return [
        Figure(
            "unique first views / bare /healthz throughput",
            first_rate / health_rate,
            "",
            0.25,
            direction="min",
            note=f"{len(people)} people × {len(PLAN_PAGES)} plan pages, each once, store answers warm; {config} of "
            f"{FIRST_VIEW_SECONDS} s (ratios {first_ratios})",
        ),
        Figure("unique first views throughput", first_rate, "views/s", None),
        Figure("bare /healthz throughput", health_rate, "req/s", None),
        Figure(
            "gunicorn workers' CPU per /healthz / per unique first view",
            health_cpu / first_cpu,
            "",
            None,
            note=f"the budgeted ratio without the share of the machine each round got (ratios {cpu_ratios})",
        ),
        Figure(
            "gunicorn workers' CPU per unique first view",
            first_cpu,
            "ms",
            None,
            note="both workers' CPU time (user and system) over the views answered, every thread, mean of the rounds",
        ),
        Figure("gunicorn workers' CPU per /healthz", health_cpu, "ms", None, note="counted as for first views"),
        Figure(
            "one session's overview reloaded (page cache) / bare /healthz throughput",
            repeat_rate / health_rate,
            "",
            None,
            note=f"{config} of {SECONDS} s (ratios {repeat_ratios})",
        ),
        Figure("one session's overview reloaded throughput", repeat_rate, "req/s", None),
    ]


@dataclass(frozen=True)
class Measured:
    """One load: its rate of 200 answers, how many requests were answered, and (once `_balanced` read it) the
    workers' CPU time per answered request."""

    rate: float
    answered: int
    cpu_ms: float = 0.0


def _measured(url: str, *, seconds: int, cookie: str = "") -> tuple[Measured, str]:
    """GET `url` for `seconds`; raises when any answer was not 200."""
    rate = all_200_rate(url, cookie=cookie, seconds=seconds, connections=CONNECTIONS)
    return Measured(rate.per_second, rate.answers.total), rate.tool


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _balanced(workers: list[int], measure: Callable[[], Measured | None]) -> Measured | None:
    """`measure()` once both workers shared its work (`BALANCED`), run again when one idled; None when it never
    was balanced in BALANCE_TRIES tries (or `measure` has nothing left to send). The result holds the workers'
    CPU per answered request."""
    for _ in range(BALANCE_TRIES):
        before = [cpu_seconds(pid) for pid in workers]
        result = measure()
        if result is None:
            return None
        used = [cpu_seconds(pid) - start for pid, start in zip(workers, before, strict=True)]
        if result.answered <= 0:
            raise RuntimeError(f"a round answered no request: {result}")
        if min(used) >= BALANCED * max(used):
            return Measured(result.rate, result.answered, 1000 * sum(used) / result.answered)
        print(f"bench throughput: a round run again, one worker idled (CPU s: {used})", file=sys.stderr)
    return None


def unique_views(
    people: Sequence[Person], pages: Sequence[str] = PLAN_PAGES, seed: int = SEED
) -> list[tuple[Person, str]]:
    """Every (person, page) once, in an order that mixes people and pages (seeded: the same every run). The
    profile (`bench.profile`) sends its views in the same order."""
    views = [(person, page) for person in people for page in pages]
    random.Random(seed).shuffle(views)
    return views


def _warm_store_answers(server: Server, people: list[Person]) -> None:
    """Ask each worker's store client for everything the plan pages need. Requests land on either worker, so
    rounds go on until one reads the store for few of its pages: each worker has then asked for nearly everything
    (the first views check it). Every answer must be 200."""
    cookies = [f"{COOKIE}={person.sid}" for person in people]
    for n in range(1, WARMING_ROUNDS + 1):
        reads = server.store_reads()
        for path in WARMING:
            run_requests(f"{server.url}{path.format(n=n)}", cookies, total=len(cookies), threads=THREADS * WORKERS)
        if server.store_reads() - reads - 1 <= WARMED * len(cookies) * len(WARMING):
            return
    raise RuntimeError(f"the store answers were still being fetched after {WARMING_ROUNDS} warming rounds")


def _check_warm(reads: int, views: float) -> None:
    """The figure is of pages whose store answers are warm: refuse a round in which the store was read often."""
    if reads > WARM_READS * views:
        raise RuntimeError(f"{reads} store reads for about {views:.0f} first views: the store answers were not warm")


def _first_views_per_second(url: str, views: list[tuple[str, str]]) -> Measured:
    """Unique first views per second over FIRST_VIEW_SECONDS, and how many were answered, sent by wrk (Debian's
    `wrk`: `make test-deps`)."""
    if WRK is None:
        raise RuntimeError("the unique first views are sent by wrk, which is not installed (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="pps-bench-views-"))
    script, listing = folder / "views.lua", folder / "views.tsv"
    script.write_text(FIRST_VIEWS_LUA, encoding="utf-8")
    listing.write_text("".join(f"{page}\t{cookie}\n" for page, cookie in views), encoding="utf-8")
    threads = 2
    command = [
        WRK,
        f"-t{threads}",
        f"-c{CONNECTIONS}",
        f"-d{FIRST_VIEW_SECONDS}s",
        "-s",
        str(script),
        url,
        "--",
        str(listing),
    ]
    command += [str(threads), ACCEPT_ENCODING]
    output = subprocess.run(command, capture_output=True, text=True, timeout=FIRST_VIEW_SECONDS + 60, check=True)
    return _read_wrk(output.stdout)


def _read_wrk(output: str) -> Measured:
    counts = re.search(r"FIRST-VIEWS sent=(\d+) bad=(\d+) exhausted=(\d+)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    answered = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if counts is None or rate is None or answered is None:
        raise RuntimeError(f"wrk printed no count or rate:\n{output}")
    sent, bad, exhausted = (int(counts.group(i)) for i in (1, 2, 3))
    if bad:
        raise RuntimeError(f"{bad} of {sent} first views did not answer 200:\n{output}")
    if exhausted:
        raise RuntimeError(f"the {sent} unique first views ran out before the round ended: more people are needed")
    return Measured(float(rate.group(1)), int(answered.group(1)))
