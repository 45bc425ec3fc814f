"""Sessions: before sign-in, a small signed cookie; after it, a random identifier whose data stays on the server (in the
process's memory, or in Redis for every worker)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from cachetools import TTLCache
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from redis import RedisError
from werkzeug.datastructures import CallbackDict

from portal.ops import redis_link

if TYPE_CHECKING:
    from redis import Redis

    from portal.settings import Settings

log = logging.getLogger("portal.auth")

CREATED = "_created"
ENDED = "_ended"
#: In the anonymous cookie: the session this browser held was lost (not ended on purpose), for the start page.
LOST = "_lost"
#: Paths that never need a session (asked often, by machines or for files): the store is not even asked.
SESSIONLESS_PATHS = ("/static/", "/healthz", "/readyz")


class SessionStoreUnavailable(Exception):
    """The session store (Redis) did not answer: nothing is known about the session, nothing was written.

    Raised at once while the Redis breaker is open (`portal.ops.redis_link`). The browser keeps its cookie: the
    request gets `SessionsUnavailable`, and the person is still signed in once Redis answers again.
    """


class SessionsUnavailable(Exception):
    """This request needs its session and the store cannot give it now: the portal's own 503 page."""


#: Seconds a timed-out session is still kept, only to tell its browser that it ended (the idle check itself is done
#: here, on the last-seen time, not by the store's expiry).
EXPIRED_GRACE_SECONDS = 600
#: With Sentinel, how long a sign-in waits at most for a replica to hold its new session.
REPLICA_WAIT_MS = 100

#: The session keys a back-channel logout looks sessions up by (set at sign-in, see `portal.auth.views`).
LOGOUT_KEYS = ("oidc_sid", "oidc_sub")

#: How long an anonymous cookie is honoured after it was last written (sign-ins in progress expire sooner).
ANONYMOUS_MAX_AGE_SECONDS = 24 * 3600
#: Above this size the anonymous cookie drops its oldest pending sign-ins (browsers refuse cookies over 4 KB).
ANONYMOUS_MAX_BYTES = 3000
#: Keys of sign-ins in progress, as authlib names them in the session.
SIGN_IN_STATE_PREFIX = "_state_"


class StoredSession:
    """What the store holds for one signed-in session: its data, and when it was last seen."""

    __slots__ = ("data", "seen")

    def __init__(self, data: dict[str, Any], seen: float) -> None:
        self.data = data
        self.seen = seen


