"""What a store's answers hold: the matches of a search Bundle and its next page, the status of each entry of a
batch-response, the bytes of a FHIR Binary resource. Each shape is checked before use."""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

from portal.store.errors import StoreDocumentTooLarge, StoreInvalidResponse

_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")

Params = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


class BinaryContent(NamedTuple):
    """A document's bytes and the media type the store gave them."""

    content_type: str
    data: bytes


def check_type(resource_type: str) -> None:
    # A programming error, not a store error: resource types are constants of our code.
    if not _RESOURCE_TYPE.fullmatch(resource_type):
        raise ValueError("not a FHIR resource type")


def encode(params: Params) -> str:
    """The query string of a search: each name with each of its values, in order."""
    items = params.items() if isinstance(params, Mapping) else params
    return _encoded(tuple((name, value if isinstance(value, str) else tuple(value)) for name, value in items))


@functools.lru_cache(maxsize=2048)
def _encoded(items: tuple[tuple[str, str | tuple[str, ...]], ...]) -> str:
    """Kept for the last searches: every page asks the same few searches (whose Patient, their documents), and
    percent-encoding them again was a visible part of a page's CPU."""
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, v) for v in value)
    return urlencode(pairs)


def matches(bundle: Mapping[str, Any], resource_type: str, interaction: str) -> list[dict[str, Any]]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise StoreInvalidResponse(f"{interaction}: Bundle.entry is not a list")
    found: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise StoreInvalidResponse(f"{interaction}: Bundle.entry is not an object")
        search = entry.get("search")
        # `search.mode` is optional in FHIR; without it an entry is a match (includes and outcomes say so).
        mode = search.get("mode", "match") if isinstance(search, dict) else "match"
        if mode != "match":
            continue
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            raise StoreInvalidResponse(f"{interaction}: Bundle.entry.resource is missing")
        if resource.get("resourceType") != resource_type:
            raise StoreInvalidResponse(f"{interaction}: a match is not a {resource_type}")
        found.append(resource)
    return found


def next_link(bundle: Mapping[str, Any], interaction: str) -> str | None:
    links = bundle.get("link") or []
    if not isinstance(links, list):
        raise StoreInvalidResponse(f"{interaction}: Bundle.link is not a list")
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if not isinstance(url, str) or not url:
                raise StoreInvalidResponse(f"{interaction}: Bundle.link.url is missing")
            return url
    return None


def entry_status(entry: object) -> int:
    """The status of one batch-response entry ("201 Created" → 201); 0 when it says none."""
    response = entry.get("response") if isinstance(entry, dict) else None
    status = str(response.get("status", "")) if isinstance(response, dict) else ""
    code = status.split(" ", 1)[0]
    return int(code) if code.isdigit() and len(code) == 3 else 0


def decode_binary_resource(resource: Mapping[str, Any], max_bytes: int) -> BinaryContent:
    content_type = resource.get("contentType")
    data = resource.get("data")
    if not isinstance(content_type, str) or not content_type:
        raise StoreInvalidResponse("read Binary: Binary.contentType is missing")
    if not isinstance(data, str):
        raise StoreInvalidResponse("read Binary: Binary.data is missing")
    if len(data) * 3 // 4 > max_bytes + 3:
        raise StoreDocumentTooLarge(f"read Binary: larger than {max_bytes} bytes", status=200)
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StoreInvalidResponse("read Binary: Binary.data is not base64") from exc
    if len(decoded) > max_bytes:
        raise StoreDocumentTooLarge(f"read Binary: larger than {max_bytes} bytes", status=200)
    return BinaryContent(content_type, decoded)
