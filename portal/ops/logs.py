"""Structured logs, at the web edge of the data path: one JSON object per line, and one line per request."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from flask import Flask, Response, g, has_request_context, request

if TYPE_CHECKING:
    from portal.store.client import FhirClient, RoundTrip

REQUEST_ID_HEADER = "X-Request-ID"
#: A proxy's request id is kept only when it looks like one (nginx's 32 hex digits, a UUID…): anything else
#: could smuggle text, or a newline, into every line of the request.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
#: Probes ask every few seconds: their lines are debug, so that they do not drown the others.
PROBE_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})
#: The route of a request that matched none (a 404 from routing): one label, whatever the path was.
UNMATCHED = "<unmatched>"

request_log = logging.getLogger("portal.request")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the record's `fields`, the request id."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if "request_id" not in line and has_request_context():
            request_id = g.get("request_id")
            if request_id:
                line["request_id"] = request_id
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log line to `stream` (stderr) as JSON, from `level` up. Called again, it replaces its handler.

    `portal.wsgi` calls it (and gunicorn's `logconfig_dict` names `JsonFormatter`), never `create_app`, so that
    pytest's log capture is left alone.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "portal_json", False) or isinstance(handler.formatter, JsonFormatter):
            root.removeHandler(handler)  # gunicorn's, or ours from a previous call: one JSON handler only
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.portal_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(_LEVELS[level])
    quiet_libraries()
    return handler


def quiet_libraries() -> None:
    # urllib3 writes each URL it asks, query included (`Patient?identifier=…|{sub}`), at debug level, and
    # its retry warnings name it too: never health data in the logs, whatever PORTAL_LOG_LEVEL says.
    logging.getLogger("urllib3").setLevel(logging.ERROR)


def request_id_from(header: str | None) -> str:
    """The caller's request id when well formed, else a new random one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


def install(app: Flask) -> None:
    """Count the store's calls of each request and quiet the libraries' own loggers. The per-request steps
    (`start`, `finish`, `unfinished`) are called by the request hooks of `create_app`."""
    quiet_libraries()
    store: FhirClient | None = app.extensions.get("portal.store")
    if store is not None:
        store.observers.append(_count_store_call)


def start() -> None:
    """First thing of every request: its id, and when it started."""
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()
    g.store_calls = 0
    g.store_seconds = 0.0


def finish(response: Response) -> None:
    """Last thing of every answer: its id in a header, and its one log line."""
    response.headers[REQUEST_ID_HEADER] = _request_id()
    _log_request(response.status_code)


def unfinished(exc: BaseException | None) -> None:
    """An exception that escaped every handler (only when Flask propagates them) still gets its line."""
    if exc is not None and not g.get("request_logged", False):
        _log_request(500)


def _request_id() -> str:
    request_id = g.get("request_id")
    if request_id is None:  # a hook before ours refused the request
        request_id = g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    return str(request_id)


def _count_store_call(trip: RoundTrip) -> None:
    if has_request_context():
        g.store_calls = g.get("store_calls", 0) + 1
        g.store_seconds = g.get("store_seconds", 0.0) + (trip.ended - trip.started)


def route() -> str:
    """The URL rule that matched (`/history/<version>`), never the path itself."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _log_request(status: int) -> None:
    """The request's one line: its id, the route's rule (never the path: paths carry patient and document ids),
    method, status, duration, and how many store calls it made and their total time. Never a query string, an id,
    a name or any document content."""
    g.request_logged = True
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    fields = {
        "event": "request",
        "request_id": _request_id(),
        "method": request.method,
        "route": route(),
        "status": status,
        "duration_ms": round(duration_ms, 1),
        "store_calls": g.get("store_calls", 0),
        "store_ms": round(g.get("store_seconds", 0.0) * 1000, 1),
    }
    level = logging.DEBUG if request.endpoint in PROBE_ENDPOINTS else logging.INFO
    request_log.log(
        level,
        "%s %s %d %.1fms",
        fields["method"],
        fields["route"],
        status,
        duration_ms,
        extra={"fields": fields},
    )
