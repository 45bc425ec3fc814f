"""A hostile OpenID provider for the tests: `FakeProvider` that also forges what the OpenID conformance suite's
basic relying-party plan throws at a client (unsigned tokens, wrong keys, missing `kid`s, spoiled claims) and
signs back-channel logout tokens, good or spoiled.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from tests.unit.conftest import FakeProvider

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
OP_SESSION = "op-session-0123456789"


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


def ec_key(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(token: str) -> str:
    """The same claims under `alg: none`, with no signature (RFC 7519 "unsecured JWT")."""
    payload = token.split(".")[1]
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."


def hmac_signed(token: str, secret: str) -> str:
    """The same claims signed HS256 with the client secret: the classic algorithm-confusion forgery."""
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that the test client secret is short: the forger does not care
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret.encode()), algorithms=["HS256"])


@dataclass
class HostileProvider(FakeProvider):
    """Signs ID tokens as told; `forge` turns the honest token into a forged one (e.g. `unsigned`)."""

    forge: Any = None

    def id_token(self) -> str:
        token = super().id_token()
        return self.forge(token) if self.forge is not None else token

    def logout_token(
        self, *, key: RSAKey | ECKey | None = None, header_patch: dict[str, Any] | None = None, **patch: Any
    ) -> str:
        """A back-channel logout token for the provider session `OP_SESSION`; a None in `patch` drops a claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": "pps-portal",
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "sid": OP_SESSION,
            "sub": self.sub,
            "events": {BACKCHANNEL_EVENT: {}},
        }
        claims.update(patch)
        header = {"alg": self.alg, "kid": (key or self.key).kid, "typ": "logout+jwt", **(header_patch or {})}
        return jwt.encode(
            {k: v for k, v in header.items() if v is not None},
            {k: v for k, v in claims.items() if v is not None},
            key or self.key,
        )
