"""Starts and stops throwaway Redis servers on loopback: what several portal instances share (`PORTAL_REDIS_URL`).

Beside `stack.py` (the providers and the store): the benchmarks of several instances (`bench.scaleout`), the
integration test of scaling out and the fault suite (`bench.faults`) start them. Nothing is written to disk
(`--save '' --appendonly no`), ports are free ones on 127.0.0.1, and `stop()` ends exactly the process it started,
by its PID. For the faults: `pause()`/`resume()` (SIGSTOP/SIGCONT), `kill()` (SIGKILL) and `start()` again on the
same port; a `replica_of` server; and `RedisSentinel`, one Redis Sentinel watching a primary (Debian's
`redis-sentinel`). Standard library only, like `stack.py` (`make bench` and `make test` install the servers).

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
SENTINEL_EXECUTABLE = "redis-sentinel"
STOP_GRACE_SECONDS = 5.0


def redis_server_path() -> str | None:
    """Where `redis-server` is, or None when it is not installed."""
    return shutil.which(EXECUTABLE)


def redis_sentinel_path() -> str | None:
    """Where `redis-sentinel` is, or None when it is not installed (Debian: apt-get install redis-sentinel)."""
    return shutil.which(SENTINEL_EXECUTABLE)


def ask(port: int, *words: str, timeout: float = 1.0) -> str:
    """One command to the server on `port`, its first answer line as text ("" when it does not answer)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as connection:
            connection.sendall((" ".join(words) + "\r\n").encode())
            return connection.recv(4096).decode(errors="replace")
    except OSError:
        return ""


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
    #: Start as a replica of the server on this port (for Sentinel).
    replica_of: int | None = None
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
        log_path = self.log_dir / f"redis-{self.port}.log"
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
            # A replica is sent the data at once (the default waits 5 s for more replicas).
            "--repl-diskless-sync-delay",
            "0",
        ]
        if self.replica_of is not None:
            command += ["--replicaof", LOOPBACK, str(self.replica_of)]
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

    def replicating(self) -> bool:
        """For a replica: whether it has its primary's data and follows it."""
        return "master_link_status:up" in ask(self.port, "INFO", "replication")

    def pause(self) -> None:
        """SIGSTOP: the server keeps its connections and answers nothing (a stuck Redis)."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would; `start()` brings a new, empty one on the same port."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            atexit.unregister(self.stop)
        if self._log is not None:
            self._log.close()
            self._log = None

    def _signal(self, signum: signal.Signals) -> None:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError("this RedisServer is not running")
        self._process.send_signal(signum)

    def stop(self) -> None:
        """SIGTERM to the server this object started (SIGKILL after a grace period). Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)  # a paused server cannot stop
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


@dataclass
class RedisSentinel:
    """One `redis-sentinel` on 127.0.0.1 watching the primary on `primary_port` under `service`.

    Quick to decide, for tests: the primary is down after `down_after_ms` without an answer, and a quorum of 2
    sentinels agrees on a failover."""

    primary_port: int
    service: str = "pps-portal"
    port: int = 0
    log_dir: Path | None = None
    down_after_ms: int = 1000
    quorum: int = 2
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 15) -> None:
        executable = redis_sentinel_path()
        if executable is None:
            raise RuntimeError("redis-sentinel is not installed (Debian: apt-get install redis-sentinel)")
        self.port = self.port or free_port()
        if self.log_dir is None:
            self.log_dir = Path(tempfile.mkdtemp(prefix="pps-sentinel-"))
        folder = self.log_dir / f"sentinel-{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "sentinel.conf"  # sentinels rewrite their configuration: a file of their own
        config.write_text(
            "\n".join(
                [
                    f"port {self.port}",
                    f"bind {LOOPBACK}",
                    "daemonize no",
                    f"dir {folder}",
                    f"sentinel monitor {self.service} {LOOPBACK} {self.primary_port} {self.quorum}",
                    f"sentinel down-after-milliseconds {self.service} {self.down_after_ms}",
                    f"sentinel failover-timeout {self.service} 10000",
                    f"sentinel parallel-syncs {self.service} 1",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self._log = (folder / "sentinel.log").open("ab")
        self._process = subprocess.Popen(
            [executable, str(config)], stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-sentinel did not start; see {folder / 'sentinel.log'}")
            time.sleep(0.05)

    def primary(self) -> int | None:
        """The port of the primary this sentinel names now."""
        answer = ask(self.port, "SENTINEL", "get-master-addr-by-name", self.service)
        ports = [line for line in answer.split("\r\n") if line.isdigit()]
        return int(ports[-1]) if ports else None

    def stop(self) -> None:
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
