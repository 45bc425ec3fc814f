"""The store answer cache in Redis, shared by several instances of the portal (store step of the data path)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from redis import RedisError

from portal.store.cache import DEFAULT_REVALIDATE_SECONDS, Answer, CacheKey, entry_size

if TYPE_CHECKING:
    from redis import Redis
    from redis.typing import EncodableT

logger = logging.getLogger("portal.store")

DEFAULT_PREFIX = "portal:store-cache:"

# One script keeps the bound in bytes, atomic with the write: it forgets expired entries, writes the new one and
# evicts the entries closest to expiry until the total is within `max_bytes`. It names entry keys it builds itself,
# so it needs one Redis (or one cluster slot), not a cluster spreading the prefix.
# KEYS: index (sorted set digest → expiry), sizes (hash digest → bytes), total (bytes held).
# ARGV: now, max_bytes, prefix of entry keys, then for a write: digest, value, size, ttl in ms, expiry.
_SCRIPT = """
local function forget(digest)
  local size = redis.call('HGET', KEYS[2], digest)
  if size then redis.call('DECRBY', KEYS[3], size); redis.call('HDEL', KEYS[2], digest) end
  redis.call('ZREM', KEYS[1], digest)
  redis.call('DEL', ARGV[3] .. digest)
end
for _, digest in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do forget(digest) end
if #ARGV > 3 then
  forget(ARGV[4])
  redis.call('SET', ARGV[3] .. ARGV[4], ARGV[5], 'PX', ARGV[7])
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[6])
  redis.call('ZADD', KEYS[1], ARGV[8], ARGV[4])
  redis.call('INCRBY', KEYS[3], ARGV[6])
  while tonumber(redis.call('GET', KEYS[3]) or '0') > tonumber(ARGV[2]) do
    local first = redis.call('ZRANGE', KEYS[1], 0, 0)
    if #first == 0 then break end
    forget(first[1])
  end
end
return {redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[3]) or '0')}
"""


def _digest(key: CacheKey) -> str:
    """What Redis key names hold: a SHA-256 of the request, never its URL (a URL names a patient)."""
    return hashlib.sha256(json.dumps(list(key), separators=(",", ":")).encode()).hexdigest()


def _encode(answer: Answer, stored_at: float) -> bytes:
    header = {
        "status": answer.status,
        "type": answer.content_type,
        "etag": answer.etag,
        "at": stored_at,
        "fetched": answer.fetched_at,
    }
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + answer.body


def _decode(raw: bytes) -> tuple[Answer, float]:
    header_raw, _, body = raw.partition(b"\n")
    header: dict[str, Any] = json.loads(header_raw)
    answer = Answer(
        int(header["status"]), str(header["type"]), body, str(header["etag"]), float(header.get("fetched", 0.0))
    )
    return answer, float(header["at"])


class RedisResponseCache:
    """`ResponseCache`'s behaviour, in a Redis that several portal instances share. Used when Redis is configured;
    a sick Redis is a cache miss, never a failed page."""

    def __init__(
        self,
        client: Redis,
        *,
        ttl: float,
        max_bytes: int,
        revalidate: float = DEFAULT_REVALIDATE_SECONDS,
        prefix: str = DEFAULT_PREFIX,
        timer: Callable[[], float] = time.time,
    ) -> None:
        # Wall-clock time: the instances sharing the entries share no monotonic clock.
        self._redis = client
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.revalidate = revalidate
        self._prefix = prefix
        self._timer = timer
        self._keys = [f"{prefix}index", f"{prefix}sizes", f"{prefix}bytes"]
        self._script = client.register_script(_SCRIPT)

    def _entry_key(self, key: CacheKey) -> str:
        return f"{self._prefix}entry:{_digest(key)}"

    def _load(self, key: CacheKey) -> tuple[Answer, float] | None:

        try:
            raw = self._redis.get(self._entry_key(key))
        except RedisError as exc:
            logger.warning("store cache unavailable error=%s", type(exc).__name__)
            return None
        if not isinstance(raw, bytes):
            return None
        try:
            return _decode(raw)
        except (ValueError, KeyError):
            return None  # written by another version of the portal: a miss

    def get(self, key: CacheKey) -> Answer | None:
        """The answer while it is fresh (within the TTL), else None."""
        found = self._load(key)
        if found is None or self._timer() - found[1] >= self.ttl:
            return None
        return found[0]

    def get_stale(self, key: CacheKey) -> Answer | None:
        """The answer past its TTL, kept because it has an ETag to revalidate; None otherwise."""
        found = self._load(key)
        return found[0] if found is not None and found[0].etag else None

    def get_last_good(self, key: CacheKey) -> Answer | None:
        """The answer however old (within its life in Redis), for when the store fails and this process has no
        copy of its own: the client then shows it as a last good copy, with its time."""
        found = self._load(key)
        return found[0] if found is not None else None

    def put(self, key: CacheKey, answer: Answer) -> bool:
        """Keep a 200 answer (again fresh for a TTL); one larger than the whole bound is not kept."""
        size = entry_size(answer)
        if answer.status != 200 or size > self.max_bytes:
            return False
        now = self._timer()
        # Kept past its TTL for `revalidate` seconds, ETag or not: to revalidate it (ETag), and as the last good
        # copy any instance shows while the store fails (`get_last_good`).
        lifetime = self.ttl + self.revalidate
        digest = _digest(key)
        try:
            self._run(now, digest, _encode(answer, now), size, max(1, int(lifetime * 1000)), now + lifetime)
        except RedisError as exc:
            logger.warning("store cache unavailable error=%s", type(exc).__name__)
            return False
        return True

    def clear(self) -> None:
        for name in self._redis.scan_iter(match=f"{self._prefix}*"):
            self._redis.delete(name)

    def __len__(self) -> int:
        return int(self._run(self._timer())[0])

    @property
    def current_bytes(self) -> int:
        return int(self._run(self._timer())[1])

    def _run(self, now: float, *write: EncodableT) -> list[int]:
        args: list[EncodableT] = [now, self.max_bytes, f"{self._prefix}entry:", *write]
        result: list[int] = self._script(keys=self._keys, args=args)
        return result
