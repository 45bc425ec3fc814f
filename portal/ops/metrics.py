"""Prometheus metrics of the portal, beside the data path: how each step is doing, never who asked for what."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from portal.ops import logs

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from portal.settings import Settings
    from portal.store.client import FhirClient, RoundTrip

PATH = "/metrics"
_MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

if os.environ.get(_MULTIPROCESS_DIR):
    # prometheus_client writes there from the first sample on; a missing folder would fail a page, not start.
    os.makedirs(os.environ[_MULTIPROCESS_DIR], exist_ok=True)

# Seconds: pages wait on the store, whose budget is 5 s by default.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, per route (URL rule), method and status.",
    ["route", "method", "status"],
    buckets=_BUCKETS,
)
STORE_CALLS = Histogram(
    "portal_store_request_duration_seconds",
    "Time of each request to the FHIR store, per kind of call and status (0: no answer).",
    ["interaction", "status"],
    buckets=_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "portal_store_cache_lookups",
    "Lookups in the cache of store answers, per kind of call and result (hit or miss).",
    ["interaction", "result"],
)
SIGN_INS = Counter(
    "portal_sign_ins",
    "Sign-ins that ended, per identity provider and outcome.",
    ["provider", "outcome"],
)
#: Access records dropped (queue full) or abandoned (every attempt failed) by portal.access.trail.
access_log_failures = Counter(
    "portal_access_log_failures",
    "Access records (who saw which care plan) that could not be written.",
)

#: The figures of the national indicators (portal.access.indicators), live, per regional store (the store that
#: holds the documents): views by kind of viewer, files taken.
PLAN_VIEWS = Counter(
    "portal_plan_views",
    "Pages of a care plan shown (a reload within the coalescing window counts once), per store and kind of viewer.",
    ["store", "viewer_kind"],
)
EXPORTS = Counter(
    "portal_exports",
    "Files taken away (care plan files, PDF copies, calendar files, portable copies), per store and kind of file.",
    ["store", "kind"],
)

IDENTITY_MISMATCHES = Counter(
    "portal_identity_mismatches",
    "Patients of another regional store kept apart (never shown), per store and reason: the first identity trait "
    "that differs from the person's, or duplicate (two Patients of one store match the person).",
    ["store", "trait"],
)

SignInOutcome = Literal["succeeded", "cancelled", "invalid", "unavailable", "too_weak"]


def sign_in(provider: str, outcome: SignInOutcome) -> None:
    """Count one sign-in that ended: `provider` is "patient" or "pro"."""
    SIGN_INS.labels(provider=provider, outcome=outcome).inc()


def viewed(store: str, viewer_kind: str, export: str | None) -> None:
    """Count one view of a care plan's page (`export` None) or one file taken away (`export`: its kind), in the
    store that holds what was shown (a file holding several stores' plans counts once in each)."""
    if export is None:
        _plan_views(store, viewer_kind).inc()
    else:
        EXPORTS.labels(store=store, kind=export).inc()


def identity_mismatch(store: str, trait: str) -> None:
    """Count one Patient of another store kept apart: same INS, another trait (`portal.access.grants`)."""
    IDENTITY_MISMATCHES.labels(store=store, trait=trait).inc()


def access_log_failed() -> None:
    """Count one access record that could not be written."""
    access_log_failures.inc()


def registry() -> CollectorRegistry:
    """This process's metrics, or every gunicorn worker's when they share a folder: under gunicorn each worker
    writes its numbers to files in `PROMETHEUS_MULTIPROC_DIR` (set by `ops/gunicorn.conf.py`), and any worker
    answers `/metrics` with the sum of all of them."""
    if os.environ.get(_MULTIPROCESS_DIR):
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return merged
    return REGISTRY


def exposition() -> bytes:
    """The text format Prometheus reads."""
    return generate_latest(registry())


class MetricsEndpoint:
    """WSGI middleware: `GET /metrics` with the right bearer token gets the metrics; every other request goes on
    to the app. A wrong or missing token gets 401, and nothing is said about the metrics. It answers outside the
    Flask app (no session, no host check, no request log line); without `PORTAL_METRICS_TOKEN` it is not installed.

    A request that came through the reverse proxy (it carries `X-Forwarded-For`) goes on to the app, which has
    no such page: Prometheus scrapes the pods directly, and the internet never reaches the metrics."""

    def __init__(self, app: WSGIApplication, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or "HTTP_X_FORWARDED_FOR" in environ:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", b"", [("Allow", "GET, HEAD")])
        sent = str(environ.get("HTTP_AUTHORIZATION", "")).encode()
        if not hmac.compare_digest(sent, self._expected):
            return _answer(start_response, "401 Unauthorized", b"", [("WWW-Authenticate", 'Bearer realm="metrics"')])
        body = exposition()
        if environ["REQUEST_METHOD"] == "HEAD":
            return _answer(start_response, "200 OK", b"", [("Content-Type", CONTENT_TYPE_LATEST)])
        return _answer(start_response, "200 OK", body, [("Content-Type", CONTENT_TYPE_LATEST)])


def _answer(start_response: StartResponse, status: str, body: bytes, headers: list[tuple[str, str]]) -> Iterable[bytes]:
    start_response(status, [*headers, ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]


def install(app: Flask, settings: Settings) -> None:
    """Count the store's calls and cache lookups, and serve /metrics when a token is set. The per-request steps
    (`start`, `observe`) are called by the request hooks of `create_app`."""
    store: FhirClient | None = app.extensions.get("portal.store")
    if store is not None:
        store.observers.append(_observe_store_call)
        store.cache_observers.append(_observe_cache_lookup)
    if settings.metrics_token:
        app.wsgi_app = MetricsEndpoint(app.wsgi_app, settings.metrics_token)  # type: ignore[method-assign]


def start() -> None:
    g.metrics_started = time.perf_counter()


def observe(response: Response) -> None:
    """The request's time, by route, method and status."""
    started = g.get("metrics_started")
    if started is not None:
        REQUESTS.labels(route=logs.route(), method=request.method, status=str(response.status_code)).observe(
            time.perf_counter() - started
        )


def _observe_store_call(trip: RoundTrip) -> None:
    STORE_CALLS.labels(interaction=trip.interaction, status=str(trip.status)).observe(trip.ended - trip.started)


def _observe_cache_lookup(interaction: str, hit: bool) -> None:
    _cache_lookups(interaction, "hit" if hit else "miss").inc()


# A page counts itself once and its store cache lookups four or five times. `labels` finds a counter's child under a
# lock, checking its values each time (about 3 µs): the children of these two are kept, their label values being few
# (interactions and results, stores and kinds of viewer), and the counters are never cleared.
@lru_cache(maxsize=256)
def _cache_lookups(interaction: str, result: str) -> Counter:
    return CACHE_LOOKUPS.labels(interaction=interaction, result=result)


@lru_cache(maxsize=256)
def _plan_views(store: str, viewer_kind: str) -> Counter:
    return PLAN_VIEWS.labels(store=store, viewer_kind=viewer_kind)
