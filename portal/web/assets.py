"""Static files with content-hashed names, cached for a year and sent compressed (web step, last before the browser)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import brotli  # type: ignore[import-untyped]  # smaller than gzip by a tenth or so; gzip is what every browser takes
from flask import Flask, Response, request, url_for
from werkzeug.exceptions import NotFound

CACHE_FOREVER = "public, max-age=31536000, immutable"
HASH_LENGTH = 12
#: Below this, compression costs more (headers, CPU) than it saves.
MIN_COMPRESS_BYTES = 512


@dataclass(frozen=True)
class Asset:
    """One static file in memory: its bytes as they are, and compressed where that is smaller."""

    content_type: str
    etag: str
    encodings: dict[str, bytes] = field(default_factory=dict)  # "identity", "gzip", "br"


def hashed_name(name: str, data: bytes) -> str:
    """`css/portal.css` → `css/portal.<first 12 hex of SHA-256>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _compressed(data: bytes) -> dict[str, bytes]:
    encodings = {"identity": data}
    if len(data) < MIN_COMPRESS_BYTES:
        return encodings
    # mtime=0: the same file always gives the same bytes (and the same length) in every instance.
    candidates = {"gzip": gzip.compress(data, compresslevel=9, mtime=0), "br": brotli.compress(data, quality=11)}
    encodings.update({name: packed for name, packed in candidates.items() if len(packed) < len(data)})
    return encodings


def _content_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "image/svg+xml"):
        return f"{guessed}; charset=utf-8"
    return guessed


class Assets:
    """The hashed names of every file under a static folder, and the in-memory copies they are served from.

    Not WhiteNoise: it serves files from disk, so the hashed and compressed copies would have to be written at install
    time or into the package at start. Our assets are small: hashing and compressing them once in memory when the
    app starts is simpler and works on a read-only file system.
    """

    def __init__(self, folder: Path) -> None:
        self.names: dict[str, str] = {}  # plain name → hashed name
        self.files: dict[str, Asset] = {}  # hashed name → asset
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            hashed = hashed_name(name, data)
            self.names[name] = hashed
            self.files[hashed] = Asset(_content_type(name), f'"{hashed.rsplit(".", 2)[-2]}"', _compressed(data))

    def url_name(self, name: str) -> str:
        """The hashed name of a plain one; a name we do not know stays as it is (Flask then answers 404)."""
        return self.names.get(name, name)


def accepted_encoding(header: str, offered: Iterable[str]) -> str:
    """The best of `offered` the browser accepts (brotli, then gzip), else "identity"."""
    accepted: dict[str, float] = {}
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if token:
            accepted[token.strip().lower()] = quality
    for encoding in ("br", "gzip"):
        if encoding in offered and accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return "identity"


def serve(assets: Assets, filename: str) -> Response:
    """The static view: a hashed name is kept a year (new content is a new name, so a browser never needs to ask
    again); a plain name (still linked by some pages) is revalidated (ETag) on every use. Both in brotli or gzip, as
    `Accept-Encoding` allows."""
    hashed = filename in assets.files
    asset = assets.files.get(filename) or assets.files.get(assets.names.get(filename, ""))
    if asset is None:
        raise NotFound()
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""), asset.encodings)
    etag = asset.etag if encoding == "identity" else f'{asset.etag[:-1]}-{encoding}"'
    body = asset.encodings[encoding]
    response = Response(b"" if request.method == "HEAD" else body, content_type=asset.content_type)
    response.headers["Cache-Control"] = CACHE_FOREVER if hashed else "no-cache"
    response.headers["ETag"] = etag
    response.vary.add("Accept-Encoding")
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if etag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
        response.status_code = 304
        response.set_data(b"")
        return response
    response.content_length = len(body)
    return response


#: The static files' URLs kept per process (`asset_url`): every file under every script root seen, in practice one.
URLS_KEPT = 256


def init_app(app: Flask) -> None:
    """Hash and compress the static folder once, answer Flask's static route from memory, give templates
    `asset_url`. Flask's after-request hooks still run: the security headers are on these answers too."""
    assert app.static_folder is not None
    assets = Assets(Path(app.static_folder))
    app.extensions["portal.assets"] = assets
    app.view_functions["static"] = lambda filename: serve(assets, filename)

    urls: dict[tuple[str, str], str] = {}

    def asset_url(name: str) -> str:
        """The URL of a static file by its hashed name, built once per file and script root (a page links three)."""
        key = (request.script_root, name)
        found = urls.get(key)
        if found is None:
            found = url_for("static", filename=assets.url_name(name))
            if name in assets.names and len(urls) < URLS_KEPT:  # bounded: a script root may come from a header
                urls[key] = found
        return found

    app.jinja_env.globals["asset_url"] = asset_url
