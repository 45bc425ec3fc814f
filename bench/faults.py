"""Faults under a small steady load, for real on loopback: what people get, how slow it is, what is kept.

The portal runs as the image runs it (`gunicorn --config ops/gunicorn.conf.py portal.wsgi:app`, 2 workers) in
front of the demo providers and store, with Debian's `redis-server` (and, for failover, a replica and three
`redis-sentinel`). A few people signed in at the demo provider read their pages steadily (4 browsers, about 20
requests a second) while `/healthz` is asked 5 times a second, and one fault is injected: Redis paused or killed,
a worker killed or recycled, the store killed and started again, a provider killed, a Redis primary killed under
Sentinel. Every answer is classified:

- ok: 200, the portal's own page, the person still signed in (for the store: and no "last updated" notice);
- page: the portal's own page saying what is wrong (a 503 that tells why, a stale copy), or a redirect;
- bare: anything without the portal's layout (a server's default "Internal Server Error");
- none: no answer at all (a connection reset or a timeout of the client, 30 s).

The integration fault suite (`tests/integration/test_faults.py`, part of `make test`) asserts on these
(`FaultRun`); `python -m bench faults` prints them as figures for `docs/performance-run.md`. Every process is
started on a free port from a temporary folder and stopped by its PID; every loop is bounded in time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "demo"))

from redis_server import RedisSentinel, RedisServer, redis_sentinel_path, redis_server_path  # noqa: E402
from stack import DemoStack, free_port, load_accounts  # noqa: E402

from bench.figures import Figure  # noqa: E402

GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "ops" / "gunicorn.conf.py"
SECRET = "fault-suite-secret-key-0123456789-abcdef"  # noqa: S105 (loopback, throwaway)
#: People of the demo data set with a plan of their own: one browser each.
PEOPLE = ("bernard", "nathalie", "diane", "henri")
PAGES = ("/", "/treatments", "/calendar")
SIGNED_IN = "Se déconnecter"
LAYOUT = '<main id="main"'
STALE = "Le service régional ne répond pas"
LOST = "problème technique"
#: Seconds between two requests of one browser (4 browsers: about 20 requests a second in all).
INTERVAL = 0.2
PROBE_INTERVAL = 0.2
CLIENT_TIMEOUT = 30.0
#: The portal's own bounds the suite asserts (the issue's "Done when"): no answer slower, every fault.
SLOWEST_ALLOWED = 10.0


@dataclass(frozen=True)
class Answer:
    path: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no answer
    kind: str  # ok, page, bare, none
    #: Which browser asked (its index in the load), and whether the page said the session was lost.
    who: int = -1
    lost_notice: bool = False

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def classify(status: int, body: str, *, fresh: bool = False) -> str:
    if status == 0:
        return "none"
    if status in (301, 302, 303):
        return "page"
    if LAYOUT not in body:
        return "bare"
    if status == 200 and SIGNED_IN in body and not (fresh and STALE in body):
        return "ok"
    return "page"


def ask(session: requests.Session, url: str, *, fresh: bool = False, who: int = -1) -> Answer:
    path = url.split("/", 3)[-1]
    started = time.monotonic()
    try:
        answer = session.get(url, allow_redirects=False, timeout=CLIENT_TIMEOUT)
        status, body = answer.status_code, answer.text
    except requests.RequestException:
        status, body = 0, ""
    seconds = time.monotonic() - started
    kind = classify(status, body, fresh=fresh)
    return Answer("/" + path, started, seconds, status, kind, who, LOST in body)


# --- the portal under gunicorn, as the image runs it ---------------------------------------------------------


@dataclass
class Portal:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def portal_settings(stack: DemoStack, url: str, **extra: str) -> dict[str, str]:
    return {
        **stack.portal_environment(),
        "PORTAL_PUBLIC_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_DEV_INSECURE_HTTP": "true",
        "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:demo:patient-idp-sub",
        "PORTAL_RATE_LIMIT_SIGN_IN": "10000 per minute",
        **extra,
    }


@contextlib.contextmanager
def gunicorn(port: int, settings: dict[str, str], folder: Path, *, workers: int = 2) -> Iterator[Portal]:
    """`gunicorn --config ops/gunicorn.conf.py portal.wsgi:app` on 127.0.0.1:`port` until it answers /healthz."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN_", "PROMETHEUS_"))}
    env.update(settings)
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": env.get("GUNICORN_THREADS", "4"),
            "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="pps-fault-metrics-", dir=folder),
        }
    )
    log = folder / f"gunicorn-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", str(CONFIG), "portal.wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    portal = Portal(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}): {portal.log_text()[-2000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{portal.url}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s: {portal.log_text()[-2000:]}")
            time.sleep(0.1)
        yield portal
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- people and their steady load ---------------------------------------------------------------------------


