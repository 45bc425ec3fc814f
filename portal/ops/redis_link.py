"""The Redis a process shares with the others (sessions, back-channel logout memory, rate limits, store answers):
one client per process, short timeouts and a fail-fast circuit breaker, beside the data path."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.retry import Retry
from redis.sentinel import Sentinel

from portal.settings import parse_sentinels
from portal.store.breaker import CircuitBreaker, CircuitOpen

log = logging.getLogger("portal.redis")

#: Consecutive failures after which calls fail at once for a while.
FAILURES = 3
#: Seconds before a trial call, stretched by up to `JITTER` of itself so that workers do not all try at once.
COOL_DOWN = 2.0
JITTER = 0.5
#: Redis answers at once when it is well: a call slower than this (`PORTAL_REDIS_TIMEOUT`) means it is not.
DEFAULT_TIMEOUT = 0.25


class RedisUnavailable(redis.exceptions.ConnectionError):
    """Redis failed repeatedly a moment ago: this call was not sent."""


def _retry() -> Retry:
    # A broken connection (a Redis that restarted leaves dead ones in the pool) is tried again once, at once, on a
    # new one; a timeout never is.
    return Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,))


class _Guard:
    """The breaker around one call: fails at once while open, counts the outcome otherwise."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    def before(self) -> None:
        try:
            self.breaker.before_call()
        except CircuitOpen:
            raise RedisUnavailable("Redis failed repeatedly a moment ago") from None

    def outcome(self, exc: BaseException | None) -> None:
        if exc is None or (isinstance(exc, redis.exceptions.RedisError) and not _is_failure(exc)):
            self.breaker.record_success()  # an answer, even an error answer: Redis is there
        elif _is_failure(exc):
            self.breaker.record_failure()
        else:
            self.breaker.release()


def _is_failure(exc: BaseException) -> bool:
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError) and not isinstance(
        exc, RedisUnavailable
    )


class GuardedPipeline(Pipeline):
    """A pipeline whose `execute` goes through the client's breaker."""

    guard: _Guard

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        self.guard.before()
        try:
            result: list[Any] = super().execute(raise_on_error)
        except BaseException as exc:
            self.guard.outcome(exc)
            raise
        self.guard.outcome(None)
        return result


class GuardedRedis(redis.Redis):
    """`redis.Redis` whose every command (scripts included) and pipeline goes through a circuit breaker."""

    guard: _Guard

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.guard.before()
        try:
            result = super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except BaseException as exc:
            self.guard.outcome(exc)
            raise
        self.guard.outcome(None)
        return result

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> GuardedPipeline:
        pipe = GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.guard = self.guard
        return pipe

    def ping_unguarded(self) -> bool:
        """Ask Redis itself, whatever the breaker says (for /readyz); True when it answers PONG."""
        try:
            return bool(redis.Redis.execute_command(self, "PING"))  # type: ignore[no-untyped-call]
        except redis.exceptions.RedisError:
            return False

    @property
    def breaker(self) -> CircuitBreaker:
        return self.guard.breaker


def _guarded(client: GuardedRedis) -> GuardedRedis:
    client.guard = _Guard(CircuitBreaker(failure_threshold=FAILURES, cool_down=COOL_DOWN, jitter=JITTER, name="Redis"))
    return client


def _connection(timeout: float) -> dict[str, Any]:
    """Every client's connection: short timeouts, a health check, no retry of its own (the breaker decides).

    redis-py's defaults would wait long and retry with a growing pause: under load, every thread of a worker then
    waits on a paused Redis and pages take seconds.
    """
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30,
        "retry": _retry(),
    }


def url_client(url: str, timeout: float = DEFAULT_TIMEOUT) -> GuardedRedis:
    """A guarded client of the Redis at `url` (redis://, rediss://, unix://)."""
    client = GuardedRedis.from_url(url, **_connection(timeout))
    assert isinstance(client, GuardedRedis)
    return _guarded(client)


def sentinel_client(
    sentinels: Sequence[str],
    service: str,
    url: str | None = None,
    *,
    sentinel_password: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> GuardedRedis:
    """A guarded client of the primary that the sentinels name `service`; it follows failovers (redis-py's
    `Sentinel` asks the sentinels again). `url` (`PORTAL_REDIS_URL`) then only gives the password, the database and
    TLS (`rediss://`): its host is not used."""
    options: dict[str, Any] = {}
    if url:
        parts = urlsplit(url)
        if parts.password:
            options["password"] = unquote(parts.password)
        if parts.username:
            options["username"] = unquote(parts.username)
        database = parts.path.strip("/")
        if database.isdigit():
            options["db"] = int(database)
        if parts.scheme == "rediss":
            options["ssl"] = True
    quick = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": Retry(NoBackoff(), 0)}
    manager = Sentinel(  # type: ignore[no-untyped-call]
        parse_sentinels(sentinels),
        sentinel_kwargs={**quick, **({"password": sentinel_password} if sentinel_password else {})},
        **quick,
    )
    client = manager.master_for(  # type: ignore[no-untyped-call]
        service, redis_class=GuardedRedis, **_connection(timeout), **options
    )
    assert isinstance(client, GuardedRedis)
    return _guarded(client)


_CLIENTS: dict[tuple[object, ...], redis.Redis] = {}
_LOCK = threading.Lock()


def cached(key: tuple[object, ...], make: Any) -> redis.Redis:
    """One client per process for each configuration (sessions, logout memory, limits and cache share it)."""
    with _LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = make()
        return client


def ping(client: redis.Redis) -> bool:
    """Whether Redis answers now, asked directly (not through the breaker when the client has one)."""
    if isinstance(client, GuardedRedis):
        return client.ping_unguarded()
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
