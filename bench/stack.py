"""What the benchmarks run against: the demo store (and providers) and the portal, on loopback only.

`portal_server` starts the portal under gunicorn — the production server — with signed-in sessions seeded by
`bench.wsgi` (the benchmarks measure pages, not the identity provider), and stops every process it started by
its PID; `gunicorn` starts one such server with given settings (`bench.scaleout` starts two, sharing a Redis).
`in_process_app` gives the same app in this process, for figures that look inside it (round trips).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "demo"))

# Re-exported (`X as X`) for the other benchmarks: bench.scaleout, bench.regions, bench.roundtrips, bench.profile.
from redis_server import RedisServer as RedisServer  # noqa: E402
from redis_server import redis_server_path as redis_server_path  # noqa: E402
from stack import REGION_LABELS as REGION_LABELS  # noqa: E402
from stack import DemoStack as DemoStack  # noqa: E402
from stack import free_port as free_port  # noqa: E402
from stack import region_setting as region_setting  # noqa: E402

from bench.population import Person, seed_sessions, write_seed  # noqa: E402
from portal import create_app  # noqa: E402

SECRET = "bench-secret-key-0123456789-abcdef-not-for-production"  # noqa: S105
COOKIE = "portal-session"  # the cookie's name over plain http (dev_insecure_http)
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    stack: DemoStack
    people: list[Person]

    def store_requests(self) -> int:
        """How many requests the demo store has answered so far (its own counter, this call excluded)."""
        return int(self._store_stats()["requests"]) - 1

    def store_reads(self) -> int:
        """How many GETs (what a page waits for) the demo store has answered so far, this call excluded."""
        return int(self._store_stats()["reads"]) - 1

    def _store_stats(self) -> dict[str, Any]:
        base = self.stack.store_url.removesuffix("/fhir")
        with urllib.request.urlopen(f"{base}/_demo/stats", timeout=5) as answer:  # noqa: S310 (loopback)
            stats: dict[str, Any] = json.load(answer)
        return stats


def portal_environment(stack: DemoStack, url: str, **extra: str) -> dict[str, str]:
    return {
        **stack.portal_environment(),
        "PORTAL_PUBLIC_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_DEV_INSECURE_HTTP": "true",
        "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:demo:patient-idp-sub",
        "PORTAL_SESSION_IDLE_MINUTES": "240",
        **extra,
    }


@contextlib.contextmanager
def demo_store(
    people: int = 0, *, latency_ms: int = 0, portal_url: str = ""
) -> Iterator[tuple[DemoStack, list[Person]]]:
    """The demo stack seeded with the synthetic data set and `people` more synthetic patients."""
    folder = Path(tempfile.mkdtemp(prefix="pps-bench-"))
    seed, persons = write_seed(folder / "seed.json", people)
    url = portal_url or f"http://127.0.0.1:{free_port()}"
    with DemoStack(portal_url=url, seed=seed, store_latency_ms=latency_ms, log_dir=folder / "logs") as stack:
        yield stack, persons


@contextlib.contextmanager
def portal_server(
    people: int = 0, *, workers: int = 2, threads: int = 4, latency_ms: int = 0, **settings: str
) -> Iterator[Server]:
    """The portal under gunicorn (gthread) on 127.0.0.1, every session in `people` signed in already."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with demo_store(people, latency_ms=latency_ms, portal_url=url) as (stack, persons):
        sessions = Path(tempfile.mkdtemp(prefix="pps-bench-sessions-")) / "sessions.json"
        sessions.write_text(json.dumps([p.__dict__ for p in persons]), encoding="utf-8")
        env = {**portal_environment(stack, url, **settings), "BENCH_SESSIONS": str(sessions)}
        with gunicorn(port, env, stack.log_dir, workers=workers, threads=threads) as pid:
            yield Server(url, pid, stack, persons)


@contextlib.contextmanager
def gunicorn(
    port: int, env: dict[str, str], log_dir: Path | None, *, workers: int, threads: int, name: str = "gunicorn"
) -> Iterator[int]:
    """`bench.wsgi:app` under gunicorn (gthread) on 127.0.0.1:`port` with `env` added to ours, until it answers
    /healthz; yields the master's PID, and stops it (by that PID) at the end. Its log: `log_dir`/`name`.log."""
    log = (log_dir or Path(tempfile.gettempdir())) / f"{name}.log"
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
                "bench.wsgi:app",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        yield process.pid
    finally:
        _stop(process)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer within {timeout:.0f} s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # gunicorn's master stops its workers on SIGTERM; the group kill is the fallback for a stuck one.
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of a master process (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def in_process_app(stack: DemoStack, url: str, people: list[Person], **settings: str) -> Flask:
    """The portal in this process, pointed at `stack`, with `people`'s sessions seeded."""
    app = create_app(portal_environment(stack, url, **settings))
    seed_sessions(app, people)
    return app


def session_cookie(client: Any, person: Person) -> None:
    """Make a Flask test client (or anything with `set_cookie`) the browser of `person`."""
    client.set_cookie(COOKIE, person.sid, domain="127.0.0.1")
