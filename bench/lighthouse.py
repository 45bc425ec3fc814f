"""Lighthouse 12.2.3 mobile scores of the care-plan overview (budgets: performance ≥ 0.95, accessibility 1.0),
in Debian Chromium, against the portal under gunicorn on loopback.

Lighthouse comes from npm into bench/node_modules (`make bench` runs `npm ci` in bench/); it is started with
`node` so that the process stopped is Lighthouse itself. The signed-in session travels as an extra header.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.figures import Figure
from bench.stack import COOKIE, portal_server

BENCH = Path(__file__).resolve().parent
CLI = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
TIMEOUT_SECONDS = 240


def run() -> list[Figure]:
    names = ("Lighthouse mobile performance (overview)", "Lighthouse mobile accessibility (overview)")
    missing = None if CLI.exists() else "bench/node_modules has no lighthouse (run `make bench`)"
    if not CHROMIUM.exists() or shutil.which("node") is None:
        missing = "Debian chromium or node is missing"
    if missing:
        return [Figure(n, None, "", b, "min", note=missing) for n, b in zip(names, (0.95, 1.0), strict=True)]
    with portal_server(workers=2, threads=4) as server:
        person = server.people[0]
        out = Path(tempfile.mkdtemp(prefix="pps-lighthouse-")) / "overview.json"
        command = [
            "node",
            str(CLI),
            f"{server.url}/",
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--extra-headers={json.dumps({'Cookie': f'{COOKIE}={person.sid}'})}",
        ]
        env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
        subprocess.run(command, env=env, check=True, timeout=TIMEOUT_SECONDS, capture_output=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = [report["categories"][c]["score"] for c in ("performance", "accessibility")]
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
    return [
        Figure(names[0], scores[0], "", 0.95, "min", note=metrics),
        Figure(names[1], scores[1], "", 1.0, "min", note=f"report: {out}"),
    ]
