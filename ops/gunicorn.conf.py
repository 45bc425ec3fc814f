"""gunicorn settings of the image (`gunicorn --config /opt/portal/gunicorn.conf.py portal.wsgi:app`).

Read-only root filesystem: gunicorn's heartbeat files go to /dev/shm and Prometheus' per-worker files to /tmp
(both memory, see deploy/k8s/deployment.yaml). Every log line, gunicorn's included, is one JSON object on stderr.
Tuned with environment variables of the image: PORT, GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS,
GUNICORN_TIMEOUT (docs/configuration.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# One worker unless PORTAL_REDIS_URL is set: without Redis, sessions live in the memory of one process.
workers = int(os.environ.get("GUNICORN_WORKERS", "1"))
worker_class = "gthread"
# Pages wait on the store (I/O), so threads serve them well within one process.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Above the store's budget (connect 3.05 s + read 5 s + retries), so that the portal answers before gunicorn kills.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
worker_tmp_dir = "/dev/shm"  # noqa: S108  # memory, private to the container
# A worker restarts now and then (jittered so they never all restart at once): memory stays bounded.
max_requests = 10_000
max_requests_jitter = 1_000
# The portal writes one JSON line per request itself (portal.logs), without the path that holds ids.
accesslog = None
errorlog = "-"
# Proxies are trusted by the portal (PORTAL_PROXY_HOPS, werkzeug ProxyFix), not by gunicorn.
forwarded_allow_ips = "127.0.0.1"

logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}

# Several workers share their metrics through files (prometheus-client's multiprocess mode); set before the
# workers start, so that they inherit it when they import prometheus_client.
METRICS_DIR = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/portal-metrics"))  # noqa: S108


def on_starting(server: Any) -> None:
    # Counters of a previous run must not be added to this one's. Only prometheus-client's own files go:
    # the folder may be shared (/tmp).
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
