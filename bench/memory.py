"""Resident memory per gunicorn worker after 10,000 overview requests spread over 1,000 synthetic patients
(budget: ≤ 150 MB): every cache of the portal filled, and bounded."""

from __future__ import annotations

from bench.figures import Figure
from bench.load import run_requests
from bench.stack import COOKIE, portal_server, resident_mb, worker_pids

PATIENTS, REQUESTS, WORKERS, THREADS = 1_000, 10_000, 2, 4
PDFS = 20
CLIENTS = 2
# A safety bound only: with the demo store's search index (demo/store.mjs) the 10,000 requests take about 90 s
# on 2 cores; the figure says how many answered, so a run cut short shows as such.
TIME_LIMIT_SECONDS = 300


def run() -> list[Figure]:
    # A TTL longer than the run: every answer stays cached, the worst case for memory (the bound must hold).
    with portal_server(PATIENTS, workers=WORKERS, threads=THREADS, PORTAL_STORE_CACHE_TTL="3600") as server:
        before = max(resident_mb(pid) for pid in worker_pids(server.pid))
        # The extra patients come last: cycle through them so that each is asked for ten times, spread out.
        people = server.people[-PATIENTS:]
        cookies = [f"{COOKIE}={p.sid}" for p in people]
        done, failed = run_requests(
            f"{server.url}/", cookies, total=REQUESTS, threads=CLIENTS, seconds=TIME_LIMIT_SECONDS, strict=False
        )
        after = [resident_mb(pid) for pid in worker_pids(server.pid)]
        # Then a few PDFs: WeasyPrint is loaded on a worker's first one and keeps its fonts and layout caches.
        made, _ = run_requests(
            f"{server.url}/documents/plan.pdf", cookies[:PDFS], total=PDFS, threads=CLIENTS, strict=False
        )  # (a plan that exists only as a PDF has no PDF of ours: not counted)
        with_pdfs = [resident_mb(pid) for pid in worker_pids(server.pid)]
    note = (
        f"{done} answered 200 and {failed} did not, of {REQUESTS} asked within {TIME_LIMIT_SECONDS} s,"
        f" over {len(people)} patients; {WORKERS} workers; {before:.0f} MB before"
    )
    return [
        Figure("resident memory per worker after the load (largest)", max(after), "MB", 150, note=note),
        Figure(
            "resident memory per worker after the load and some PDFs (largest)",
            max(with_pdfs),
            "MB",
            None,
            note=f"{made} PDFs of the plan made after the load; size pods for it where PDFs are asked for",
        ),
    ]
