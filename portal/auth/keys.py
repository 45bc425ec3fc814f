"""The signing keys of one identity provider (its JWKS), at the start of the data path: every token is checked here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

Key = RSAKey | ECKey | OKPKey

#: The key type each allowed signature algorithm needs.
KEY_TYPE_OF_ALG = {
    **{alg: "RSA" for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    **{alg: "EC" for alg in ("ES256", "ES384", "ES512")},
}

#: Seconds between two fetches of the key set caused by a token anyone could have posted (per provider, process).
REFETCH_INTERVAL = 60.0


class NoUsableKey(Exception):
    """No key can verify this token; the message says why (for the log, never for the person)."""


class ProviderKeys:
    """The key set of one provider, fetched lazily by `fetch` (which returns the JWKS document) and reused until
    a token names a key we do not have, or a token without `kid` fits none of ours: the provider has rotated its
    keys, and `refresh` fetches them again."""

    def __init__(
        self,
        fetch: Callable[[], dict[str, Any]],
        *,
        refetch_interval: float = REFETCH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._refetch_interval = refetch_interval
        self.clock = clock  # seconds, monotonic; tests replace it to travel in time
        self._keys: list[Key] | None = None
        self._fetched_at: float | None = None
        #: Counts the fetches: a caller that saw generation n and finds n+1 knows somebody fetched meanwhile.
        self.generation = 0
        self._lock = threading.Lock()

    def key_for(self, alg: str, kid: str | None) -> Key:
        """The one key we hold that must verify a token with this header, or raise NoUsableKey."""
        if alg not in KEY_TYPE_OF_ALG:
            raise NoUsableKey(f"algorithm {alg!r} is not accepted")
        with self._lock:
            keys = self._keys if self._keys is not None else self._load()
        signing = [k for k in keys if k.get("use") in (None, "sig")]
        if kid is None:
            # Which key did the provider mean? Only a key that can make this algorithm's signature qualifies;
            # with one such key it is clear, with several, guessing is refusing.
            fitting = [k for k in signing if k.key_type == KEY_TYPE_OF_ALG[alg] and k.get("alg") in (None, alg)]
            if len(fitting) != 1:
                raise NoUsableKey(f"token without kid while the provider publishes {len(fitting)} keys for {alg}")
            return fitting[0]
        matching = [k for k in signing if k.kid == kid]
        if not matching:
            raise NoUsableKey(f"no published key has kid {kid[:40]!r}")
        key = matching[0]
        if key.key_type != KEY_TYPE_OF_ALG[alg]:
            raise NoUsableKey(f"algorithm {alg} does not fit the {key.key_type} key {key.kid!r}")
        if key.get("alg") not in (None, alg):
            raise NoUsableKey(f"key {key.kid!r} is published for {key.get('alg')}, not {alg}")
        return key

    def refresh(self, seen_generation: int, *, trusted: bool) -> bool:
        """Fetch the key set again because a token did not fit the keys of `seen_generation`.

        True when there are newer keys to try: fetched now, or by a concurrent caller since that generation
        (concurrent sign-ins share one fetch). `trusted` (an ID token, from the provider's token endpoint over TLS in
        answer to our own request) fetches at once; otherwise (a back-channel logout token, which anyone can post) at
        most once per `refetch_interval`, so made-up `kid`s cannot make the portal hammer the provider. Network
        errors propagate: the provider is unavailable, not lying.
        """
        with self._lock:
            if self.generation != seen_generation:
                return True  # somebody fetched while this token was being checked: try those keys
            recent = self._fetched_at is not None and self.clock() - self._fetched_at < self._refetch_interval
            if not trusted and recent:
                return False
            self._load()
            return True

    def _load(self) -> list[Key]:
        self._fetched_at = self.clock()  # counted even when the fetch fails: a failing provider is not hammered
        document: Any = self._fetch()
        try:
            published = KeySet.import_key_set(document).keys
            keys = [k for k in published if isinstance(k, RSAKey | ECKey | OKPKey)]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise NoUsableKey(f"the provider's key set is unusable: {type(exc).__name__}") from exc
        self._keys = keys
        self.generation += 1
        return keys
