"""An identity provider's answers, read as the store's are: the whole answer within the call's time, and no larger
than a provider ever needs to send.

requests' timeout bounds the connection and each read from the socket, never the answer: a provider trickling a
byte a second would hold the sign-in as long as it liked (and, while it held a discovery, every other sign-in and
`/readyz`, which wait for the same provider's lock), and an endless answer would be read whole into memory.
`within(seconds)` gives a call `hooks` that read the body with the store's own reader (`transport.read_body`: as it
arrives, stopping at the deadline or the size), and hand requests the body read; the errors are
`requests.RequestException`s, so every caller's handling of a provider that does not answer applies to them as it
is. They work for our own calls and for authlib's token request, which hands its `hooks` to requests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
import urllib3

from portal.store import StoreDocumentTooLarge, StoreUnavailable
from portal.store.transport import read_body

__all__ = ["MAX_ANSWER_BYTES", "AnswerTooLarge", "AnswerTooSlow", "within"]

#: The largest answer read from a provider. Discovery documents, key sets, token answers and userinfo are a few KB.
MAX_ANSWER_BYTES = 256 * 1024

Hooks = dict[str, Callable[..., requests.Response]]


class AnswerTooLarge(requests.RequestException):
    """The provider's answer is larger than any answer a provider needs to send."""


class AnswerTooSlow(requests.Timeout):
    """The provider's answer did not arrive whole within the call's time."""


def within(seconds: float, max_bytes: int = MAX_ANSWER_BYTES) -> Hooks:
    """requests' `hooks` for one call made now: its answer's body is read by `seconds` from now, at most
    `max_bytes` of it, or the call raises (and the connection is closed, so the provider sees it was cut)."""
    deadline = time.monotonic() + seconds

    def read(response: requests.Response, **_: Any) -> requests.Response:
        try:
            body = _read(response, deadline, max_bytes)
        except BaseException:
            response.close()
            raise
        # requests reads the body after its response hooks unless one already has: `content` gives what `_content`
        # holds once it is no longer False (how requests itself keeps a body it has read).
        response._content = body
        return response

    return {"response": read}


def _read(response: requests.Response, deadline: float, max_bytes: int) -> bytes:
    """The body, read as the store's are (`transport.read_body`: an error's body only its first 64 KB), its errors
    made requests errors."""
    where = response.url.split("?", 1)[0]
    try:
        return read_body(response, max_bytes, max(deadline - time.monotonic(), 0.001), where)
    except StoreDocumentTooLarge as exc:
        raise AnswerTooLarge(str(exc)) from exc
    except StoreUnavailable as exc:  # the deadline passed between two reads
        raise AnswerTooSlow(str(exc)) from exc
    except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:  # the last read waited until the deadline
        raise AnswerTooSlow(f"{where}: the answer did not arrive whole in time") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # cut short, or not what HTTP says it should be
        raise requests.ConnectionError(f"{where}: the answer was cut short: {type(exc).__name__}") from exc
