"""Resident memory per gunicorn worker after 10,000 overview requests spread over 1,000 synthetic patients, then 50
PDFs of 50 patients' plans (budget: ≤ 150 MB after both): every cache of the portal filled, and bounded; the PDFs'
time (p50, p95, as a person waits for them), and the memory of the processes that make them (portal.exports.pdf_pool,
children of each worker), for sizing. Every answer must be 200."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.figures import Figure
from bench.load import run_requests
from bench.stack import COOKIE, portal_server, resident_mb, worker_pids

PATIENTS, REQUESTS, WORKERS, THREADS = 1_000, 10_000, 2, 4
PDFS = 50
CLIENTS = 2
# A safety bound only: with the demo store's search index (demo/store.mjs) the 10,000 requests take about 90 s
# on 2 cores; a run cut short fails (strict), since it would flatter the figure.
TIME_LIMIT_SECONDS = 300
PDF_PATH = "/documents/plan.pdf"
#: The extra patients are copies of the data set's few, sharing its files: their plans' PDFs are the same bytes, which
#: the web worker's cache would answer. The PDFs are measured uncached (each one made), and the budgeted figure adds
#: the most the cache may hold, at its default size.
PDF_CACHE_MB = 8


def run() -> list[Figure]:
    # A TTL longer than the run: every answer stays cached, the worst case for memory (the bound must hold).
    with portal_server(
        PATIENTS, workers=WORKERS, threads=THREADS, PORTAL_STORE_CACHE_TTL="3600", PORTAL_PDF_CACHE_BYTES="0"
    ) as server:
        before = max(resident_mb(pid) for pid in worker_pids(server.pid))
        # The extra patients come last: cycle through them so that each is asked for ten times, spread out.
        people = server.people[-PATIENTS:]
        cookies = [f"{COOKIE}={p.sid}" for p in people]
        done, _ = run_requests(
            f"{server.url}/", cookies, total=REQUESTS, threads=CLIENTS, seconds=TIME_LIMIT_SECONDS, strict=True
        )
        if done < REQUESTS:
            raise RuntimeError(f"only {done} of {REQUESTS} requests answered within {TIME_LIMIT_SECONDS} s")
        after = [resident_mb(pid) for pid in worker_pids(server.pid)]
        # Then 50 PDFs of 50 patients whose documents page offers one (not every data set patient has a plan to
        # make one of): each made by a worker's PDF processes.
        seconds = timed_pdfs(server.url, with_a_plan(server.url, cookies, PDFS))
        workers = worker_pids(server.pid)
        with_pdfs = [resident_mb(pid) for pid in workers]
        pools = [children for children in (descendants(pid) for pid in workers) if children]
        pool_rss = [sum(resident_mb(c) for c in children) for children in pools]
        pool_pss = [sum(proportional_mb(c) for c in children) for children in pools]
        each = sorted((resident_mb(c) for children in pools for c in children), reverse=True)
    note = (
        f"{done} answered 200 of {REQUESTS} asked, over {len(people)} patients; {WORKERS} workers; "
        f"{before:.0f} MB before"
    )
    ms = sorted(s * 1000 for s in seconds)
    return [
        Figure("resident memory per worker after the load (largest)", max(after), "MB", 150, note=note),
        Figure(
            f"resident memory per worker after the load and {PDFS} PDFs (largest), with a full PDF cache",
            max(with_pdfs) + PDF_CACHE_MB,
            "MB",
            150,
            note=f"{max(with_pdfs):.0f} MB measured after {len(seconds)} PDFs of the plan (each answered 200), made in "
            f"the workers' PDF processes, + {PDF_CACHE_MB} MB, the most PORTAL_PDF_CACHE_BYTES keeps by default",
        ),
        Figure(
            "PDF of the plan, time as waited for (p50)",
            statistics.median(ms),
            "ms",
            None,
            note=f"{len(ms)} PDFs, {CLIENTS} at a time, 1 PDF process per worker; includes each process's start",
        ),
        Figure(
            "PDF of the plan, time as waited for (p95)", percentile(ms, 95), "ms", None, note=f"max {ms[-1]:.0f} ms"
        ),
        Figure(
            "memory of one worker's PDF processes (largest; resident)",
            max(pool_rss) if pool_rss else None,
            "MB",
            None,
            note=(
                f"proportional (shared pages split): {max(pool_pss):.0f} MB; each process: "
                + ", ".join(f"{mb:.0f}" for mb in each)
                + " MB (the forkserver and its PDF children; add them per worker to size a pod)"
                if pool_pss
                else "no PDF process found"
            ),
        ),
    ]


def with_a_plan(url: str, cookies: list[str], count: int) -> list[str]:
    """The first `count` of `cookies` whose documents page answers 200 and offers the plan's PDF."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    chosen: list[str] = []
    try:
        for cookie in cookies:
            connection.request("GET", "/documents", headers={"Cookie": cookie})
            answer = connection.getresponse()
            page = answer.read()
            if answer.status == 200 and PDF_PATH.encode() in page:
                chosen.append(cookie)
            if len(chosen) == count:
                return chosen
    finally:
        connection.close()
    raise RuntimeError(f"only {len(chosen)} patients have a plan to make a PDF of")


def timed_pdfs(url: str, cookies: list[str]) -> list[float]:
    """GET the plan's PDF once per cookie, `CLIENTS` at a time: each one's seconds (every answer must be 200)."""
    parts = urlsplit(url)
    lock = threading.Lock()
    pending = list(cookies)
    seconds: list[float] = []
    failed: list[int] = []

    def work() -> None:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    cookie = pending.pop()
                started = time.perf_counter()
                connection.request("GET", PDF_PATH, headers={"Cookie": cookie})
                answer = connection.getresponse()
                body = answer.read()
                took = time.perf_counter() - started
                with lock:
                    if answer.status == 200 and body.startswith(b"%PDF-"):
                        seconds.append(took)
                    else:
                        failed.append(answer.status)
        finally:
            connection.close()

    clients = [threading.Thread(target=work, daemon=True) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(TIME_LIMIT_SECONDS)
    if failed or len(seconds) != len(cookies):
        raise RuntimeError(f"{len(failed)} PDFs did not answer 200 ({sorted(set(failed))}); {len(seconds)} did")
    return seconds


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted `values`."""
    rank = max(1, round(p / 100 * len(values) + 0.4999))
    return values[min(rank, len(values)) - 1]


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (Linux /proc): a worker's forkserver and the PDF processes forked from it."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def proportional_mb(pid: int) -> float:
    """Proportional set size: each page shared with n processes counts 1/n (forked children share the server's)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")
