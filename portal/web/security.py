"""Response headers on every answer: a CSP with a per-request nonce, no caching of personal pages, no framing."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request


def nonce() -> str:
    value = getattr(g, "csp_nonce", None)
    if value is None:
        value = g.csp_nonce = secrets.token_urlsafe(18)
    return str(value)


def init_app(app: Flask, form_targets: list[str]) -> None:
    form_action = " ".join(["'self'", *form_targets])

    @app.after_request
    def headers(response: Response) -> Response:
        n = nonce()
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; "
            f"script-src 'self' 'nonce-{n}'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.jinja_env.globals["csp_nonce"] = nonce
