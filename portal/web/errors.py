"""Error pages: one place maps every failure to a plain page and a status; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.access import AccessUnavailable
from portal.auth.oidc import SERVICE_NAMES, ProviderUnavailable
from portal.auth.session import SessionsUnavailable
from portal.pps.errors import PpsError
from portal.store.errors import StoreError, StoreNotFound, StoreUnavailable
from portal.web.navigation import nav, shared_pages
from portal.web.state import state
from portal.web.viewing import NotShared

#: Seconds a browser (or a proxy) is told to wait before asking again, on the pages of a passing failure.
RETRY_AFTER_SECONDS = 120

log = logging.getLogger("portal.web")


def _page(status: int) -> ResponseReturnValue:
    titles = {
        400: _("This request could not be understood"),
        403: _("This page is not available"),
        404: _("Page not found"),
        405: _("This action is not possible here"),
        429: _("Too many attempts"),
        503: _("The service is unavailable for now"),
    }
    messages = {
        400: _("The link may be old or used already. Go back to the start page and try again."),
        403: _("Go back to the start page and try again."),
        404: _("Check the address, or go back to the start page."),
        405: _("Go back to the start page and try again."),
        429: _("Please wait a minute, then try again."),
        503: _(
            "We cannot reach the service that holds care plans. Your data is safe. Please try again in a few minutes."
        ),
    }
    title = titles.get(status, _("Something went wrong"))
    message = messages.get(status, _("Please try again in a few minutes. Your data is safe."))
    return render_template("error.html", title=title, message=message, status=status), status


def _not_shared() -> ResponseReturnValue:
    page = render_template("people/not_shared.html", viewing=state().viewing, nav=nav(""), shared=shared_pages())
    return page, 403


def _unavailable(template: str, **context: str) -> ResponseReturnValue:
    """A plain 503 page for a failure that passes (sessions, sign-in service, access checks), with Retry-After."""
    return render_template(template, **context), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    @app.errorhandler(NotShared)
    def not_shared(exc: NotShared) -> ResponseReturnValue:
        return _not_shared()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return _page(exc.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return _page(400)

    @app.errorhandler(StoreNotFound)
    def store_not_found(exc: StoreNotFound) -> ResponseReturnValue:
        return _page(404)

    @app.errorhandler(SessionsUnavailable)
    def sessions_unavailable(exc: SessionsUnavailable) -> ResponseReturnValue:
        # Logged once already by the session interface, without a traceback.
        return _unavailable("errors/sessions_unavailable.html")

    @app.errorhandler(ProviderUnavailable)
    def provider_unavailable(exc: ProviderUnavailable) -> ResponseReturnValue:
        return _unavailable("errors/signin_unavailable.html", service=SERVICE_NAMES.get(exc.provider, ""))

    @app.errorhandler(AccessUnavailable)
    def access_unavailable(exc: AccessUnavailable) -> ResponseReturnValue:
        log.warning("access could not be checked: %s", type(exc.__cause__ or exc).__name__)
        return _unavailable("errors/access_unavailable.html")

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable) -> ResponseReturnValue:
        log.warning("store unavailable: %s", type(exc).__name__)
        return _page(503)

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError) -> ResponseReturnValue:
        log.error("store answered something we cannot use: %s", type(exc).__name__)
        return _page(503)

    @app.errorhandler(PpsError)
    def plan_refused(exc: PpsError) -> ResponseReturnValue:
        # The reason is one English line about the document's structure: never health data.
        log.warning("care plan refused by the reader: %s", exc)
        settings = current_app.extensions["portal.settings"]
        has_pdf = bool(state().refused_plan_has_pdf)
        return render_template("plan_refused.html", contact=settings.help_contact, has_pdf=has_pdf), 200

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return _page(500)
