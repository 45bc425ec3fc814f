"""The portable copy (data portability): every visible version's original files and a FHIR Bundle of their
metadata, in one zip (last step of the data path for the documents page). A patient with plans in several regional
stores gets one folder per store, each a whole copy of that store's documents: a version chain never crosses
stores, so nothing of one store's documents is mixed with another's."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.exports.files import CheckedFile, RefusedFile, checked_file
from portal.store import FhirClient
from portal.store.resources import LOINC, Attachment, DocumentEntry

__all__ = [
    "METADATA_NAME",
    "PackedFile",
    "StoreCopy",
    "fetch_files",
    "folder_names",
    "metadata_bundle",
    "portable_copy",
    "stores_copy",
]

METADATA_NAME = "metadata.json"
FOLDER = "documents"
#: The longest name of a store's folder (a region's label is a few words).
MAX_FOLDER_CHARS = 60
#: Names Windows keeps for devices, whatever the case: never a folder's name.
_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10))})
#: A namespace for the archive's `urn:uuid:` full URLs, so the same document keeps the same one.
_NAMESPACE = uuid.UUID("6d1f0d3c-3f7e-4f43-9f3a-2a7c4b1e5d90")


@dataclass(frozen=True)
class PackedFile:
    """One file in the archive: its document, which attachment it is, the checked bytes and its path."""

    entry: DocumentEntry
    number: int
    file: CheckedFile
    path: str


def _unique(path: str, taken: set[str]) -> str:
    stem, dot, extension = path.rpartition(".")
    candidate, n = path, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{extension}" if dot else f"{path} ({n})"
    taken.add(candidate)
    return candidate


def fetch_files(
    client: FhirClient, entries: Sequence[DocumentEntry], max_bytes: int, max_total_bytes: int
) -> list[PackedFile]:
    """Fetch and check every file of `entries` (already visible to the viewer) before the archive is written;
    RefusedFile on the first failure, or when the copy would exceed `max_total_bytes`: a copy with a missing or
    damaged file is never presented as complete."""
    packed: list[PackedFile] = []
    taken: set[str] = set()
    total = 0
    for entry in entries:
        day = entry.date.date().isoformat() if entry.date else "undated"
        for number, attachment in enumerate(entry.attachments, start=1):
            if not attachment.url:
                continue
            checked = checked_file(client, attachment, max_bytes, attachment.title or entry.title)
            total += len(checked.data)
            if total > max_total_bytes:
                raise RefusedFile("too_large", "portable copy refused: larger than its limit")
            path = _unique(f"{FOLDER}/{day} {checked.filename}", taken)
            packed.append(PackedFile(entry, number, checked, path))
    return packed


def _attachment(attachment: Attachment, path: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "contentType": attachment.content_type,
        "language": attachment.language,
        "url": path,
        "size": attachment.size,
        "hash": attachment.sha1,
        "title": attachment.title,
        "creation": attachment.creation.isoformat() if attachment.creation else None,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _document_reference(entry: DocumentEntry, paths: dict[int, str], shown: frozenset[str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "DocumentReference", "id": entry.id, "status": entry.status}
    if entry.master_identifier:
        ident = {"system": entry.master_identifier.system, "value": entry.master_identifier.value}
        resource["masterIdentifier"] = {k: v for k, v in ident.items() if v}
    if entry.type_code:
        resource["type"] = {"coding": [{"system": LOINC, "code": entry.type_code}]}
    if entry.date:
        resource["date"] = entry.date.isoformat()
    if entry.author_display:
        resource["author"] = [{"display": entry.author_display}]
    if entry.custodian_display:
        resource["custodian"] = {"display": entry.custodian_display}
    if entry.title:
        resource["description"] = entry.title
    # Only links to documents in this copy: a version hidden from the viewer is not even named.
    relates = [r for r in entry.relates_to if r.target_id in shown]
    if relates:
        resource["relatesTo"] = [
            {"code": r.code, "target": {"reference": f"DocumentReference/{r.target_id}"}} for r in relates
        ]
    content = []
    for number, attachment in enumerate(entry.attachments, start=1):
        item: dict[str, Any] = {"attachment": _attachment(attachment, paths.get(number))}
        if attachment.format_code:
            item["format"] = {"code": attachment.format_code}
        content.append(item)
    resource["content"] = content
    return resource


def metadata_bundle(
    entries: Sequence[DocumentEntry], packed: Sequence[PackedFile], generated: dt.datetime
) -> dict[str, Any]:
    """A FHIR R4 Bundle (type `collection`) of the documents' DocumentReferences; each attachment's `url`
    is the file's path in the archive."""
    paths: dict[str, dict[int, str]] = {}
    shown = frozenset(entry.id for entry in entries)
    for file in packed:
        paths.setdefault(file.entry.id, {})[file.number] = file.path
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated.isoformat(),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(_NAMESPACE, entry.id)}",
                "resource": _document_reference(entry, paths.get(entry.id, {}), shown),
            }
            for entry in entries
        ],
    }


