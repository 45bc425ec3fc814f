""" "New since your last visit": which version of a plan each person last saw, kept in their own browser (web step of
the data path, without a server database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from portal.plans.versions import latest_entry
from portal.store.resources import DocumentEntry
from portal.web.state import state

if TYPE_CHECKING:
    from portal.web.viewing import Viewing

__all__ = [
    "COOKIE",
    "MAX_AGE_SECONDS",
    "MAX_ENTRIES",
    "LastSeen",
    "NewSince",
    "Records",
    "new_since",
    "remember",
    "set_cookie",
]

COOKIE = "portal-seen"
MAX_ENTRIES = 16
MAX_AGE_SECONDS = 400 * 24 * 3600  # the longest lifetime browsers honour
_SALT = "portal.lastseen"  # kept as it was: changing it would forget every mark

Records = tuple[tuple[str, str], ...]
"""(person-and-patient key, version token) pairs, most recent first."""


class LastSeen:
    """Reads and writes the last-seen cookie's value with one secret (the app's SECRET_KEY); pure (no Flask), the
    functions below it read and write the cookie in a request.

    The portal keeps no state of its own (architecture.md), so the memory lives in one long-lived cookie, signed
    (itsdangerous) so that nobody can forge it. It maps a keyed hash of (person, plan) — never a raw id; the plan
    is a grant's key, the Patient id prefixed by its store's key outside the home store, since ids are only unique
    within a store — to a keyed hash of the version id they last saw: the cookie says nothing to whoever reads it,
    two people sharing a browser each keep their own entry, a caregiver's entry for a patient is not the patient's,
    and it outlives sign-outs (it is not the session). At most `max_entries` pairs are kept, the most recent
    first, so the cookie stays small.
    """

    def __init__(self, secret: str, *, max_entries: int = MAX_ENTRIES) -> None:
        self._hash_key = hashlib.sha256(b"portal.lastseen.hash\x00" + secret.encode()).digest()
        self._serializer = URLSafeSerializer(secret, salt=_SALT)
        self.max_entries = max_entries

    def _digest(self, *parts: str, length: int) -> str:
        message = "\x1f".join(parts).encode()
        mac = hmac.new(self._hash_key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")[:length]

    def key(self, person: str, plan_key: str) -> str:
        """The keyed hash that stands for one person looking at one patient's plan in one store (`Grant.key`)."""
        return self._digest("who", person, plan_key, length=22)

    def token(self, version_id: str) -> str:
        """The keyed hash that stands for one version."""
        return self._digest("version", version_id, length=16)

    def load(self, cookie: str | None) -> Records:
        """The records of a cookie value; a missing, forged or malformed one gives none (never an error)."""
        if not cookie or len(cookie) > 4096:
            return ()
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return ()
        if not isinstance(data, list):
            return ()
        records = [
            (pair[0], pair[1])
            for pair in data
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ]
        return tuple(records[: self.max_entries])

    def dump(self, records: Records) -> str:
        return self._serializer.dumps([list(pair) for pair in records[: self.max_entries]])

    def seen(self, records: Records, person: str, plan_key: str) -> str | None:
        """The token of the version this person last saw of this patient's plan, or None."""
        key = self.key(person, plan_key)
        return next((token for k, token in records if k == key), None)

    def remember(self, records: Records, person: str, plan_key: str, version_id: str) -> Records:
        """The records with this person's latest seen version first (the oldest entries fall off)."""
        key = self.key(person, plan_key)
        kept = [(k, t) for k, t in records if k != key]
        return ((key, self.token(version_id)), *kept)[: self.max_entries]

    def find(self, token: str, version_ids: Iterable[str]) -> str | None:
        """Which of `version_ids` a token stands for (None: a version this viewer no longer has)."""
        return next((v for v in version_ids if hmac.compare_digest(self.token(v), token)), None)


# --- in a request: read the browser's marks, note this page's, send them back ---------------------------------


def _tracker() -> LastSeen:
    tracker: LastSeen = current_app.extensions["portal.lastseen"]
    return tracker


def remember(viewing: Viewing, version_id: str) -> None:
    """Note that the person viewing has now seen this version of the patient's plan; the answer carries the
    cookie. Never in a coordinator's preview: it acts for nobody."""
    if viewing.preview:
        return
    tracker = _tracker()
    records = tracker.load(request.cookies.get(COOKIE))
    state().last_seen_cookie = tracker.dump(
        tracker.remember(records, viewing.person.sub, viewing.grant.key, version_id)
    )


@dataclass(frozen=True)
class NewSince:
    """The latest version is not the one this person saw last: where to read what changed, and which version they
    saw (None when they may no longer see it: then only the history page is offered, never its id)."""

    href: str
    before: str | None


def new_since(viewing: Viewing, documents: Sequence[DocumentEntry]) -> NewSince | None:
    """On the overview: whether the latest version is new to this person (None when it is the one they saw, when
    nothing was remembered, or in a preview); the latest version is remembered as seen."""
    latest = latest_entry(documents)
    if latest is None or viewing.preview:
        return None
    tracker = _tracker()
    seen = tracker.seen(tracker.load(request.cookies.get(COOKIE)), viewing.person.sub, viewing.grant.key)
    found = None
    if seen is not None and seen != tracker.token(latest.id):
        before = tracker.find(seen, [e.id for e in documents])
        href = f"/history/compare?from={before}&to={latest.id}" if before else "/history"
        found = NewSince(href, before)
    remember(viewing, latest.id)
    return found


def set_cookie(response: Response) -> None:
    """Send the marks back when this page changed them (never on an error page)."""
    value = state().last_seen_cookie
    if value is not None and response.status_code < 400:
        secure = not current_app.extensions["portal.settings"].dev_insecure_http
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE_SECONDS, path="/", secure=secure, httponly=True, samesite="Lax"
        )


def init_app(app: Flask) -> None:
    app.extensions["portal.lastseen"] = LastSeen(app.config["SECRET_KEY"])
