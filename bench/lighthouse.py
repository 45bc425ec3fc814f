"""Lighthouse 12.2.3 mobile scores of every page of the care plan (budgets: performance ≥ 0.95, accessibility 1.0
on each), in Debian Chromium, against the portal under gunicorn on loopback. A page that Lighthouse did not reach
as asked (redirected, an error) stops the benchmark instead of being scored.

Lighthouse comes from npm into bench/node_modules (`make bench` runs `npm ci` in bench/); it is started with
`node` so that the process stopped is Lighthouse itself. The signed-in session travels as an extra header.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.figures import Figure
from bench.stack import COOKIE, portal_server

BENCH = Path(__file__).resolve().parent
CLI = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
TIMEOUT_SECONDS = 240
#: What Lighthouse says when its trace of the page load went wrong (NO_NAVSTART, NO_FCP on a busy machine): it
#: asks to be run again, and it is, once. Any other failure, or this one twice, stops the benchmark.
RUN_AGAIN = "Please run Lighthouse again"
ATTEMPTS = 2


#: Every page of the plan, as a patient reads it (bench/throughput.py measures the same pages).
PLAN_PAGES = (
    ("overview", "/"),
    ("treatments", "/treatments"),
    ("calendar", "/calendar"),
    ("care team", "/care-team"),
    ("support", "/support"),
    ("illness", "/illness"),
    ("versions", "/history"),
    ("documents", "/documents"),
)
BUDGETS = (("performance", 0.95), ("accessibility", 1.0))


def run() -> list[Figure]:
    names = [(f"Lighthouse mobile {kind} ({page})", budget) for page, _ in PLAN_PAGES for kind, budget in BUDGETS]
    missing = None if CLI.exists() else "bench/node_modules has no lighthouse (run `make bench`)"
    if not CHROMIUM.exists() or shutil.which("node") is None:
        missing = "Debian chromium or node is missing"
    if missing:
        return [Figure(name, None, "", budget, "min", note=missing) for name, budget in names]
    figures: list[Figure] = []
    with portal_server(workers=2, threads=4) as server:
        person = server.people[-1]  # a copied patient: their own plan, nobody to choose
        folder = Path(tempfile.mkdtemp(prefix="pps-lighthouse-"))
        for page, path in PLAN_PAGES:
            out = folder / f"{page.replace(' ', '-')}.json"
            figures += _figures(page, _lighthouse(f"{server.url}{path}", f"{COOKIE}={person.sid}", out), out)
    return figures


def _lighthouse(url: str, cookie: str, out: Path) -> dict[str, Any]:
    command = [
        "node",
        str(CLI),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    for attempt in range(1, ATTEMPTS + 1):
        done = subprocess.run(command, env=env, timeout=TIMEOUT_SECONDS, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            break
        said = done.stderr.strip()[-600:]
        if RUN_AGAIN not in said or attempt == ATTEMPTS:
            raise RuntimeError(f"Lighthouse failed on {url} ({done.returncode}): {said}")
        print(f"bench lighthouse: {url} measured again, as Lighthouse asked: {said}", file=sys.stderr)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    status = report.get("audits", {}).get("http-status-code", {}).get("score")
    if report.get("finalDisplayedUrl", url).rstrip("/") != url.rstrip("/") or status == 0:
        raise RuntimeError(f"Lighthouse did not measure {url}: it ended at {report.get('finalDisplayedUrl')}")
    return report


def _figures(page: str, report: dict[str, Any], out: Path) -> list[Figure]:
    audits = report["audits"]
    metrics = ", ".join(
        f"{k} {audits[k]['displayValue']}"
        for k in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
        )
    )
    notes = {"performance": metrics, "accessibility": f"report: {out}"}
    return [
        Figure(
            f"Lighthouse mobile {category} ({page})",
            report["categories"][category]["score"],
            "",
            budget,
            "min",
            note=notes[category],
        )
        for category, budget in BUDGETS
    ]