@dataclass(frozen=True)
class StoreCopy:
    """One store's part of a copy: the folder it goes in, its visible documents and their checked files (whose
    paths are inside the folder)."""

    folder: str
    entries: Sequence[DocumentEntry]
    packed: Sequence[PackedFile]


def _folder(text: str | None) -> str:
    """Letters, digits, spaces, hyphens and dashes only (accents kept): never a separator, a dot or a drive."""
    name = unicodedata.normalize("NFC", text or "")
    name = "".join(ch if ch.isalnum() or ch in " -–" else "-" for ch in name)
    name = re.sub(r"\s+", " ", re.sub(r"-{2,}", "-", name))
    name = name.strip(" -–")[:MAX_FOLDER_CHARS].rstrip(" -–")
    return "" if name.casefold() in _DEVICES else name


def folder_names(stores: Sequence[tuple[str, str | None]]) -> list[str]:
    """A folder name for each store, given as (key, label in the page's language): the label a person knows the
    region by, else the store's key, made safe as one zip path segment and unique (whatever the case: some file
    systems do not tell "Nord" from "nord") by a number in brackets."""
    taken: set[str] = set()
    names: list[str] = []
    for key, label in stores:
        base = _folder(label) or _folder(key) or "region"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} ({n})"
        taken.add(name.casefold())
        names.append(name)
    return names


def _write(archive: zipfile.ZipFile, part: StoreCopy, generated: dt.datetime) -> None:
    stamp = generated.timetuple()[:6]
    prefix = f"{part.folder}/" if part.folder else ""
    for file in part.packed:
        info = zipfile.ZipInfo(prefix + file.path, date_time=stamp)
        archive.writestr(info, file.file.data, zipfile.ZIP_DEFLATED)
    bundle = json.dumps(metadata_bundle(part.entries, part.packed, generated), ensure_ascii=False, indent=2)
    info = zipfile.ZipInfo(prefix + METADATA_NAME, date_time=stamp)
    archive.writestr(info, bundle.encode("utf-8"), zipfile.ZIP_DEFLATED)


def portable_copy(entries: Sequence[DocumentEntry], packed: Sequence[PackedFile], generated: dt.datetime) -> bytes:
    """The zip: `documents/…` (the original files, byte for byte) and `metadata.json` (the FHIR Bundle)."""
    return stores_copy([StoreCopy("", entries, packed)], generated)


def stores_copy(parts: Sequence[StoreCopy], generated: dt.datetime) -> bytes:
    """The zip of several stores' copies, each in its folder: `<folder>/documents/…` and `<folder>/metadata.json`,
    whose attachment URLs are paths within that folder (each folder stands alone). A part whose folder is "" goes
    at the root (one store only: the layout of `portable_copy`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            _write(archive, part, generated)
    return buffer.getvalue()
