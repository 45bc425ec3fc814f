"""Server-side sessions: the browser holds only a random identifier; what we know of the person stays here.

Why not Flask's signed-cookie session: tokens must never reach the browser, the identifier must be renewed at
sign-in, and a back-channel logout must be able to end a session the browser still holds. Sessions live in a
bounded in-process store (one process, development and small deployments), or in Redis when `PORTAL_REDIS_URL`
is set, so that every worker sees the same sessions and a back-channel logout ends them everywhere.

A store keeps an entry a little longer than the idle timeout (`EXPIRED_GRACE_SECONDS`): the idle check itself
is done here, on `_seen`, and finding the stale entry is what lets the start page say "your session ended".
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from cachetools import TTLCache
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

if TYPE_CHECKING:
    from redis import Redis

CREATED = "_created"
SEEN = "_seen"
ENDED = "_ended"

#: Seconds a timed-out session is still kept, only to tell its browser that it ended.
EXPIRED_GRACE_SECONDS = 600

#: The session keys a back-channel logout looks sessions up by (set at sign-in, see `portal.auth.views`).
LOGOUT_KEYS = ("oidc_sid", "oidc_sub")


class SessionStore(Protocol):
    """Where session data lives, by session identifier."""

    def load(self, sid: str) -> dict[str, Any] | None: ...

    def save(self, sid: str, data: dict[str, Any]) -> None: ...

    def delete(self, sid: str) -> None: ...

    def delete_where(self, key: str, value: str) -> int: ...


class MemorySessionStore:
    """A bounded, thread-safe in-process store; entries vanish a little after the idle timeout."""

    def __init__(self, idle_seconds: int, max_sessions: int = 50_000) -> None:
        ttl = idle_seconds + EXPIRED_GRACE_SECONDS
        self._data: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=max_sessions, ttl=ttl)
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


class RedisSessionStore:
    """Sessions in Redis, shared by every worker. Entries expire on their own; an index per `LOGOUT_KEYS` value
    finds the sessions a back-channel logout ends without scanning the database."""

    def __init__(self, client: Redis, idle_seconds: int, prefix: str = "portal:session:") -> None:
        self._redis = client
        self._ttl = idle_seconds + EXPIRED_GRACE_SECONDS
        self._prefix = prefix

    def _key(self, sid: str) -> str:
        return self._prefix + sid

    def _index(self, key: str, value: str) -> str:
        # Hashed: the index name holds no identifier of the person in clear.
        return f"{self._prefix}by-{key}:{hashlib.sha256(value.encode()).hexdigest()}"

    def load(self, sid: str) -> dict[str, Any] | None:
        raw = self._redis.get(self._key(sid))
        if raw is None:
            return None
        data = json.loads(raw)
        return data if isinstance(data, dict) else None

    def save(self, sid: str, data: dict[str, Any]) -> None:
        pipe = self._redis.pipeline()
        pipe.set(self._key(sid), json.dumps(data), ex=self._ttl)
        for key in LOGOUT_KEYS:
            value = data.get(key)
            if isinstance(value, str):
                pipe.sadd(self._index(key, value), sid)
                pipe.expire(self._index(key, value), self._ttl)
        pipe.execute()

    def delete(self, sid: str) -> None:
        self._redis.delete(self._key(sid))

    def delete_where(self, key: str, value: str) -> int:
        """End every session whose `key` (one of `LOGOUT_KEYS`) equals `value`."""
        if key not in LOGOUT_KEYS:
            raise ValueError(f"sessions are not indexed by {key!r}")
        index = self._index(key, value)
        ended = 0
        for member in self._redis.smembers(index):
            sid = member.decode() if isinstance(member, bytes) else str(member)
            data = self.load(sid)
            if data is not None and data.get(key) == value:
                self.delete(sid)
                ended += 1
        self._redis.delete(index)
        return ended


def redis_client(url: str) -> Redis:
    """The Redis client for `url`: one per process, shared by sessions, logout memory and rate limits."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(url)
        if client is None:
            import redis  # optional dependency: only needed when PORTAL_REDIS_URL is set

            # Short timeouts: a page must not hang on a sick Redis any more than on a sick store.
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
            _CLIENTS[url] = client
        return client


_CLIENTS: dict[str, Redis] = {}
_CLIENTS_LOCK = threading.Lock()


def make_store(redis_url: str | None, idle_seconds: int) -> SessionStore:
    """Redis when a URL is configured (several workers), else memory (one process)."""
    if redis_url:
        return RedisSessionStore(redis_client(redis_url), idle_seconds)
    return MemorySessionStore(idle_seconds=idle_seconds)


class PortalSession(CallbackDict[str, Any], SessionMixin):
    """The session of one browser. `regenerate()` gives it a new identifier (at sign-in)."""

    def __init__(self, sid: str, data: dict[str, Any] | None = None, *, new: bool = False) -> None:
        def on_update(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.new = new
        self.modified = False
        self.previous_sid: str | None = None

    @property
    def expired(self) -> bool:
        """True for the first page that asks after this browser's session timed out (then forgotten).

        Kept in the new session's data rather than on the object, so that a request that does not ask (the
        dialog's late "stay signed in" call) leaves the news for the start page the script goes to next.
        """
        if self.get(ENDED):
            del self[ENDED]
            return True
        return False

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
                    return PortalSession(new_sid(), {ENDED: True}, new=True)
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
