"""Sign-in of professionals (care coordinators) at the professional provider, Pro Santé Connect in production:
`/pro/login` and `/pro/auth/callback` (first step of the data path, for the coordinator preview)."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, current_app, redirect, session
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, NotFound

from portal.auth.oidc import OidcProvider, SignInError
from portal.auth.views import (
    USER,
    complete_sign_in,
    open_session,
    refuse_sign_in,
    safe_next,
    settings,
    sign_in_started_here,
    start_sign_in,
)
from portal.ops import metrics

bp = Blueprint("pro", __name__)
log = logging.getLogger("portal.auth")

#: An RPPS number is 11 digits; an ADELI-based national id (8 + 9 digits) is accepted as well.
_RPPS = re.compile(r"[0-9]{11}|[0-9]{1,2}[0-9]{9}")


def _provider() -> OidcProvider:
    providers: dict[str, OidcProvider] = current_app.extensions["portal.providers"]
    if "pro" not in providers:
        raise NotFound()  # no professional provider configured: these routes do not exist
    return providers["pro"]


@bp.get("/pro/login")
def login() -> ResponseReturnValue:
    _provider()  # a professional provider is configured, or 404
    return start_sign_in("pro", "/pro/auth/callback")


@bp.get("/pro/auth/callback")
def callback() -> ResponseReturnValue:
    """The same relying party as for patients, at the professional provider's assurance level
    (`PORTAL_PRO_OIDC_ACR_VALUES`). The person is known by their RPPS number, read from the claim named by
    `PORTAL_PRO_RPPS_CLAIM` (`SubjectNameID`, as Pro Santé Connect sends it); a sign-in without one is refused.
    What they may see is decided later, per request, by `portal.access`."""
    provider = _provider()
    started = sign_in_started_here()
    try:
        identity = complete_sign_in(provider, started=started)
    except SignInError as exc:
        log.warning("professional sign-in failed (%s): %s", exc.kind, exc.reason)
        metrics.sign_in("pro", exc.kind)
        return refuse_sign_in(exc, "pro", started=started)
    rpps = identity.claims.get(settings().pro_rpps_claim)
    if not isinstance(rpps, str) or not _RPPS.fullmatch(rpps.strip()):
        log.warning("professional sign-in refused: no RPPS number in claim %s", settings().pro_rpps_claim)
        metrics.sign_in("pro", "invalid")
        session.pop(USER, None)
        raise BadRequest()
    target = open_session(identity, rpps=rpps.strip())
    log.info("professional sign-in succeeded (acr=%s)", identity.acr)
    metrics.sign_in("pro", "succeeded")
    return redirect(safe_next(target) or "/")
