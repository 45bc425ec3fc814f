"""Documents handed over by the portal: checked whole before the first byte leaves (store → browser)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from portal.store import FhirClient, pdsm
from portal.store.errors import StoreDocumentTooLarge, StoreIntegrityError, StoreUnavailable
from portal.store.resources import Attachment

__all__ = [
    "CHUNK_BYTES",
    "CheckedFile",
    "Refusal",
    "RefusedFile",
    "checked_file",
    "chunks",
    "content_disposition",
    "media_type",
    "opens_in_browser",
    "safe_filename",
]

CHUNK_BYTES = 64 * 1024

#: Types a browser may show from the portal's origin: none of them can carry a script it would run.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
#: Types the portal hands over as downloads only (an XML file could hold a stylesheet or script).
DOWNLOAD_TYPES = frozenset({"text/xml", "application/xml", "application/hl7-v3+xml", "text/plain"})
ALLOWED_TYPES = INLINE_TYPES | DOWNLOAD_TYPES
#: Media types that name the same kind of file (an XML document is announced either way).
_FAMILIES = {"text/xml": "xml", "application/xml": "xml", "application/hl7-v3+xml": "xml"}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/xml": ".xml",
    "application/xml": ".xml",
    "application/hl7-v3+xml": ".xml",
    "text/plain": ".txt",
}
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
MAX_FILENAME_CHARS = 100

Refusal = Literal["integrity", "too_large", "content_type", "incomplete"]


class RefusedFile(Exception):
    """The document cannot be handed over: `reason` says why, in a word the page turns into a sentence.

    The message never holds ids or values: it may be logged.
    """

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason: Refusal = reason


@dataclass(frozen=True)
class CheckedFile:
    """A whole, checked document: its media type, bytes and the name to save it under."""

    media_type: str
    data: bytes
    filename: str

    @property
    def inline_allowed(self) -> bool:
        return self.media_type in INLINE_TYPES


def media_type(value: str | None) -> str:
    """`Application/PDF; charset=…` → `application/pdf`; "" when none is given."""
    return (value or "").split(";", 1)[0].strip().lower()


def opens_in_browser(attachment: Attachment) -> bool:
    """Whether the documents page offers to open this file in the browser (else it downloads)."""
    return media_type(attachment.content_type) in INLINE_TYPES


def _same_kind(announced: str, received: str) -> bool:
    return announced == received or (announced in _FAMILIES and _FAMILIES.get(announced) == _FAMILIES.get(received))


def _looks_like(kind: str, data: bytes) -> bool:
    if kind in _MAGIC:
        return data.startswith(_MAGIC[kind])
    if _FAMILIES.get(kind) == "xml":
        return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    return True


def checked_file(client: FhirClient, attachment: Attachment, max_bytes: int, title: str | None) -> CheckedFile:
    """Fetch and check one attachment; raise RefusedFile when it is not whole, too large or of a refused type.

    `pdsm.fetch_binary` bounds the fetch by the size limit and checks it against `attachment.size` and the SHA-1
    `attachment.hash`; then the media type must be on the allowlist and agree with what the store announced and with
    the file's first bytes. A file that fails any check is refused as a whole: a partial or doubtful file is never
    presented as complete. A document the store does not have (StoreNotFound) propagates: the page answers like any
    missing one.
    """
    announced = media_type(attachment.content_type)
    if announced and announced not in ALLOWED_TYPES:
        # Refused before any byte is fetched: the store itself says it is not a type we hand over.
        raise RefusedFile("content_type", "document refused: announced media type is not allowed")
    try:
        content = pdsm.fetch_binary(client, attachment, max_bytes)
    except StoreIntegrityError as exc:
        raise RefusedFile("integrity", f"document refused: {exc}") from exc
    except StoreDocumentTooLarge as exc:
        raise RefusedFile("too_large", f"document refused: {exc}") from exc
    except StoreUnavailable as exc:
        # A stream cut before its announced length, a timeout: the file did not arrive whole.
        raise RefusedFile("incomplete", f"document refused: {exc}") from exc
    received = media_type(content.content_type)
    if received not in ALLOWED_TYPES:
        raise RefusedFile("content_type", "document refused: the store sent a media type that is not allowed")
    if announced and not _same_kind(announced, received):
        raise RefusedFile("content_type", "document refused: the media type differs from the one announced")
    if not _looks_like(received, content.data):
        raise RefusedFile("content_type", "document refused: the content does not match its media type")
    return CheckedFile(received, content.data, safe_filename(title, received))


def chunks(data: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The checked bytes in chunks, so a large file leaves as a stream."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


_UNSAFE = re.compile(r'[\\/"\'<>:|?*`;,=%\[\]{}]')


def safe_filename(title: str | None, kind: str) -> str:
    """A file name from a document's title: accents kept, control characters dropped, quotes, slashes and
    other characters that mean something to a shell, a header or a file system replaced; the extension
    follows the media type."""
    text = unicodedata.normalize("NFC", title or "")
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" .-")
    extension = EXTENSIONS.get(kind, "")
    if extension and text.lower().endswith(extension):
        text = text[: -len(extension)].rstrip(" .-")
    text = text[:MAX_FILENAME_CHARS].rstrip(" .-") or "document"
    return text + extension


def content_disposition(disposition: Literal["inline", "attachment"], filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact name in `filename*` (RFC 8187, UTF-8)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", ascii_name).strip() or "document"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
