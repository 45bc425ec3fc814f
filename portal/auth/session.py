"""Server-side sessions: the browser holds only a random identifier; what we know of the person stays here.

Why not Flask's signed-cookie session: tokens must never reach the browser, the identifier must be renewed at
sign-in, and a back-channel logout must be able to end a session the browser still holds. Sessions live in a
bounded in-process store (one process, development and small deployments); the `SessionStore` protocol is the
seam for a shared store (Redis) when several instances run.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

from cachetools import TTLCache
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

CREATED = "_created"
SEEN = "_seen"


class SessionStore(Protocol):
    """Where session data lives, by session identifier."""

    def load(self, sid: str) -> dict[str, Any] | None: ...

    def save(self, sid: str, data: dict[str, Any]) -> None: ...

    def delete(self, sid: str) -> None: ...

    def delete_where(self, key: str, value: str) -> int: ...


class MemorySessionStore:
    """A bounded, thread-safe in-process store; entries vanish after the idle timeout."""

    def __init__(self, idle_seconds: int, max_sessions: int = 50_000) -> None:
        self._data: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=max_sessions, ttl=idle_seconds)
        self._lock = threading.Lock()

    def load(self, sid: str) -> dict[str, Any] | None:
        with self._lock:
            data = self._data.get(sid)
            return dict(data) if data is not None else None

    def save(self, sid: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._data[sid] = dict(data)

    def delete(self, sid: str) -> None:
        with self._lock:
            self._data.pop(sid, None)

    def delete_where(self, key: str, value: str) -> int:
        """End every session whose `key` equals `value` (back-channel logout by `sid` or `sub`)."""
        with self._lock:
            doomed = [sid for sid, data in self._data.items() if data.get(key) == value]
            for sid in doomed:
                del self._data[sid]
            return len(doomed)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._data.keys()))


class PortalSession(CallbackDict[str, Any], SessionMixin):
    """The session of one browser. `regenerate()` gives it a new identifier (at sign-in)."""

    def __init__(self, sid: str, data: dict[str, Any] | None = None, *, new: bool = False) -> None:
        def on_update(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.new = new
        self.modified = False
        self.expired = False
        self.previous_sid: str | None = None

    def regenerate(self) -> None:
        """Change the identifier and keep the content: an attacker who fixed the old one gains nothing."""
        self.previous_sid = self.previous_sid or self.sid
        self.sid = new_sid()
        self[CREATED] = time.time()  # the absolute lifetime counts from sign-in


def new_sid() -> str:
    return secrets.token_urlsafe(32)


class ServerSessionInterface(SessionInterface):
    """Flask session interface over a `SessionStore`, enforcing idle and absolute lifetimes."""

    def __init__(self, store: SessionStore, *, idle_seconds: int, max_seconds: int, secure: bool) -> None:
        self.store = store
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.secure = secure
        # `__Host-` binds the cookie to this exact origin, but browsers accept it only with Secure.
        self.cookie_name = "__Host-portal-session" if secure else "portal-session"

    def open_session(self, app: Flask, request: Request) -> PortalSession:
        sid = request.cookies.get(self.cookie_name, "")
        now = time.time()
        if sid and len(sid) < 100:
            data = self.store.load(sid)
            if data is not None:
                if now - data.get(SEEN, 0) > self.idle_seconds or now - data.get(CREATED, 0) > self.max_seconds:
                    self.store.delete(sid)
                    session = PortalSession(new_sid(), new=True)
                    session.expired = True
                    return session
                return PortalSession(sid, data)
        return PortalSession(new_sid(), new=True)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, PortalSession)
        if session.previous_sid:
            self.store.delete(session.previous_sid)
        if not session:
            # Nothing worth keeping: forget it on both sides.
            if not session.new:
                self.store.delete(session.sid)
                response.delete_cookie(self.cookie_name, path="/", secure=self.secure, samesite="Lax")
            return
        now = time.time()
        data = dict(session)
        data.setdefault(CREATED, now)
        data[SEEN] = now
        self.store.save(session.sid, data)
        response.set_cookie(
            self.cookie_name,
            session.sid,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="Lax",
        )
        response.vary.add("Cookie")