class SessionStore(Protocol):
    """Where signed-in sessions live, by session identifier.

    Writes are conditional: a session is created only once (at sign-in, under a new identifier) and afterwards
    written only where it still exists (its data when a request changed it, its last-seen time otherwise), so a
    request still running when the person signs out (or is signed out by the provider, or times out) cannot bring
    the session back.
    """

    def load(self, sid: str) -> StoredSession | None: ...

    def create(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        """Store a new session; False (and nothing written) if the identifier is taken."""
        ...

    def replace(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        """Replace the data of a session that still exists; False (and nothing written) if it does not."""
        ...

    def touch(self, sid: str, seen: float) -> bool:
        """Note activity on a session that still exists, data untouched; False if it does not."""
        ...

    def delete(self, sid: str) -> None: ...

    def delete_where(self, key: str, value: str) -> int: ...

    def born(self, now: float) -> float:
        """Since when this store holds sessions (epoch seconds): what it was holding before then is lost. A session
        it does not know although it was born more recently than any session could have timed out was lost (a
        restart without Redis, a Redis emptied), and the start page says so."""
        ...


class MemorySessionStore:
    """A bounded, thread-safe in-process store; entries vanish a little after the idle timeout."""

    def __init__(self, idle_seconds: int, max_sessions: int = 50_000, born: float | None = None) -> None:
        ttl = idle_seconds + EXPIRED_GRACE_SECONDS
        self._data: TTLCache[str, StoredSession] = TTLCache(maxsize=max_sessions, ttl=ttl)
        self._lock = threading.Lock()
        self._born = time.time() if born is None else born

    def born(self, now: float) -> float:
        return self._born

    def load(self, sid: str) -> StoredSession | None:
        with self._lock:
            stored = self._data.get(sid)
            return StoredSession(dict(stored.data), stored.seen) if stored is not None else None

    def create(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        with self._lock:
            if sid in self._data:
                return False
            self._data[sid] = StoredSession(dict(data), seen)
            return True

    def replace(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        with self._lock:
            if sid not in self._data:
                return False
            self._data[sid] = StoredSession(dict(data), seen)  # re-inserted: the entry's lifetime starts again
            return True

    def touch(self, sid: str, seen: float) -> bool:
        with self._lock:
            stored = self._data.get(sid)
            if stored is None:
                return False
            self._data[sid] = StoredSession(stored.data, seen)
            return True

    def delete(self, sid: str) -> None:
        with self._lock:
            self._data.pop(sid, None)

    def delete_where(self, key: str, value: str) -> int:
        """End every session whose `key` equals `value` (back-channel logout by `sid` or `sub`)."""
        with self._lock:
            doomed = [sid for sid, stored in self._data.items() if stored.data.get(key) == value]
            for sid in doomed:
                del self._data[sid]
            return len(doomed)

    def __len__(self) -> int:
        with self._lock:
            self._data.expire()
            return len(self._data)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._data.keys()))


# Each write is one Lua script, so that "only if it exists" and the write happen as one step in Redis.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'seen', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'NX')
return 1
"""
_REPLACE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'seen', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'seen', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def _unavailable(method: Callable[..., Any]) -> Callable[..., Any]:
    """A Redis failure becomes SessionStoreUnavailable (one exception type for the session interface)."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except RedisError as exc:
            raise SessionStoreUnavailable(f"Redis: {type(exc).__name__}") from exc

    return call


class RedisSessionStore:
    """Sessions in Redis, shared by every worker: one hash per session (`data`, `seen`) that expires on its own.
    An index per `LOGOUT_KEYS` value finds the sessions a back-channel logout ends without scanning the database.
    Every failure to reach Redis is a `SessionStoreUnavailable`.

    One more key without expiry, `{prefix}born`, says since when this Redis holds sessions: set with the first
    session written (or the first unknown identifier asked about) after it was emptied or started afresh."""

    def __init__(
        self, client: Redis, idle_seconds: int, prefix: str = "portal:session:", *, replicated: bool = False
    ) -> None:
        self._redis = client
        #: With Redis Sentinel: a new session is written to a replica too before the sign-in ends (WAIT), so
        #: that a failover an instant later still knows it. Best effort: without a replica, it waits no longer.
        self._replicated = replicated
        self._ttl = idle_seconds + EXPIRED_GRACE_SECONDS
        self._prefix = prefix
        self._create = client.register_script(_CREATE)
        self._replace = client.register_script(_REPLACE)
        self._touch = client.register_script(_TOUCH)

    def _key(self, sid: str) -> str:
        return self._prefix + sid

    def _index(self, key: str, value: str) -> str:
        # Hashed: the index name holds no identifier of the person in clear.
        return f"{self._prefix}by-{key}:{hashlib.sha256(value.encode()).hexdigest()}"

    @_unavailable
    def born(self, now: float) -> float:
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(self._born_key, repr(now), nx=True)
        pipe.get(self._born_key)
        raw = pipe.execute()[1]
        try:
            return float(raw)
        except (TypeError, ValueError):
            return now

    @property
    def _born_key(self) -> str:
        return self._prefix + "born"

    @_unavailable
    def load(self, sid: str) -> StoredSession | None:
        raw = self._redis.hgetall(self._key(sid))
        if not raw:
            return None
        fields = {k.decode() if isinstance(k, bytes) else str(k): v for k, v in raw.items()}
        try:
            data = json.loads(fields["data"])
            seen = float(fields["seen"])
        except (KeyError, ValueError, TypeError):
            return None  # not written by this code: as good as absent
        return StoredSession(data, seen) if isinstance(data, dict) else None

    @_unavailable
    def create(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        if not self._create(keys=[self._key(sid), self._born_key], args=[json.dumps(data), repr(seen), self._ttl]):
            return False
        pipe = self._redis.pipeline()
        for key in LOGOUT_KEYS:
            value = data.get(key)
            if isinstance(value, str):
                pipe.sadd(self._index(key, value), sid)
                pipe.expire(self._index(key, value), self._ttl)
        pipe.execute()
        if self._replicated:
            self._redis.wait(1, REPLICA_WAIT_MS)
        return True

    @_unavailable
    def replace(self, sid: str, data: dict[str, Any], seen: float) -> bool:
        return bool(self._replace(keys=[self._key(sid)], args=[json.dumps(data), repr(seen), self._ttl]))

    @_unavailable
    def touch(self, sid: str, seen: float) -> bool:
        return bool(self._touch(keys=[self._key(sid)], args=[repr(seen), self._ttl]))

    @_unavailable
    def delete(self, sid: str) -> None:
        self._redis.delete(self._key(sid))

    @_unavailable
    def delete_where(self, key: str, value: str) -> int:
        """End every session whose `key` (one of `LOGOUT_KEYS`) equals `value`."""
        if key not in LOGOUT_KEYS:
            raise ValueError(f"sessions are not indexed by {key!r}")
        index = self._index(key, value)
        ended = 0
        for member in self._redis.smembers(index):
            sid = member.decode() if isinstance(member, bytes) else str(member)
            stored = self.load(sid)
            if stored is not None and stored.data.get(key) == value:
                self.delete(sid)
                ended += 1
        self._redis.delete(index)
        return ended


def redis_client(url: str) -> Redis:
    """The Redis client for `url` with the default timeout: one per process, shared by sessions, logout memory,
    rate limits and the store cache; short timeouts and a fail-fast breaker (`portal.ops.redis_link`)."""
    return redis_link.cached(("url", url, redis_link.DEFAULT_TIMEOUT), lambda: redis_link.url_client(url))


def shared_redis(settings: Settings) -> Redis:
    """The process's client of the shared Redis of `settings` (by URL, or through Redis Sentinel)."""
    if settings.redis_sentinels:
        assert settings.redis_sentinel_service is not None  # Settings.check_consistency
        service = settings.redis_sentinel_service
        key = ("sentinel", settings.redis_sentinels, service, settings.redis_url, settings.redis_timeout)
        return redis_link.cached(
            key,
            lambda: redis_link.sentinel_client(
                settings.redis_sentinels,
                service,
                settings.redis_url,
                sentinel_password=settings.redis_sentinel_password,
                timeout=settings.redis_timeout,
            ),
        )
    url = settings.redis_url
    assert url is not None
    if settings.redis_timeout == redis_link.DEFAULT_TIMEOUT:
        return redis_client(url)
    return redis_link.cached(
        ("url", url, settings.redis_timeout), lambda: redis_link.url_client(url, settings.redis_timeout)
    )


def make_store(settings: Settings, idle_seconds: int) -> SessionStore:
    """Redis when one is configured (several workers, restarts), else memory (one process, development)."""
    if settings.redis_enabled:
        return RedisSessionStore(shared_redis(settings), idle_seconds, replicated=bool(settings.redis_sentinels))
    return MemorySessionStore(idle_seconds=idle_seconds)


class PortalSession(CallbackDict[str, Any], SessionMixin):
    """The session of one browser: anonymous (held in a signed cookie) until `regenerate()` at sign-in makes it
    a server-side session under a new identifier.

    Nothing is stored on the server before sign-in: what an anonymous browser needs (the CSRF token of the language
    form, the sign-in state, the page it wanted, the news that its session ended) travels in the signed cookie, so
    anonymous traffic cannot evict anybody or grow anything.
    """

    def __init__(self, data: dict[str, Any] | None = None, *, sid: str = "", server: bool = False) -> None:
        def on_update(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.server = server
        self.new = not server
        self.modified = False
        #: The data as it was loaded, as JSON with sorted keys: written back only when it differs.
        self.original = _as_stored(data or {})
        #: Set by `regenerate()`: the server-side identifier this browser held before (to delete), if any.
        self.previous_sid: str | None = None
        self.regenerated = False
        #: The browser's identifier named no live session (ended, timed out): its cookie is removed.
        self.drop_cookie = False
        #: The store could not be asked: this request gets no session, and nothing at all is written back.
        self.unavailable = False
        #: Written to the store already during the request (`ServerSessionInterface.create_now`).
        self.stored = False

    @property
    def expired(self) -> bool:
        """True for the first page that asks after this browser's session timed out (then forgotten).

        Kept in the anonymous cookie rather than on the object, so that a request that does not ask (the
        dialog's late "stay signed in" call) leaves the news for the start page the script goes to next.
        """
        if self.get(ENDED):
            del self[ENDED]
            return True
        return False

    @property
    def lost(self) -> bool:
        """True for the first page that asks after this browser's session was lost to a technical problem."""
        if self.get(LOST):
            del self[LOST]
            return True
        return False

    def regenerate(self) -> None:
        """Sign-in: a new identifier on the server side, keeping the content; whoever fixed or saw the old
        identifier (or the anonymous cookie) gains nothing."""
        if self.server and self.previous_sid is None:
            self.previous_sid = self.sid
        self.server = True
        self.regenerated = True
        self.sid = new_sid()
        self.stored = False
        self.pop(CREATED, None)  # the absolute lifetime counts from this sign-in


def _now() -> float:
    return time.time()


def new_sid() -> str:
    return secrets.token_urlsafe(32)


def _as_stored(data: Mapping[str, Any]) -> str:
    """The data as JSON with its keys sorted: equal for equal data, whatever order it was set in."""
    return json.dumps(data, sort_keys=True)


def _changed(session: PortalSession) -> bool:
    """Whether the data differs from what was loaded (compared as stored: JSON). A change nested in a value counts
    too (the session's own `modified` flag sees only its top-level keys set)."""
    return _as_stored(session) != session.original


class ServerSessionInterface(SessionInterface):
    """Flask session interface: the anonymous signed cookie, or a `SessionStore` entry with idle and absolute
    lifetimes.

    Not Flask's signed-cookie session once signed in: tokens must never reach the browser, the identifier must be
    renewed at sign-in, and a back-channel logout must be able to end a session the browser still holds.
    """

    def __init__(
        self,
        store: SessionStore,
        *,
        idle_seconds: int,
        max_seconds: int,
        secure: bool,
        secret_key: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.secure = secure
        self.clock = clock or _now  # epoch seconds; tests replace it to travel in time
        # `__Host-` binds the cookie to this exact origin, but browsers accept it only with Secure.
        self.cookie_name = "__Host-portal-session" if secure else "portal-session"
        self.anonymous_cookie_name = "__Host-portal-anonymous" if secure else "portal-anonymous"
        self._serializer = URLSafeTimedSerializer(secret_key, salt="portal.auth.session.anonymous")

    def open_session(self, app: Flask, request: Request) -> PortalSession:
        anonymous = self._anonymous_data(request)
        sid = request.cookies.get(self.cookie_name, "")
        if not sid or request.path.startswith(SESSIONLESS_PATHS):
            return PortalSession(anonymous)
        try:
            return self._open_server(sid, anonymous)
        except SessionStoreUnavailable as exc:
            log.warning("session store unavailable: %s", exc)
            session = PortalSession(anonymous)
            session.unavailable = True  # the cookie stays: the person is signed in again once Redis answers
            return session

    def _open_server(self, sid: str, anonymous: dict[str, Any]) -> PortalSession:
        stored = self.store.load(sid) if len(sid) < 100 else None
        now = self.clock()
        if stored is not None:
            too_old = now - float(stored.data.get(CREATED, 0)) > self.max_seconds
            if now - stored.seen <= self.idle_seconds and not too_old:
                return PortalSession(stored.data, sid=sid, server=True)
            self.store.delete(sid)
            session = PortalSession(anonymous)
            session[ENDED] = True  # for the start page: "your session ended" (kept in the anonymous cookie)
        else:
            session = PortalSession(anonymous)
            if now - self.store.born(now) <= self.idle_seconds + EXPIRED_GRACE_SECONDS:
                # The store is younger than any session that could have timed out: this one was lost with
                # what the store held before (a restart, a Redis emptied), not ended by anybody.
                session[LOST] = True
            # Otherwise it ended elsewhere (sign-out, provider) or long ago: nothing to say.
        session.drop_cookie = True
        return session

    def create_now(self, session: PortalSession) -> None:
        """Write a session just signed in at once (the sign-in callback), rather than after the answer is built:
        a store that cannot take it then gets the portal's own page (SessionsUnavailable), not a broken answer."""
        if not session.regenerated or session.stored:
            return
        now = self.clock()
        data = dict(session)
        data.setdefault(CREATED, now)
        session[CREATED] = data[CREATED]
        try:
            if session.previous_sid:
                self.store.delete(session.previous_sid)
                session.previous_sid = None
            if not self.store.create(session.sid, data, now):
                raise RuntimeError("a new session identifier was already taken")  # 256 random bits: never
        except SessionStoreUnavailable as exc:
            log.warning("session store unavailable at sign-in: %s", exc)
            session.unavailable = True
            raise SessionsUnavailable() from exc
        session.stored = True
        session.original = _as_stored(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, PortalSession)
        if session.unavailable:
            if not session.server:
                self._save_anonymous(session, response)  # its own cookie: nothing on the server side
            return  # the session cookie stays as it is
        if session.server:
            try:
                self._save_server(session, response)
            except SessionStoreUnavailable as exc:
                # The answer is built already: it goes out, and the store keeps what it had (a data change of
                # this request is lost, the cookie stays). One line, no traceback.
                log.warning("session store unavailable, session not updated: %s", exc)
                if session.regenerated and not session.stored:
                    self._delete_cookie(response, self.cookie_name)
                return
        else:
            self._save_anonymous(session, response)
        if session.drop_cookie:
            self._delete_cookie(response, self.cookie_name)

    def _save_server(self, session: PortalSession, response: Response) -> None:
        now = self.clock()
        if session.previous_sid:
            self.store.delete(session.previous_sid)
        if not session:
            # Signed out: forget it on both sides.
            if not session.regenerated or session.stored:
                self.store.delete(session.sid)
            self._delete_cookie(response, self.cookie_name)
            return
        data = dict(session)
        if session.regenerated:
            if not session.stored:
                data.setdefault(CREATED, now)
                if not self.store.create(session.sid, data, now):
                    raise RuntimeError("a new session identifier was already taken")  # 256 random bits: never
            self._set_cookie(response, self.cookie_name, session.sid)
            self._delete_cookie(response, self.anonymous_cookie_name)  # what it held is now on the server side
            if session.stored and _changed(session):
                self.store.replace(session.sid, data, now)  # (a failure here leaves the session as created)
        else:
            still_there = self.store.replace(session.sid, data, now) if _changed(session) else None
            if still_there is None:
                still_there = self.store.touch(session.sid, now)
            if not still_there:
                # Ended while this request ran (sign-out elsewhere, back-channel logout, timeout): stay ended.
                self._delete_cookie(response, self.cookie_name)
                return
        response.vary.add("Cookie")

    def _save_anonymous(self, session: PortalSession, response: Response) -> None:
        if not _changed(session):
            return
        data = _trimmed(dict(session), self._serializer)
        if data:
            self._set_cookie(response, self.anonymous_cookie_name, self._serializer.dumps(data))
        else:
            self._delete_cookie(response, self.anonymous_cookie_name)
        response.vary.add("Cookie")

    def _anonymous_data(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(self.anonymous_cookie_name)
        if not raw or len(raw) > 4096:
            return {}
        try:
            data = self._serializer.loads(raw, max_age=ANONYMOUS_MAX_AGE_SECONDS)
        except BadSignature:
            return {}  # forged, damaged or too old: start afresh
        return data if isinstance(data, dict) else {}

    def _set_cookie(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, path="/", secure=self.secure, httponly=True, samesite="Lax")

    def _delete_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="Lax")


def _trimmed(data: dict[str, Any], serializer: URLSafeTimedSerializer) -> dict[str, Any]:
    """The anonymous data, without its oldest sign-ins in progress while the cookie would be too large."""
    pending = [key for key in data if key.startswith(SIGN_IN_STATE_PREFIX)]
    while pending and len(serializer.dumps(data)) > ANONYMOUS_MAX_BYTES:
        data.pop(pending.pop(0))
    return data
