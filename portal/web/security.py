"""Guards on every request and headers on every answer: the edge of the data path, between the web layer and
the browser.

Requests: a Host other than the public URL's and PORTAL_TRUSTED_HOSTS gets 400; every state-changing request
must come from our own origin (the `Origin` header, when the browser sends one) and carry the CSRF token, both
checked in one place below; only a provider's server-to-server call (back-channel logout) is exempt.

Answers: a CSP with a per-request nonce, HSTS, no referrer, no powerful browser features, no framing, no
cross-origin embedding, and `Cache-Control: no-store` on every page (they all may show health data).
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

from portal.auth.views import SERVER_TO_SERVER_ENDPOINTS
from portal.settings import Settings

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
    value = getattr(g, "csp_nonce", None)
    if value is None:
        value = g.csp_nonce = secrets.token_urlsafe(18)
    return str(value)


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser writes it in `Origin` (lower case, default port left out)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{scheme}://{host}{port}"


def content_security_policy(request_nonce: str, form_targets: list[str]) -> str:
    form_action = " ".join(["'self'", *(origin_of(t) for t in form_targets)])
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{request_nonce}'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


def init_app(app: Flask, form_targets: list[str]) -> None:
    settings: Settings = app.extensions["portal.settings"]
    own_origin = origin_of(settings.public_url)
    trusted_hosts = [h.lower() for h in (str(urlsplit(settings.public_url).hostname), *settings.trusted_hosts)]
    # CSRF is checked by `guard_state_changes` below, with the Origin, instead of flask-wtf's own hook.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    def refuse_unknown_hosts() -> None:
        # Flask's TRUSTED_HOSTS refuses before there is a URL adapter, so its 400 could not render our page:
        # the same check (werkzeug's host_is_trusted) runs here instead, before anything else.
        if not host_is_trusted(request.host.lower(), trusted_hosts):
            log.warning("request for an unknown host refused")
            raise BadRequest()

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_hosts)

    @app.before_request
    def guard_state_changes() -> None:
        if request.method in SAFE_METHODS or request.endpoint in SERVER_TO_SERVER_ENDPOINTS:
            return
        sent = request.headers.get("Origin")
        if sent is not None and sent.lower() != own_origin:
            log.warning("state-changing request from another origin refused")
            raise BadRequest()
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            current_app.extensions["csrf"].protect()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(nonce(), form_targets)
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
            response.headers["Cache-Control"] = "no-store"
        return response

    app.jinja_env.globals["csp_nonce"] = nonce
