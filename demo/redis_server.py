"""Starts and stops one throwaway Redis on loopback: what several portal instances share (`PORTAL_REDIS_URL`).

Beside `stack.py` (the providers and the store): the benchmarks of several instances (`bench.scaleout`) and the
integration test of scaling out start one with it. Nothing is written to disk (`--save '' --appendonly no`), the
port is a free one on 127.0.0.1, and `stop()` ends exactly the process it started, by its PID. Standard library
only, like `stack.py`; the server itself is Debian's `redis-server` (`make bench` and `make test` install it).

    with RedisServer() as redis:
        redis.url  # redis://127.0.0.1:{port}/0
"""

from __future__ import annotations

import atexit
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from stack import LOOPBACK, free_port

EXECUTABLE = "redis-server"
STOP_GRACE_SECONDS = 5.0


def redis_server_path() -> str | None:
    """Where `redis-server` is, or None when it is not installed."""
    return shutil.which(EXECUTABLE)


def _answers_ping(port: int, timeout: float = 1.0) -> bool:
    # RESP inline command: enough to know the server takes commands, without a client library.
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """One `redis-server` on 127.0.0.1 (port 0 = a free one, chosen at start), without persistence."""

    port: int = 0
    log_dir: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("the port is chosen at start(): call start() first")
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("this RedisServer is not started")
        return self._process.pid

    def start(self, timeout: float = 15) -> None:
        """Start the server and wait until it answers PING; on failure stop it and raise RuntimeError."""
        if self._process is not None:
            raise RuntimeError("this RedisServer is already started")
        executable = redis_server_path()
        if executable is None:
            raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.port = self.port or free_port()
        if self.log_dir is None:
            self.log_dir = Path(tempfile.mkdtemp(prefix="pps-redis-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / "redis.log"
        self._log = log_path.open("ab")
        command = [
            executable,
            "--bind",
            LOOPBACK,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            # Its working folder: nothing is written there, but a stray BGSAVE must not land in the project.
            "--dir",
            str(self.log_dir),
            "--daemonize",
            "no",
        ]
        # Own session: a Ctrl-C in the terminal does not reach it before us, and stop() ends it.
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            code = self._process.poll()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                reason = f"exited with status {code}" if code is not None else f"not ready after {timeout:.0f} s"
                raise RuntimeError(f"redis-server {reason}; see {log_path}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM to the server this object started (SIGKILL after a grace period). Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            atexit.unregister(self.stop)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
