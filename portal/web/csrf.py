"""CSRF tokens masked afresh for every answer, so that a compressed page never repeats the same token bytes
(BREACH), and their check on every state-changing request (web step of the data path, at its edge).

The session's secret is Flask-WTF's (`session["csrf_token"]`, random, kept in the server-side session and never
sent). A page carries it masked as Django does: a random mask of the secret's length, then mask XOR secret, in
URL-safe base64. Every call to `csrf_token()` makes a new mask, and `fresh_tokens` masks again every token of the
session written in an HTML answer just before it leaves (a page answered from memory, `portal.web.rendered`, carries
the tokens of the answer it was rendered for). Any masked token of the session is accepted for the whole session,
like the signed token was: a form in a tab opened hours ago still posts. A signed token of Flask-WTF (the only kind
pages carried before masking; it has dots, a masked token has none) is still checked by Flask-WTF, so the forms
already open in browsers when this was deployed keep working; the portal writes no such token any more.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import secrets

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect

from portal.web.state import state

__all__ = ["MaskedCSRFProtect", "csrf_token", "fresh_tokens", "mask", "matches", "unmask"]

log = logging.getLogger("portal.web")

#: The secret's length in bytes (Flask-WTF's is the hex of a SHA-1: 20 bytes).
SECRET_BYTES = 20
#: A masked token's length in characters: base64 of mask and masked secret, without padding.
TOKEN_CHARS = len(base64.urlsafe_b64encode(bytes(2 * SECRET_BYTES)).rstrip(b"="))
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
#: A token written as an attribute's whole value (value="…", data-csrf="…"), in an HTML answer, quotes included:
#: a pattern that starts with a plain character is searched for far faster than one that starts by looking behind.
_IN_HTML = re.compile(rb'"([A-Za-z0-9_-]{%d})"' % TOKEN_CHARS)


def _field() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _secret(*, create: bool) -> bytes | None:
    """This session's secret (made, as Flask-WTF makes it, when `create` and there is none or it is unreadable)."""
    field = _field()
    value = session.get(field)
    if isinstance(value, str) and len(value) == 2 * SECRET_BYTES:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    if not create:
        return None
    session[field] = secret = secrets.token_hex(SECRET_BYTES)  # the shape Flask-WTF makes
    return bytes.fromhex(secret)


def mask(secret: bytes) -> str:
    """`secret` under a new random mask: never the same bytes twice."""
    pad = secrets.token_bytes(len(secret))
    return base64.urlsafe_b64encode(pad + _xor(pad, secret)).rstrip(b"=").decode("ascii")


def unmask(token: str) -> bytes | None:
    """The secret a masked token carries, or None when `token` is not one."""
    if len(token) != TOKEN_CHARS or not _ALPHABET.fullmatch(token):
        return None  # base64 decoding would skip the characters out of its alphabet
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):  # pragma: no cover - a length and alphabet checked above always decode
        return None
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != token.encode("ascii"):
        return None  # the last character's unused bits set: another writing of a token, never one we made
    return _xor(raw[:SECRET_BYTES], raw[SECRET_BYTES:])


def _xor(one: bytes, other: bytes) -> bytes:
    """Byte by byte, as whole numbers (one operation, not one per byte: a page masks a token for every form)."""
    if len(one) != len(other):
        raise ValueError("masks and secrets have the same length")
    return (int.from_bytes(one) ^ int.from_bytes(other)).to_bytes(len(one))


def matches(token: str, secret: bytes) -> bool:
    """Whether `token` is `secret` masked, compared in constant time."""
    carried = unmask(token)
    return carried is not None and hmac.compare_digest(carried, secret)


def csrf_token() -> str:
    """A token for a form or a script of this answer: the session's secret under a new mask at every call."""
    secret = _secret(create=True)
    assert secret is not None
    token = mask(secret)
    state().csrf_tokens.add(token)
    return token


def _is_masked(token: str) -> bool:
    return "." not in token  # a Flask-WTF token is payload.timestamp.signature


class MaskedCSRFProtect(CSRFProtect):  # type: ignore[misc]
    """Flask-WTF's extension (`app.extensions["csrf"]`), checking masked tokens and writing them in templates."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = csrf_token  # over Flask-WTF's global and context processor
        app.context_processor(lambda: {"csrf_token": csrf_token})

    def protect(self, apply_exemptions: bool = False) -> None:
        """Refuse (CSRFError, a 400 page) a state-changing request whose token, from the form field or the
        X-CSRFToken header (the session-timeout script), is not this session's secret masked. A Flask-WTF signed
        token, or none at all, is left to Flask-WTF's own check (same refusals, same log lines as before)."""
        sent = self._get_csrf_token()
        checked = request.method in current_app.config["WTF_CSRF_METHODS"]
        if not checked or not isinstance(sent, str) or not sent or not _is_masked(sent):
            super().protect(apply_exemptions)
            return
        secret = _secret(create=False)
        if secret is None or not matches(sent, secret):
            log.info("The CSRF token does not match this session's.")
            raise CSRFError("The CSRF token does not match this session's.")
        g.csrf_valid = True  # as Flask-WTF marks a checked request


def fresh_tokens(response: Response) -> None:
    """Mask afresh every token of this session an HTML answer carries, just before it leaves: no two answers, even
    a page answered from memory and the answer it was rendered for, carry the same token bytes. A token masked for
    this very answer (`csrf_token` during this request) is new already and stays."""
    if response.mimetype != "text/html" or response.is_streamed or response.direct_passthrough:
        return
    secret = _secret(create=False)
    if secret is None:
        return
    body = response.get_data()
    issued = state().csrf_tokens

    def again(found: re.Match[bytes]) -> bytes:
        token = found.group(1).decode("ascii")
        if token in issued or not matches(token, secret):
            return found.group()
        return b'"' + mask(secret).encode("ascii") + b'"'

    fresh = _IN_HTML.sub(again, body)
    if fresh != body:
        response.set_data(fresh)
