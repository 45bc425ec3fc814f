"""gunicorn settings of the image (`gunicorn --config /opt/portal/gunicorn.conf.py portal.wsgi:app`).

Read-only root filesystem: gunicorn's heartbeat files go to /dev/shm and Prometheus' per-worker files to /tmp
(both memory, see deploy/k8s/deployment.yaml). Every log line, gunicorn's included, is one JSON object on stderr.
Tuned with environment variables of the image: PORT, GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS (docs/configuration.md).

Before any worker starts (`on_starting`), the settings are read and checked as the app will read them: a missing
or invalid one, no Redis outside development, or several workers without Redis, stops the master with one line
and exit status 3 (gunicorn's own "cannot boot"), instead of workers failing and being restarted forever.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Several workers need Redis: without it, sessions live in the memory of one process (refused in on_starting).
workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
_SHARED_SESSIONS = bool(os.environ.get("PORTAL_REDIS_URL") or os.environ.get("PORTAL_REDIS_SENTINELS"))
worker_class = "gthread"
# Pages wait on the store (I/O), so threads serve them well within one process.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Above the store's budget (connect 3.05 s + read 5 s + retries), so that the portal answers before gunicorn kills.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
worker_tmp_dir = "/dev/shm"  # noqa: S108  # memory, private to the container
# A worker restarts now and then (jittered so they never all restart at once): memory stays bounded. Only with
# shared sessions (Redis): a worker's restart must never sign anybody out, and sessions in its memory would go.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000")) if _SHARED_SESSIONS else 0
max_requests_jitter = max_requests // 10
# The portal writes one JSON line per request itself (portal.ops.logs), without the path that holds ids: gunicorn's
# access log stays off (a logconfig_dict would otherwise turn it on, query strings and all).
accesslog = None


class PortalLogger(Logger):
    """gunicorn's logger without its access log, whatever the logging configuration says."""

    def _compute_access_log_enabled(self) -> bool:
        return False

    def access(self, *args: Any, **kwargs: Any) -> None:
        return None


logger_class = PortalLogger
errorlog = "-"
# Proxies are trusted by the portal (PORTAL_PROXY_HOPS, werkzeug ProxyFix), not by gunicorn.
forwarded_allow_ips = "127.0.0.1"

logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.ops.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}

# Several workers share their metrics through files (prometheus-client's multiprocess mode); set before the
# workers start, so that they inherit it when they import prometheus_client.
METRICS_DIR = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/portal-metrics"))  # noqa: S108


def on_starting(server: Any) -> None:
    check_settings()
    # Counters of a previous run must not be added to this one's. Only prometheus-client's own files go:
    # the folder may be shared (/tmp).
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


#: gunicorn's exit status for "the application cannot boot": a supervisor must not restart it as is.
BOOT_ERROR = 3


def check_settings() -> None:
    """Read the settings as the app will, in the master, before it forks: one line and exit 3 when wrong."""
    from portal.settings import Settings, SettingsError

    try:
        Settings.from_env().check_serving(workers)
    except SettingsError as exc:
        print(f"portal: cannot start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(BOOT_ERROR) from None
