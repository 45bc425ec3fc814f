"""A misconfigured start stops, the way the image runs the portal: `gunicorn --config ops/gunicorn.conf.py
portal.wsgi:app`. The master exits with gunicorn's "cannot boot" status (3) and one line saying why, before any
worker starts, instead of restarting workers forever. And without shared sessions no worker is ever recycled."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "ops" / "gunicorn.conf.py"
VALID = {
    "PORTAL_SECRET_KEY": "gunicorn-start-test-secret-0123456789",
    "PORTAL_PUBLIC_URL": "https://portal.invalid",
    "PORTAL_STORE_URL": "https://store.invalid/fhir",
    "PORTAL_OIDC_ISSUER": "https://idp.invalid",
    "PORTAL_OIDC_CLIENT_ID": "start-test",
    "PORTAL_OIDC_CLIENT_SECRET": "start-test",
    "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:start-test",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def start(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN_", "PROMETHEUS_"))}
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **settings,
        }
    )
    # A stopping start takes well under a second; 60 s only bounds a start that wrongly keeps running.
    return subprocess.run(
        [str(GUNICORN), "--config", str(CONFIG), "portal.wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def reason(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("portal: cannot start:")]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {k: v for k, v in VALID.items() if k != "PORTAL_STORE_URL"},
            "portal: cannot start: PORTAL_STORE_URL is missing: expected an absolute http(s) URL.",
        ),
        (VALID, "portal: cannot start: PORTAL_REDIS_URL is missing: expected a Redis URL (or PORTAL_REDIS_SENTINELS)"),
        (
            {
                **VALID,
                "PORTAL_PUBLIC_URL": "http://127.0.0.1:8000",
                "PORTAL_DEV_INSECURE_HTTP": "true",
                "GUNICORN_WORKERS": "2",
            },
            "portal: cannot start: GUNICORN_WORKERS is invalid: expected 1 without PORTAL_REDIS_URL, not 2",
        ),
    ],
    ids=["a missing setting", "production without Redis", "two workers without Redis"],
)
def test_a_misconfigured_start_stops_with_status_3_and_one_line(
    tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    run = start(tmp_path, **settings)
    assert run.returncode == 3, run.stderr[-2000:]
    [line] = reason(run)
    assert line.startswith(expected)
    assert "Traceback" not in run.stderr
    assert "Booting worker" not in run.stderr  # stopped before any worker was forked


def test_without_shared_sessions_no_worker_is_ever_recycled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_REDIS_URL", raising=False)
    monkeypatch.delenv("PORTAL_REDIS_SENTINELS", raising=False)
    assert runpy.run_path(str(CONFIG))["max_requests"] == 0
    monkeypatch.setenv("PORTAL_REDIS_URL", "redis://127.0.0.1:6379/0")
    config = runpy.run_path(str(CONFIG))
    assert config["max_requests"] == 10_000 and config["max_requests_jitter"] == 1_000


def test_the_access_log_of_gunicorn_stays_off_whatever_the_logging_configuration() -> None:
    config = runpy.run_path(str(CONFIG))
    assert config["accesslog"] is None and config["logconfig_dict"]
    logger = config["logger_class"]
    assert logger._compute_access_log_enabled(object()) is False
