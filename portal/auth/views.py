"""Sign-in routes: `/login`, `/auth/callback`, `POST /logout`, `POST /auth/backchannel-logout` (from the
provider) and `POST /session/keep-alive` (the "stay signed in" button of the idle-timeout dialog)."""

from __future__ import annotations

import logging
from typing import Any

import requests
from blinker import Namespace
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, session
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from redis import RedisError
from werkzeug.exceptions import BadRequest

from portal.auth import backchannel
from portal.auth.oidc import Identity, OidcProvider, ProviderName, ProviderUnavailable, SignInError
from portal.auth.session import (
    SIGN_IN_STATE_PREFIX,
    PortalSession,
    ServerSessionInterface,
    SessionStore,
    SessionStoreUnavailable,
)
from portal.auth.tokens import TokenError
from portal.ops import metrics
from portal.settings import Settings

bp = Blueprint("auth", __name__)
log = logging.getLogger("portal.auth")
#: Sent (with the app as sender) once a patient-side person is signed in, before the redirect to their page:
#: the web step warms up what that page will need (portal.web.plan.warm_up).
signed_in = Namespace().signal("portal.signed-in")

USER = "user"
NEXT = "next"

#: Endpoints called by an identity provider's server, not by a browser: no CSRF token, no Origin to check.
SERVER_TO_SERVER_ENDPOINTS = frozenset({"auth.backchannel_logout"})


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    settings: Settings = app.extensions["portal.settings"]
    app.extensions["portal.logout_replay"] = backchannel.make_replay_guard(settings)
    # Read by the idle-timeout dialog (templates/components/session_timeout.html).
    app.jinja_env.globals["session_idle_seconds"] = settings.session_idle_minutes * 60


def provider(name: str) -> OidcProvider:
    providers: dict[str, OidcProvider] = current_app.extensions["portal.providers"]
    return providers[name]


def settings() -> Settings:
    value: Settings = current_app.extensions["portal.settings"]
    return value


def safe_next(target: str | None) -> str | None:
    """Keep `next` only when it is a path on this site: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in target) or "\\" in target:
        return None
    return target


def current_user() -> dict[str, Any] | None:
    user = session.get(USER)
    return user if isinstance(user, dict) else None


@bp.get("/login")
def login() -> ResponseReturnValue:
    return start_sign_in("patient", "/auth/callback")


def start_sign_in(name: ProviderName, callback_path: str) -> ResponseReturnValue:
    """Send the browser to provider `name`, keeping the page it wanted; a provider that cannot be reached gets
    the sign-in service's own unavailable page, never a redirect to a dead host."""
    target = safe_next(request.args.get("next"))
    if target:
        session[NEXT] = target
    try:
        return provider(name).authorize_redirect(settings().public_url + callback_path)
    except ProviderUnavailable:
        log.warning("sign-in could not start: the %s identity provider is unreachable", name)
        metrics.sign_in(name, "unavailable")
        raise
    except SignInError as exc:
        log.warning("sign-in could not start (%s): %s", name, exc.reason)
        metrics.sign_in(name, "unavailable")
        raise ProviderUnavailable(name) from exc


@bp.get("/auth/callback")
def callback() -> ResponseReturnValue:
    started = sign_in_started_here()
    try:
        identity = complete_sign_in(provider("patient"), started=started)
    except SignInError as exc:
        log.warning("sign-in failed (%s): %s", exc.kind, exc.reason)
        metrics.sign_in("patient", exc.kind)
        return refuse_sign_in(exc, "patient", started=started)
    target = open_session(identity)
    log.info("sign-in succeeded (%s, acr=%s)", identity.provider, identity.acr)
    metrics.sign_in(identity.provider, "succeeded")
    signed_in.send(current_app._get_current_object())  # type: ignore[attr-defined]
    return redirect(safe_next(target) or "/")


def sign_in_started_here() -> bool:
    """Whether this browser started the sign-in the callback request answers (its `state` is one we gave it)."""
    state = request.args.get("state") or ""
    return bool(state) and any(k.startswith(SIGN_IN_STATE_PREFIX) and k.endswith("_" + state) for k in session)


