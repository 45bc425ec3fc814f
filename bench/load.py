"""Loopback load: wrk (Debian) when installed, else a small threaded Python client; bounded in time and count.

Both figures of a ratio are measured with the same generator, so its own cost weighs on both alike.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

WRK = shutil.which("wrk")


def requests_per_second(url: str, *, cookie: str = "", seconds: int = 10, connections: int = 8) -> tuple[float, str]:
    """Throughput of GET `url` (each answer must be 200), and the generator's name."""
    if WRK:
        command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
        if cookie:
            command[1:1] = ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
        if "Non-2xx or 3xx responses" in output:
            raise RuntimeError(f"some answers to {url} were errors:\n{output}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if match is None:
            raise RuntimeError(f"wrk printed no rate:\n{output}")
        return float(match.group(1)), "wrk"
    done, _ = run_requests(url, [cookie], total=10**9, threads=connections, seconds=seconds)
    return done / seconds, "python client"


def run_requests(
    url: str, cookies: Sequence[str], *, total: int, threads: int = 4, seconds: float = 300, strict: bool = True
) -> tuple[int, int]:
    """GET `url` `total` times (at most `seconds`), cycling through `cookies`: how many answered 200, and how many
    did not (`strict`: any of those is an error)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "failed": 0}
    deadline = time.monotonic() + seconds

    def work() -> None:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    n = state["next"]
                    if n >= total:
                        return
                    state["next"] = n + 1
                headers = {"Cookie": cookies[n % len(cookies)]} if cookies[n % len(cookies)] else {}
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
                with lock:
                    state["ok" if answer.status == 200 else "failed"] += 1
        finally:
            connection.close()

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 60)
    if strict and state["failed"]:
        raise RuntimeError(f"{state['failed']} requests to {url} did not answer 200")
    return state["ok"], state["failed"]
