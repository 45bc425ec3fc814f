"""Each request's dealings with the store (web step of the data path): one time budget, and the stale-copy notice."""

from __future__ import annotations

import datetime as dt
from contextvars import Token
from typing import Any

from flask import Flask, current_app, g
from flask_babel import format_time
from flask_babel import gettext as _

from portal.store import scope

_SCOPE_KEY = "portal_store_scope"


def stale_notice() -> str | None:
    """The notice "Last updated at 14:05. The regional service does not answer now.", or None when all was fresh."""
    current = scope.current()
    if current is None or current.stale_since is None:
        return None
    fetched = dt.datetime.fromtimestamp(current.stale_since, dt.UTC)
    # format_time converts to the app's time zone (Europe/Paris): the time people saw on their clock.
    notice: str = _(
        "Last updated at %(time)s. The regional service does not answer now.",
        time=format_time(fetched, "HH:mm"),
    )
    return notice


#: The share of `PORTAL_PAGE_TIME_BUDGET` kept for answering once the store calls end (the "unavailable" page, or
#: the page from what came in time): the store's deadline comes that much earlier, so that the page itself answers
#: within its budget, not the budget and then the time to render.
ANSWER_SHARE = 0.05


def open_budget() -> None:
    """At the start of a request: one store deadline for all its calls (`PORTAL_PAGE_TIME_BUDGET` from now, less
    the share kept for answering), so a hanging store cannot hold a page longer."""
    settings = current_app.extensions["portal.settings"]
    setattr(g, _SCOPE_KEY, scope.open_scope(settings.page_time_budget * (1 - ANSWER_SHARE)))


def close_budget() -> None:
    token: Token[scope.PageScope | None] | None = g.pop(_SCOPE_KEY, None)
    if token is not None:
        scope.close_scope(token)


def init_app(app: Flask) -> None:
    @app.context_processor
    def notice() -> dict[str, Any]:
        return {"stale_notice": stale_notice}
