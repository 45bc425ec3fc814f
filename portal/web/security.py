"""Guards on every request and headers on every answer: the edge of the data path, between the web layer and
the browser."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

from portal.auth.views import SERVER_TO_SERVER_ENDPOINTS
from portal.settings import Settings
from portal.web.state import state

log = logging.getLogger("portal.web")

#: Browser features the portal never uses: denied to the page and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

HSTS = "max-age=31536000; includeSubDomains"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def nonce() -> str:
    """This answer's CSP nonce (made on first use)."""
    current = state()
    if current.csp_nonce is None:
        current.csp_nonce = secrets.token_urlsafe(18)
    return current.csp_nonce


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser writes it in `Origin` (lower case, default port left out)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{scheme}://{host}{port}"


def content_security_policy(request_nonce: str, form_action: str) -> str:
    """The policy of every page; `form_action`: the sources forms may be sent to, made once at start by
    `form_action`."""
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{request_nonce}'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


@dataclass(frozen=True)
class Edge:
    """What the guards compare requests with: our own origin, the hosts we answer to, where forms may go."""

    own_origin: str
    trusted_hosts: tuple[str, ...]
    #: The CSP's form-action sources: our own, and the origins of `form_targets` (made once, not per answer).
    form_action: str


def form_action(form_targets: list[str]) -> str:
    """Where the portal's forms may be sent: itself, and the identity providers' origins (the sign-in forms)."""
    return " ".join(["'self'", *(origin_of(t) for t in form_targets)])


def _edge() -> Edge:
    edge: Edge = current_app.extensions["portal.edge"]
    return edge


def check_request() -> None:
    """Before anything else runs: a Host other than the public URL's and PORTAL_TRUSTED_HOSTS, a state-changing
    request from another origin (its `Origin` header, when the browser sends one) or without the CSRF token
    (`portal.web.csrf`) is refused (400); only a provider's server-to-server call (back-channel logout) is exempt.
    Flask's TRUSTED_HOSTS would refuse before there is a URL adapter, so its 400 could not render our page: the same
    check (werkzeug's host_is_trusted) runs here instead."""
    edge = _edge()
    if not host_is_trusted(request.host.lower(), list(edge.trusted_hosts)):
        log.warning("request for an unknown host refused")
        raise BadRequest()
    if request.method in SAFE_METHODS or request.endpoint in SERVER_TO_SERVER_ENDPOINTS:
        return
    sent = request.headers.get("Origin")
    if sent is not None and sent.lower() != edge.own_origin:
        log.warning("state-changing request from another origin refused")
        raise BadRequest()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        current_app.extensions["csrf"].protect()  # portal.web.csrf.MaskedCSRFProtect


def write_headers(response: Response) -> None:
    """The security headers of every answer; a document shown inline keeps its narrower, sandboxed CSP."""
    csp = state().document_csp or content_security_policy(nonce(), _edge().form_action)
    response.headers["Content-Security-Policy"] = csp
    response.headers["Strict-Transport-Security"] = HSTS  # ignored by browsers over plain http (dev)
    # same-origin, not no-referrer: with no-referrer Chromium posts our own forms with `Origin: null`,
    # which the check above refuses. Other sites still get no Referer at all.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"  # every page may show health data


def init_app(app: Flask, form_targets: list[str]) -> None:
    """Note what the guards compare with; the guards run from the request hooks of `create_app`."""
    settings: Settings = app.extensions["portal.settings"]
    trusted = (str(urlsplit(settings.public_url).hostname), *settings.trusted_hosts)
    app.extensions["portal.edge"] = Edge(
        origin_of(settings.public_url), tuple(h.lower() for h in trusted), form_action(form_targets)
    )
    # CSRF is checked by `check_request`, with the Origin, instead of flask-wtf's own hook.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.jinja_env.globals["csp_nonce"] = nonce
