"""The documents a viewer may see, as the documents page lists them: plain title, date, author, kind, size, language,
and whether each file opens in the browser or downloads (plain step, for the documents page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.units import format_unit

from portal.exports.files import ALLOWED_TYPES, INLINE_TYPES, media_type
from portal.plain.texts import catalogue as translations
from portal.plain.views.common import PARIS, Lang, format_day
from portal.store.resources import Attachment, DocumentEntry

__all__ = ["DocumentRow", "FileRow", "document_rows", "file_size", "language_name"]

DocumentKind = Literal["pps", "rcp", "other"]


@dataclass(frozen=True, slots=True)
class FileRow:
    """One file of a document: what kind of file, its size and language, and how it is handed over.

    `href` is None when the portal cannot hand this type of file over; `opens` says a browser shows it.
    """

    number: int
    kind: str
    size: str | None
    language: str | None
    href: str | None
    opens: bool


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One document of the list: its plain title, kind, status, date and author, and its files."""

    id: str
    kind: DocumentKind
    title: str
    store_title: str | None
    status: str | None
    date: str | None
    author: str | None
    files: tuple[FileRow, ...]


def file_size(size: int | None, lang: Lang) -> str | None:
    """ "12,3 ko" / "12.3 kB", "1,2 Mo" / "1.2 MB"; None when the store does not say."""
    if size is None:
        return None
    if size < 1000 * 1000:
        return format_unit(max(size / 1000, 0.1), "digital-kilobyte", length="short", format="#,##0.#", locale=lang)
    return format_unit(size / 1000 / 1000, "digital-megabyte", length="short", format="#,##0.#", locale=lang)


def language_name(code: str | None, lang: Lang) -> str | None:
    """ "fr-FR" → "français" (in a French page) / "French" (in an English one)."""
    if not code:
        return None
    try:
        return Locale.parse(code.replace("-", "_")).get_language_name(lang)
    except (UnknownLocaleError, ValueError):
        return None


def _day(moment: dt.datetime | None, lang: Lang) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(PARIS) if moment.tzinfo is not None else moment
    return format_day(local.date(), lang)


def _file_kind(attachment: Attachment, lang: Lang) -> str:
    _ = translations(lang).gettext
    kind = media_type(attachment.content_type)
    if kind == "application/pdf":
        return _("PDF document")
    if kind in ("text/xml", "application/xml", "application/hl7-v3+xml"):
        return _("Structured file for health software (XML)")
    if kind.startswith("image/"):
        return _("Image")
    if kind == "text/plain":
        return _("Text file")
    return _("File of another type")


def _files(entry: DocumentEntry, lang: Lang) -> tuple[FileRow, ...]:
    rows = []
    for number, attachment in enumerate(entry.attachments, start=1):
        if not attachment.url:
            continue
        kind = media_type(attachment.content_type)
        # A file the store announces with no type is offered: the download checks what actually arrives.
        handed = kind in ALLOWED_TYPES or not kind
        rows.append(
            FileRow(
                number=number,
                kind=_file_kind(attachment, lang),
                size=file_size(attachment.size, lang),
                language=language_name(attachment.language, lang),
                href=f"/documents/{entry.id}/{number}" if handed else None,
                opens=kind in INLINE_TYPES,
            )
        )
    # Files people can open first (PDF, images, text), the structured file for health software last.
    return tuple(sorted(rows, key=_readable_first))


def _readable_first(row: FileRow) -> int:
    if row.href is None:
        return 3
    return 0 if row.opens else 2 if row.kind.endswith("(XML)") else 1


def document_rows(
    pps: Sequence[DocumentEntry], related: Sequence[DocumentEntry], lang: Lang
) -> tuple[DocumentRow, ...]:
    """Rows for the PPS versions (newest first) and then the related documents (RCP reports…). Only entries
    already visible to the viewer come in (`portal.access.visibility` decides); this only words them."""
    _ = translations(lang).gettext
    rows: list[DocumentRow] = []
    for entry in pps:
        day = _day(entry.date, lang)
        rows.append(
            DocumentRow(
                id=entry.id,
                kind="pps",
                title=_("Care plan of %(day)s") % {"day": day} if day else _("Care plan"),
                store_title=entry.title,
                status=_("Current version") if entry.status == "current" else _("Earlier version"),
                date=day,
                author=entry.author_display,
                files=_files(entry, lang),
            )
        )
    for entry in related:
        day = _day(entry.date, lang)
        is_rcp = entry.type_code == "34794-8"
        if is_rcp:
            title = (
                _("Report of the team meeting of %(day)s") % {"day": day} if day else _("Report of the team meeting")
            )
        else:
            title = entry.title or _("Related document")
        rows.append(
            DocumentRow(
                id=entry.id,
                kind="rcp" if is_rcp else "other",
                title=title,
                store_title=entry.title if is_rcp else None,
                status=None,
                date=day,
                author=entry.author_display,
                files=_files(entry, lang),
            )
        )
    return tuple(rows)
