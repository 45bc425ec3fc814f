"""Loopback load: wrk (Debian) when installed, else a small threaded Python client; bounded in time and count.

Both figures of a ratio are measured with the same generator, so its own cost weighs on both alike. Every answer
other than 200 is counted, whatever the generator: an error, a redirect (a session that was not signed in after
all), no answer (a reset connection, a timeout), and, for a bounded count, a request never sent within the time
limit. A figure built on a load carries that count (`Figure.not_200`), and any of them fails it.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK = shutil.which("wrk")
#: What Chromium says it accepts: every load asks as a browser does, so pages are compressed as for people (the
#: compression is part of what a page costs).
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
#: A request of a bounded load that the time limit left unsent.
NOT_SENT = "not sent in time"

#: wrk counts only answers of 400 and over as errors: this script counts every status but 200 (3xx included), and
#: prints them with the socket errors (no answer) once the run is over.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_200 = 0 end
function response(status, headers, body)
  if status ~= 200 then not_200 = not_200 + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("not_200") end
  local e = summary.errors
  io.write(string.format("answered: %d\\n", summary.requests))
  io.write(string.format("not 200: %d\\n", n))
  io.write(string.format("no answer: %d\\n", e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Answers:
    """What a load got back: how many it meant to send (None: as many as the time allowed), each status (or
    exception name, or NOT_SENT) counted, and how long it took."""

    wanted: int | None
    statuses: Counter[str]
    seconds: float

    @property
    def ok(self) -> int:
        return self.statuses["200"]

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def not_200(self) -> int:
        return self.total - self.ok

    def note(self) -> str:
        """ "10000 of 10000 answered 200", or what the others got: the figure's note says it either way."""
        said = f"{self.ok} of {self.total} answered 200"
        others = ", ".join(f"{status} ×{n}" for status, n in self.statuses.most_common() if status != "200")
        return f"{said} ({others})" if others else said


@dataclass(frozen=True)
class Rate:
    per_second: float
    tool: str
    answers: Answers


def get_many(url: str, cookies: Sequence[str], *, total: int | None, threads: int = 4, seconds: float = 300) -> Answers:
    """GET `url` `total` times (None: until `seconds` are over; else at most `seconds`), cycling through `cookies`,
    over `threads` keep-alive connections; every answer's status counted."""
    parts = urlsplit(url)
    path = parts.path or "/"
    lock = threading.Lock()
    state = {"next": 0}
    statuses: Counter[str] = Counter()
    started = time.monotonic()
    deadline = started + seconds
    jar = list(cookies) or [""]

    def work() -> None:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    n = state["next"]
                    if total is not None and n >= total:
                        return
                    state["next"] = n + 1
                cookie = jar[n % len(jar)]
                try:
                    headers = {"Accept-Encoding": ACCEPT_ENCODING, **({"Cookie": cookie} if cookie else {})}
                    connection.request("GET", path, headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                    status = str(answer.status)
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                    connection.close()  # reconnects on the next request
                with lock:
                    statuses[status] += 1
        finally:
            connection.close()

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 60)
    with lock:
        if total is not None and sum(statuses.values()) < total:
            statuses[NOT_SENT] += total - sum(statuses.values())
        return Answers(total, Counter(statuses), time.monotonic() - started)


def measure_rate(url: str, *, cookie: str = "", seconds: int = 10, connections: int = 8) -> Rate:
    """Throughput of GET `url` for `seconds`, with every answer that was not 200 counted."""
    if WRK:
        with tempfile.TemporaryDirectory(prefix="pps-wrk-") as folder:
            script = Path(folder) / "count.lua"
            script.write_text(WRK_SCRIPT, encoding="utf-8")
            command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
            command += ["-s", str(script), url]
            if cookie:
                command[1:1] = ["-H", f"Cookie: {cookie}"]
            output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
        rate, answers = _wrk_rate(output)
        return Rate(rate, "wrk", answers)
    answers = get_many(url, [cookie], total=None, threads=connections, seconds=seconds)
    return Rate(answers.ok / seconds, "python client", answers)


def _wrk_rate(output: str) -> tuple[float, Answers]:
    """The rate of 200 answers, and what the answers were, from wrk's output with WRK_SCRIPT."""
    found = {
        key: re.search(rf"^\s*{key}:\s+([\d.]+)", output, re.MULTILINE)
        for key in ("Requests/sec", "answered", "not 200", "no answer")
    }
    missing = [key for key, match in found.items() if match is None]
    if missing:
        raise RuntimeError(f"wrk printed no {', '.join(missing)}:\n{output}")
    rate, answered, not_200, no_answer = (float(m.group(1)) for m in found.values() if m is not None)
    statuses = Counter({"200": int(answered - not_200), "not 200": int(not_200), "no answer": int(no_answer)})
    statuses = +statuses  # drop the zero counts
    ok_share = (answered - not_200) / answered if answered else 0.0
    seconds = answered / rate if rate else 0.0
    return rate * ok_share, Answers(None, statuses, seconds)


def all_200_rate(url: str, *, cookie: str = "", seconds: int = 10, connections: int = 8) -> Rate:
    """`measure_rate`, raising when any answer was not 200 (so the benchmark stops and fails the run)."""
    rate = measure_rate(url, cookie=cookie, seconds=seconds, connections=connections)
    if rate.answers.not_200:
        raise RuntimeError(f"{url}: {rate.answers.note()}")
    return rate


def requests_per_second(url: str, *, cookie: str = "", seconds: int = 10, connections: int = 8) -> tuple[float, str]:
    """Throughput of GET `url` and the generator's name; raises when any answer was not 200 (`all_200_rate`)."""
    rate = all_200_rate(url, cookie=cookie, seconds=seconds, connections=connections)
    return rate.per_second, rate.tool


def run_requests(
    url: str, cookies: Sequence[str], *, total: int, threads: int = 4, seconds: float = 300, strict: bool = True
) -> tuple[int, int]:
    """How many of `total` GETs of `url` answered 200, and how many did not (`get_many`); `strict`: any of those
    raises. Kept for bench/memory.py, whose `strict=False` lets a budgeted figure stand on failed requests: use
    `get_many` and put `Answers.not_200` in the figure instead."""
    answers = get_many(url, cookies, total=total, threads=threads, seconds=seconds)
    if strict and answers.not_200:
        raise RuntimeError(f"{url}: {answers.note()}")
    return answers.ok, answers.not_200
