"""The signing keys of one identity provider (its JWKS), at the start of the data path: every token is checked here.

The key set is fetched once and reused. A token signed with a key we have never seen (the provider rotated its
keys) makes us fetch the set again, but at most once per `refetch_interval` seconds: otherwise anyone could make
the portal hammer the provider by sending tokens with made-up `kid`s (authlib refetches on every unknown `kid`).
"""

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

#: Seconds between two fetches of the key set caused by an unknown `kid` (per provider, per process).
REFETCH_INTERVAL = 60.0


class NoUsableKey(Exception):
    """No key can verify this token; the message says why (for the log, never for the person)."""


class ProviderKeys:
    """The key set of one provider, fetched lazily by `fetch` (which returns the JWKS document)."""

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
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key_for(self, alg: str, kid: str | None) -> Key:
        """The one published key that must verify a token with this header, or raise NoUsableKey."""
        if alg not in KEY_TYPE_OF_ALG:
            raise NoUsableKey(f"algorithm {alg!r} is not accepted")
        with self._lock:
            keys = self._current()
            if kid is not None and not any(k.kid == kid for k in keys) and self._may_refetch():
                keys = self._load()  # the provider may have rotated its keys since we last looked
        signing = [k for k in keys if k.get("use") in (None, "sig")]
        if kid is None:
            # Which key did the provider mean? With one key it is clear; with several, guessing is refusing.
            if len(signing) != 1:
                raise NoUsableKey(f"token without kid while the provider publishes {len(signing)} signing keys")
            key = signing[0]
        else:
            matching = [k for k in signing if k.kid == kid]
            if not matching:
                raise NoUsableKey(f"no published key has kid {kid[:40]!r}")
            key = matching[0]
        if key.key_type != KEY_TYPE_OF_ALG[alg]:
            raise NoUsableKey(f"algorithm {alg} does not fit the {key.key_type} key {key.kid!r}")
        if key.get("alg") not in (None, alg):
            raise NoUsableKey(f"key {key.kid!r} is published for {key.get('alg')}, not {alg}")
        return key

    def _current(self) -> list[Key]:
        if self._keys is None:
            return self._load()
        return self._keys

    def _may_refetch(self) -> bool:
        return self.clock() - self._fetched_at >= self._refetch_interval

    def _load(self) -> list[Key]:
        self._fetched_at = self.clock()  # counted even when the fetch fails: a failing provider is not hammered
        document: Any = self._fetch()  # network errors propagate: the provider is unavailable, not lying
        try:
            published = KeySet.import_key_set(document).keys
            keys = [k for k in published if isinstance(k, RSAKey | ECKey | OKPKey)]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise NoUsableKey(f"the provider's key set is unusable: {type(exc).__name__}") from exc
        self._keys = keys
        return keys
