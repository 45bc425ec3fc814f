"""Error pages: one place maps every failure to a plain page and a status; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.store.errors import StoreError, StoreNotFound, StoreUnavailable

log = logging.getLogger("portal.web")


def _page(status: int) -> ResponseReturnValue:
    titles = {
        400: _("This request could not be understood"),
        403: _("This page is not available"),
        404: _("Page not found"),
        405: _("This action is not possible here"),
        503: _("The service is unavailable for now"),
    }
    messages = {
        400: _("The link may be old or used already. Go back to the start page and try again."),
        403: _("Go back to the start page and try again."),
        404: _("Check the address, or go back to the start page."),
        405: _("Go back to the start page and try again."),
        503: _(
            "We cannot reach the service that holds care plans. Your data is safe. Please try again in a few minutes."
        ),
    }
    title = titles.get(status, _("Something went wrong"))
    message = messages.get(status, _("Please try again in a few minutes. Your data is safe."))
    return render_template("error.html", title=title, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return _page(exc.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return _page(400)

    @app.errorhandler(StoreNotFound)
    def store_not_found(exc: StoreNotFound) -> ResponseReturnValue:
        return _page(404)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable) -> ResponseReturnValue:
        log.warning("store unavailable: %s", type(exc).__name__)
        return _page(503)

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError) -> ResponseReturnValue:
        log.error("store answered something we cannot use: %s", type(exc).__name__)
        return _page(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return _page(500)
