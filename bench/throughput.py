"""Throughput of a warm care-plan overview against the bare `/healthz` of the same app, same gunicorn
configuration, one run (budget: ratio ≥ 0.5): what the portal adds to what the framework can serve."""

from __future__ import annotations

import urllib.request

from bench.figures import Figure
from bench.load import requests_per_second
from bench.stack import COOKIE, portal_server

WORKERS, THREADS, SECONDS, ROUNDS = 2, 4, 5, 3


def run() -> list[Figure]:
    with portal_server(workers=WORKERS, threads=THREADS) as server:
        person = server.people[0]
        cookie = f"{COOKIE}={person.sid}"
        for _ in range(2 * WORKERS):  # warm every worker's caches
            request = urllib.request.Request(f"{server.url}/", headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
                answer.read()
        # Alternated, so that a neighbour busy for a while (another benchmark's servers stopping) weighs on both.
        healths, pages, tool = [], [], ""
        for _ in range(ROUNDS):
            health, tool = requests_per_second(f"{server.url}/healthz", seconds=SECONDS)
            page, _ = requests_per_second(f"{server.url}/", cookie=cookie, seconds=SECONDS)
            healths.append(health)
            pages.append(page)
    health, page = sum(healths) / ROUNDS, sum(pages) / ROUNDS
    rounds = ", ".join(f"{p / h:.2f}" for h, p in zip(healths, pages, strict=True))
    config = f"gunicorn gthread {WORKERS}×{THREADS}, {tool}, {ROUNDS} rounds of {SECONDS} s each (ratios {rounds})"
    return [
        Figure("warm overview / bare /healthz throughput", page / health, "", 0.5, direction="min", note=config),
        Figure("bare /healthz throughput", health, "req/s", None),
        Figure("warm overview throughput", page, "req/s", None),
    ]
