"""Pages compressed (brotli, else gzip) as the browser accepts them: the last change to an answer's body before it
leaves (web step of the data path, after the security headers).

Compressing a page that holds a secret beside text a visitor controls lets someone who sees the sizes of the
encrypted answers guess the secret a byte at a time (BREACH). What a page holds, and why none of it can be guessed
that way:

- the CSRF token is masked afresh for every answer (`portal.web.csrf`): the secret never repeats in the bytes, so no
  two answers can be compared to learn it;
- the CSP nonce is new for every answer (`portal.web.security.nonce`, a page answered from memory gets a new one):
  knowing an old nonce opens nothing, and no two answers share one;
- the session id, the "last seen" marks and the language live in cookies (headers, never compressed here);
- the plan itself (names, dates, treatments) is a secret too, so nothing a visitor chooses is compressed beside it:
  only a page asked for with GET, without a query string, and answered 200 is compressed. Its path is a route's
  (an unknown path answers 404, uncompressed), so the only text it repeats from the request is that path. A search
  (`?q=`), a version or a comparison asked by query, and every error page are sent as they are.

Only HTML is compressed: never an answer already encoded (static files, `portal.web.assets`), a download or a
document shown inline (`Content-Disposition`: PDF, calendar file, portable copy, original documents), a streamed
answer, a partial or empty one, or a body too small to gain from it.
"""

from __future__ import annotations

import gzip

import brotli  # type: ignore[import-untyped]
from flask import Response, request

from portal.web.assets import accepted_encoding

__all__ = ["ENCODINGS", "MIN_BYTES", "compress"]

#: Below this a page gains less than a TCP packet: sent as it is.
MIN_BYTES = 1024
#: Brotli 1, its fastest level: a plan page comes out about a tenth larger than at brotli 4 (a few hundred bytes,
#: less than a packet) for about a quarter of its CPU, which mattered in every first view (docs/performance.md).
BROTLI_QUALITY = 1
GZIP_LEVEL = 6
NO_BODY = frozenset({204, 206, 304})


#: What the portal compresses pages into, best first.
ENCODINGS = ("br", "gzip")


def _compressible(response: Response) -> bool:
    return (
        request.method == "GET"
        and not request.query_string
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and not response.direct_passthrough
        and "Content-Encoding" not in response.headers
        and "Content-Disposition" not in response.headers
        and response.status_code not in NO_BODY
    )


def compress(response: Response) -> None:
    """Compress an HTML answer in the best encoding `Accept-Encoding` allows (`Vary: Accept-Encoding` on every
    HTML answer, compressed or not)."""
    if not _compressible(response):
        return
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""), ENCODINGS)
    if encoding == "identity":
        return
    if encoding == "br":
        packed: bytes = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    else:
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    response.set_data(packed)  # sets Content-Length
    response.headers["Content-Encoding"] = encoding