def complete_sign_in(oidc: OidcProvider, *, started: bool) -> Identity:
    """The identity the callback request brings, or SignInError. A callback this browser did not start is refused
    before anything is asked of the provider."""
    if not started:
        reason = "callback for a sign-in this browser did not start"
        raise SignInError("cancelled" if request.args.get("error") == "access_denied" else "invalid", reason)
    return oidc.complete()


def refuse_sign_in(exc: SignInError, provider_name: str, *, started: bool) -> ResponseReturnValue:
    """After a failed sign-in at either provider: nobody is signed in, and the person reads why (a provider
    that did not answer is named as the sign-in service, never as the care-plan store). A callback this browser
    did not start (a stray or forged link) signs nobody out: it only gets its error page."""
    if started:
        session.pop(USER, None)
    if exc.kind == "cancelled":
        return render_template("signin_cancelled.html")
    if exc.kind == "too_weak":
        # Not an error of the person's: say which level is needed and how to get it (no code, no retry loop).
        return render_template("signin_level.html"), 403
    if exc.kind == "unavailable":
        raise ProviderUnavailable(provider_name) from exc
    raise BadRequest() from exc


def open_session(identity: Identity, **extra: str) -> str | None:
    """Sign `identity` in: a new session id (never the one from before sign-in) holding who they are, plus
    `extra` facts (the RPPS number of a professional), on the server side only. Nothing from before sign-in is kept
    but where they were going, which it returns."""
    target = session.get(NEXT)
    session.clear()
    assert isinstance(session, PortalSession)
    session.regenerate()
    session[USER] = {
        "provider": identity.provider,
        "sub": identity.sub,
        "sid": identity.sid,
        "acr": identity.acr,
        "id_token": identity.id_token,
        "given_name": identity.claims.get("given_name"),
        "family_name": identity.claims.get("family_name"),
        **extra,
    }
    # Back-channel logout finds sessions by these top-level keys.
    session["oidc_sub"] = identity.sub
    if identity.sid:
        session["oidc_sid"] = identity.sid
    # Stored now, not once the answer is built: if the store cannot take it, the person reads why (503).
    interface = current_app.session_interface
    if isinstance(interface, ServerSessionInterface):
        interface.create_now(session)
    return target if isinstance(target, str) else None


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = current_user()
    session.clear()
    if user is None:
        return redirect("/")
    name = user.get("provider", "patient")
    url = provider(name).logout_url(user.get("id_token"), settings().public_url + "/")
    return redirect(url or "/")


@bp.post("/auth/backchannel-logout")
def backchannel_logout() -> ResponseReturnValue:
    """Back-Channel Logout 1.0, section 2.8: 200 when the sessions are ended, 400 with a JSON error otherwise."""
    providers: dict[str, OidcProvider] = current_app.extensions["portal.providers"]
    store: SessionStore = current_app.extensions["portal.sessions"]
    token = request.form.get("logout_token", "")
    try:
        if not token:
            raise TokenError("no logout_token in the request")
        ended = backchannel.end_sessions(
            token, providers.values(), store, current_app.extensions["portal.logout_replay"]
        )
    except (TokenError, SignInError, requests.RequestException) as exc:
        reason = exc.reason if isinstance(exc, TokenError | SignInError) else type(exc).__name__
        log.warning("back-channel logout refused: %s", reason)
        refused = jsonify(error="invalid_request", error_description="the logout token was not accepted")
        return _no_store(refused), 400
    except (SessionStoreUnavailable, RedisError) as exc:
        # The provider may send it again; the sessions it names are not ended yet.
        log.warning("back-channel logout not done: the session store is unavailable (%s)", type(exc).__name__)
        failed = jsonify(error="temporarily_unavailable", error_description="try again later")
        return _no_store(failed), 503
    log.info("back-channel logout ended %d session(s)", ended)
    return _no_store(Response(status=200))


@bp.post("/session/keep-alive")
def keep_alive() -> ResponseReturnValue:
    """Any request renews the idle timeout; this one does only that (204), or says the session is over (401)."""
    if current_user() is None:
        return _no_store(Response(status=401))
    return _no_store(Response(status=204))  # every signed-in request notes activity (portal.auth.session)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