def sign_in_browser(portal_url: str, login: str) -> requests.Session:
    from tests.integration.signin import sign_in

    account = {a["login"]: a for a in load_accounts()}[login]
    browser = requests.Session()
    browser.headers["Accept-Language"] = "fr"
    home = sign_in(browser, f"{portal_url}/login", account["login"], account["password"])
    if home.status_code != 200 or SIGNED_IN not in home.text:
        raise RuntimeError(f"the sign-in of {login} did not end on a signed-in page ({home.status_code})")
    return browser


def still_signed_in(portal_url: str, browsers: list[requests.Session]) -> int:
    """How many of these browsers the portal still knows as signed in (a plan page, signed in)."""
    kept = 0
    for browser in browsers:
        answer = browser.get(f"{portal_url}/", allow_redirects=False, timeout=CLIENT_TIMEOUT)
        kept += answer.status_code == 200 and SIGNED_IN in answer.text
    return kept


@dataclass
class SteadyLoad:
    """One thread per browser reading pages every INTERVAL, and one asking /healthz every PROBE_INTERVAL."""

    portal_url: str
    browsers: list[requests.Session]
    fresh: bool = False
    answers: list[Answer] = field(default_factory=list)
    probes: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> SteadyLoad:
        for n, browser in enumerate(self.browsers):
            thread = threading.Thread(target=self._read, args=(n, browser), daemon=True)
            self._threads.append(thread)
        self._threads.append(threading.Thread(target=self._probe, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(CLIENT_TIMEOUT + 5)

    def _read(self, n: int, browser: requests.Session) -> None:
        step = n
        while not self._stop.is_set():
            path = PAGES[step % len(PAGES)]
            step += 1
            answer = ask(browser, f"{self.portal_url}{path}", fresh=self.fresh, who=n)
            with self._lock:
                self.answers.append(answer)
            self._stop.wait(max(INTERVAL - answer.seconds, 0.0))

    def _probe(self) -> None:
        prober = requests.Session()
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status = prober.get(f"{self.portal_url}/healthz", timeout=CLIENT_TIMEOUT).status_code
            except requests.RequestException:
                status = 0
            seconds = time.monotonic() - started
            with self._lock:
                self.probes.append(Answer("/healthz", started, seconds, status, "ok" if status == 200 else "none"))
            self._stop.wait(max(PROBE_INTERVAL - seconds, 0.0))


@dataclass
class FaultRun:
    """What a load saw around one fault: from `fault_started` to `fault_ended` (monotonic), then recovery."""

    name: str
    answers: list[Answer]
    probes: list[Answer]
    fault_started: float
    fault_ended: float
    sessions: int = 0
    sessions_kept: int = 0
    note: str = ""

    def count(self, kind: str) -> int:
        return sum(1 for a in self.answers if a.kind == kind)

    @property
    def not_ok(self) -> int:
        return sum(1 for a in self.answers if a.kind != "ok")

    @property
    def slowest(self) -> float:
        return max((a.seconds for a in self.answers), default=0.0)

    @property
    def p99(self) -> float:
        return percentile([a.seconds for a in self.answers], 99)

    @property
    def slowest_probe(self) -> float:
        return max((a.seconds for a in self.probes), default=0.0)

    @property
    def recovered_after(self) -> float:
        """Seconds from the end of the fault to the end of the last answer that was not ok (0: none after it)."""
        return self.recovery(lambda a: a.kind == "ok")

    def recovery(self, good: Callable[[Answer], bool]) -> float:
        """Seconds from the end of the fault to the end of the last answer that was not `good`."""
        late = [a.ended for a in self.answers if not good(a) and a.ended > self.fault_started]
        return max(max(late, default=self.fault_ended) - self.fault_ended, 0.0)

    def summary(self) -> str:
        kinds = Counter(a.kind for a in self.answers)
        statuses = Counter(a.status for a in self.answers)
        return (
            f"{self.name}: {len(self.answers)} answers {dict(kinds)} statuses {dict(statuses)}; p99 {self.p99:.2f} s,"
            f" slowest {self.slowest:.2f} s, /healthz slowest {self.slowest_probe:.2f} s; recovered"
            f" {self.recovered_after:.1f} s after; sessions kept {self.sessions_kept}/{self.sessions}"
            + (f"; {self.note}" if self.note else "")
        )

    def figures(
        self, *, keeps_sessions: bool = True, recovery: float | None = None, p99: float | None = None
    ) -> list[Figure]:
        """The figures of this run; budgets where the architecture's "Budgets" row (or the issue) sets one."""
        return [
            Figure(f"{self.name}: bare error pages", self.count("bare"), "", 0, note=self.summary()),
            Figure(f"{self.name}: no answer at all", self.count("none"), "", None),
            Figure(f"{self.name}: readable error pages and redirects", self.count("page"), "", None),
            Figure(f"{self.name}: slowest answer", self.slowest, "s", SLOWEST_ALLOWED),
            Figure(f"{self.name}: p99", self.p99, "s", p99),
            Figure(f"{self.name}: time to recover", self.recovered_after, "s", recovery),
            Figure(
                f"{self.name}: sessions kept",
                self.sessions_kept,
                f"of {self.sessions}",
                self.sessions if keeps_sessions else None,
                "min",
            ),
        ]


def percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def wait_until(check: object, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(step)
    return False


# --- the environments ---------------------------------------------------------------------------------------


@dataclass
class Faulty:
    """The demo stack, a Redis (or a Sentinel group), and the portal under gunicorn, with signed-in browsers."""

    folder: Path
    stack: DemoStack
    portal: Portal
    redis: RedisServer
    browsers: list[requests.Session]
    replica: RedisServer | None = None
    sentinels: list[RedisSentinel] = field(default_factory=list)

    def sign_in_everyone(self) -> None:
        self.browsers[:] = [sign_in_browser(self.portal.url, login) for login in PEOPLE]


@contextlib.contextmanager
def faulty(seed: Path, *, sentinel: bool = False, **settings: str) -> Iterator[Faulty]:
    """Everything started for the faults; `sentinel`: a primary, a replica and three sentinels, and the portal
    asking the sentinels where the primary is."""
    folder = Path(tempfile.mkdtemp(prefix="pps-faults-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as running:
        stack = running.enter_context(DemoStack(portal_url=url, seed=seed, log_dir=folder / "logs"))
        redis = RedisServer(log_dir=folder / "redis")
        redis.start()
        running.callback(redis.stop)
        replica: RedisServer | None = None
        sentinels: list[RedisSentinel] = []
        if sentinel:
            replica = RedisServer(log_dir=folder / "redis", replica_of=redis.port)
            replica.start()
            running.callback(replica.stop)
            if not wait_until(replica.replicating, 30):
                raise RuntimeError("the Redis replica did not catch up with its primary within 30 s")
            for _ in range(3):
                guard = RedisSentinel(redis.port, log_dir=folder / "sentinels")
                guard.start()
                running.callback(guard.stop)
                sentinels.append(guard)
            shared = {
                "PORTAL_REDIS_SENTINELS": " ".join(s.address for s in sentinels),
                "PORTAL_REDIS_SENTINEL_SERVICE": sentinels[0].service,
            }
        else:
            shared = {"PORTAL_REDIS_URL": redis.url}
        portal = running.enter_context(gunicorn(port, portal_settings(stack, url, **shared, **settings), folder))
        browsers = [sign_in_browser(url, login) for login in PEOPLE]
        yield Faulty(folder, stack, portal, redis, browsers, replica, sentinels)


def under_load(env: Faulty, name: str, before: float, fault: object, after: float, *, fresh: bool = False) -> FaultRun:
    """`before` seconds of load, the fault (a callable: it returns when the fault is over, and may return a note),
    `after` seconds of load; then how many browsers are still signed in."""
    with SteadyLoad(env.portal.url, env.browsers, fresh=fresh) as load:
        time.sleep(before)
        started = time.monotonic()
        note = fault()  # type: ignore[operator]
        ended = time.monotonic()
        time.sleep(after)
    kept = still_signed_in(env.portal.url, env.browsers)
    return FaultRun(name, load.answers, load.probes, started, ended, len(env.browsers), kept, note or "")


# --- the faults ---------------------------------------------------------------------------------------------


def readiness(portal_url: str) -> tuple[int, dict[str, str]]:
    """/readyz now: its status and each dependency's state."""
    answer = requests.get(f"{portal_url}/readyz", timeout=CLIENT_TIMEOUT)
    checks: dict[str, str] = answer.json().get("checks", {})
    return answer.status_code, checks


def redis_paused(env: Faulty, seconds: float = 6.0) -> FaultRun:
    def fault() -> str:
        env.redis.pause()
        # /readyz reuses its answers for 5 s: past that, it must have asked Redis again and found it stuck.
        time.sleep(max(seconds - 0.5, 0.0))
        status, checks = readiness(env.portal.url)
        env.redis.resume()
        return f"/readyz during the pause: {status} redis={checks.get('redis')}"

    return under_load(env, f"Redis paused (SIGSTOP) {seconds:.0f} s", 2.0, fault, 8.0)


def redis_killed(env: Faulty, seconds: float = 6.0) -> tuple[FaultRun, int]:
    """Redis killed and started again empty (no persistence, as the guide says): the sessions are lost, and the
    start page must say why. Returns the run and how many browsers read that notice."""

    def fault() -> None:
        env.redis.kill()
        time.sleep(seconds)
        env.redis.start()

    run = under_load(env, f"Redis killed (SIGKILL) {seconds:.0f} s, started again empty", 2.0, fault, 6.0)
    told = {a.who for a in run.answers if a.lost_notice}  # the start page the load asked for said it
    for n, browser in enumerate(env.browsers):
        if n not in told and LOST in browser.get(f"{env.portal.url}/", timeout=CLIENT_TIMEOUT).text:
            told.add(n)
    return run, len(told)


def worker_killed(env: Faulty) -> FaultRun:
    def fault() -> str:
        victim = env.portal.workers()[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: victim not in env.portal.workers() and len(env.portal.workers()) == 2, 30)
        return f"worker {victim} killed; gunicorn started another"

    return under_load(env, "a worker killed (SIGKILL)", 2.0, fault, 6.0)


def workers_recycled(env: Faulty, seconds: float = 12.0) -> FaultRun:
    before = env.portal.log_text().count("Autorestarting worker")

    def fault() -> str:
        time.sleep(seconds)
        return f"{env.portal.log_text().count('Autorestarting worker') - before} workers recycled (max_requests)"

    return under_load(env, f"workers recycled by max_requests for {seconds:.0f} s", 0.0, fault, 0.0)


def store_down(env: Faulty, seconds: float = 15.0) -> FaultRun:
    """The demo store killed for `seconds`, then started again; recovery counts from when it answers again."""

    def fault() -> str:
        env.stack.kill_service("store")
        time.sleep(seconds)
        restarted = time.monotonic()
        env.stack.restart_service("store")
        back = time.monotonic()
        ready = wait_until(lambda: readiness(env.portal.url)[0] == 200, 15, step=0.2)
        return (
            f"the store took {back - restarted:.1f} s to start and load its data; /readyz said ok"
            f" {time.monotonic() - back:.1f} s after it answered" + ("" if ready else " (NEVER within 15 s)")
        )

    return under_load(env, f"store down {seconds:.0f} s", 2.0, fault, 10.0, fresh=True)


def provider_down(env: Faulty) -> tuple[int, int, str]:
    """The patient provider killed: (answers to /login that redirected to it, answers that said the sign-in
    service is unavailable, the h1 of that page), over 10 tries after the first 503, then it starts again."""
    env.stack.kill_service("patient-idp")
    try:
        anonymous = requests.Session()
        wait_until(
            lambda: anonymous.get(f"{env.portal.url}/login", allow_redirects=False, timeout=10).status_code == 503, 15
        )
        redirects = readable = 0
        title = ""
        for _ in range(10):
            answer = anonymous.get(f"{env.portal.url}/login", allow_redirects=False, timeout=10)
            redirects += answer.status_code in (301, 302, 303)
            if answer.status_code == 503 and LAYOUT in answer.text and "FranceConnect+" in answer.text:
                readable += 1
                title = answer.text.split("<h1>", 1)[1].split("</h1>", 1)[0]
        return redirects, readable, title
    finally:
        env.stack.restart_service("patient-idp")


def primary_failover(env: Faulty) -> FaultRun:
    """The Redis primary killed under Sentinel: the replica is promoted; the run ends once the sentinels name it."""

    def fault() -> str:
        assert env.replica is not None
        old = env.redis.port
        env.redis.kill()
        promoted = wait_until(lambda: env.sentinels[0].primary() == env.replica.port, 30)
        outcome = "promoted" if promoted else "NOT promoted"
        return f"primary {old} killed; sentinels name {env.sentinels[0].primary()} ({outcome})"

    return under_load(env, "Redis primary killed under Sentinel (failover)", 2.0, fault, 6.0)


# --- python -m bench faults -----------------------------------------------------------------------------------


def run() -> list[Figure]:
    from synthetic import build_bundle

    if redis_server_path() is None:
        # Budgeted figures it could not measure: the run fails unless `--allow-missing faults` says so.
        return [Figure("faults: bare error pages (every fault)", None, "", 0, note="redis-server is not installed")]
    import json

    seed = Path(tempfile.mkdtemp(prefix="pps-fault-seed-")) / "bundle.json"
    seed.write_text(json.dumps(build_bundle()), encoding="utf-8")
    figures: list[Figure] = []
    with faulty(seed, GUNICORN_MAX_REQUESTS="150", PORTAL_STORE_CACHE_TTL="3") as env:
        figures += redis_paused(env).figures()
        figures += worker_killed(env).figures()
        figures += workers_recycled(env).figures()
        figures += store_down(env).figures(recovery=5.0)
        redirects, readable, _ = provider_down(env)
        figures.append(Figure("patient provider down: /login redirects to it", redirects, "of 10", 0))
        figures.append(Figure("patient provider down: readable sign-in page", readable, "of 10", 10, "min"))
        port = int(env.portal.url.rsplit(":", 1)[1])
        if nginx_path() is not None:
            with nginx(port) as proxy:
                through, closed = slow_clients(env, proxy)
            figures += through.figures(p99=1.0)
            figures.append(Figure("slow clients closed by nginx (client_header_timeout)", closed, "of 200", None))
        else:  # budgeted, so missing: the run fails unless `--allow-missing faults`
            figures.append(Figure("200 slow clients, through nginx: p99", None, "s", 1.0, note="no nginx"))
        direct, _ = slow_clients(env, env.portal.url)
        # Without the proxy: what it protects from (no budget: not a configuration the guide allows).
        figures += [Figure(f.name, f.value, f.unit, None, f.direction, f.note) for f in direct.figures()]
        run_killed, told = redis_killed(env)
        figures += run_killed.figures(keeps_sessions=False)[:-2]
        figures.append(
            Figure(
                "Redis killed: time until no page says Redis is unavailable (200 or the way to sign in again)",
                run_killed.recovery(lambda a: a.status in (200, 302)),
                "s",
                None,
            )
        )
        figures.append(Figure("Redis killed: people told why they were signed out", told, f"of {len(PEOPLE)}", None))
    if redis_sentinel_path() is not None:
        with faulty(seed, sentinel=True) as env:
            figures += primary_failover(env).figures()
    else:
        missing = "redis-sentinel is not installed"
        figures.append(Figure("Redis primary killed under Sentinel: bare error pages", None, "", 0, note=missing))
    kept, told, _ = memory_sessions_worker_killed(seed)
    figures.append(
        Figure("development without Redis, worker killed: sessions kept / told why", kept, f"told {told} of 2", None)
    )
    return figures


# --- slow clients, and the reverse proxy that holds them --------------------------------------------------------

NGINX_CONF = ROOT / "deploy" / "nginx" / "pps-portal.conf"


def nginx_path() -> str | None:
    import shutil

    return shutil.which("nginx") or (shutil.which("nginx", path="/usr/sbin:/sbin"))


def proxy_config(portal_port: int, port: int, folder: Path) -> Path:
    """The shipped configuration, as it is but for TLS and the addresses: plain http on a loopback `port`, the
    portal on `portal_port`, logs in `folder`; wrapped in the few lines nginx.conf needs to run from `folder`."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    server, tls = text.split("server {\n    listen 80;", 1)[0], text.split("listen 443 ssl http2;", 1)[1]
    tls = "\n".join(line for line in tls.splitlines() if not line.strip().startswith("ssl_"))
    text = server + "server {\n    listen 127.0.0.1:" + str(port) + ";" + tls
    text = text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{portal_port};")
    text = text.replace("/var/log/nginx/pps-portal.log", str(folder / "access.log"))
    (folder / "pps-portal.conf").write_text(text, encoding="utf-8")
    temp = [f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
    main = folder / "nginx.conf"
    main.write_text(
        "\n".join(
            [
                "daemon off;",
                "worker_processes 1;",
                f"pid {folder / 'nginx.pid'};",
                f"error_log {folder / 'error.log'} warn;",
                "events { worker_connections 2048; }",
                "http {",
                *temp,
                f"include {folder / 'pps-portal.conf'};",
                "}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / kind).mkdir(exist_ok=True)
        (folder / kind).chmod(0o777)  # nginx's worker may run as another user than its master (root)
    folder.chmod(0o755)
    return main


@contextlib.contextmanager
def nginx(portal_port: int) -> Iterator[str]:
    """Debian's nginx with the shipped configuration in front of the portal; yields its http://127.0.0.1:port."""
    executable = nginx_path()
    if executable is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    folder = Path(tempfile.mkdtemp(prefix="pps-nginx-"))
    port = free_port()
    main = proxy_config(portal_port, port, folder)
    with (folder / "nginx.out").open("ab") as out:
        process = subprocess.Popen(
            [executable, "-p", str(folder), "-c", str(main)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: _answers(f"{url}/healthz"), 15):
            raise RuntimeError(f"nginx did not answer: {(folder / 'error.log').read_text(errors='replace')[-2000:]}")
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: nginx's own stop
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _answers(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
        return bool(answer.status == 200)
    return False


@dataclass
class SlowClients:
    """`count` connections that send the start of a request header, then one more header line every second, and
    never finish it (a slow-loris). Counts how many the server closed."""

    url: str
    count: int = 200
    sockets: list[socket.socket] = field(default_factory=list)
    closed: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> SlowClients:
        port = int(self.url.rsplit(":", 1)[1])
        for _ in range(self.count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(connection)
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        while not self._stop.wait(1.0):
            for connection in list(self.sockets):
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    self._forget(connection)

    def _forget(self, connection: socket.socket) -> None:
        if connection in self.sockets:
            self.sockets.remove(connection)
            self.closed += 1
            connection.close()

    def closed_by_server(self, timeout: float) -> int:
        """Wait up to `timeout` s for the server to close them (EOF or reset); how many it closed in all."""
        deadline = time.monotonic() + timeout
        for connection in list(self.sockets):
            connection.settimeout(max(deadline - time.monotonic(), 0.01))
            with contextlib.suppress(OSError):
                while connection.recv(4096):
                    pass  # a 408 answer, then EOF
                self._forget(connection)
            if connection in self.sockets and time.monotonic() >= deadline:
                break
        return self.closed

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for connection in self.sockets:
            connection.close()


def slow_clients(env: Faulty, url: str, seconds: float = 6.0, count: int = 200) -> tuple[FaultRun, int]:
    """`count` slow clients held open on `url` while the load reads pages through it; then how many of them the
    server closed within 15 s (nginx: after client_header_timeout, 10 s)."""
    with SlowClients(url, count) as slow:
        started = time.monotonic()
        with SteadyLoad(url, env.browsers) as load:
            time.sleep(seconds)
        ended = time.monotonic()
        closed = slow.closed_by_server(15.0)
    run = FaultRun(
        f"{count} slow clients, through {'nginx' if url != env.portal.url else 'nothing'}",
        load.answers,
        load.probes,
        started,
        ended,
        len(env.browsers),
        still_signed_in(url, env.browsers),
    )
    return run, closed


# --- development without Redis: the one configuration that keeps sessions in memory ----------------------------


def memory_sessions_worker_killed(seed: Path) -> tuple[int, int, int]:
    """gunicorn with the shipped config, no Redis (development on loopback: one worker, never recycled), two
    people signed in, the worker killed: (sessions kept, people told on the start page, workers recycled)."""
    folder = Path(tempfile.mkdtemp(prefix="pps-faults-dev-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        DemoStack(portal_url=url, seed=seed, log_dir=folder / "logs") as stack,
        gunicorn(port, portal_settings(stack, url), folder, workers=1) as portal,
    ):
        browsers = [sign_in_browser(url, login) for login in PEOPLE[:2]]
        victim = portal.workers()[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: len(portal.workers()) == 1 and victim not in portal.workers(), 30)
        wait_until(lambda: _answers(f"{url}/healthz"), 30)
        pages = [browser.get(f"{url}/", timeout=CLIENT_TIMEOUT).text for browser in browsers]
        kept = sum(SIGNED_IN in page for page in pages)
        told = sum(LOST in page for page in pages)  # said once, on the first page after the loss
        recycled = portal.log_text().count("Autorestarting worker")
    return kept, told, recycled
