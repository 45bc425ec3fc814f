"""The versions of a plan in plain words: one row per version for the history page, the names of the versions to
compare, and what changed between two of them as sentences."""

from __future__ import annotations

from dataclasses import dataclass

from portal.plain.changes import ChangeSentence, change_sentences
from portal.plain.labels import update_reason_sentence
from portal.plain.texts import catalogue
from portal.plain.views.common import PARIS, Lang, doc_lang, format_day, format_time_point
from portal.plans.loader import ReadVersions
from portal.plans.versions import ChainVersion, MissingVersion
from portal.pps.diff import diff

__all__ = ["Comparison", "VersionRow", "compare", "default_pair", "version_choices", "version_name", "version_rows"]


@dataclass(frozen=True)
class VersionRow:
    """One line of the history page, every text ready to show."""

    id: str
    missing: bool
    name: str = ""
    latest: bool = False
    readable: bool = True
    date: str | None = None
    author: str | None = None
    reason: str | None = None
    rcp_date: str | None = None
    handed_date: str | None = None
    href: str = ""


def version_date(version: ChainVersion, lang: Lang) -> str | None:
    if version.entry.date is not None:
        return format_day(version.entry.date.astimezone(PARIS).date(), lang)
    if version.metadata is not None and version.metadata.effective_time is not None:
        return format_time_point(version.metadata.effective_time, lang)
    return None


def version_name(version: ChainVersion, lang: Lang, *, mark_latest: bool = True) -> str:
    t = catalogue(lang)
    date = version_date(version, lang)
    name = t.gettext("Version of %(date)s") % {"date": date} if date else t.gettext("Version without a date")
    if version.is_latest and mark_latest:
        name = t.gettext("%(name)s (latest)") % {"name": name}
    return name


def version_rows(read: ReadVersions, lang: Lang) -> list[VersionRow]:
    rows: list[VersionRow] = []
    for index, entry in enumerate(read.chain.entries):
        if isinstance(entry, MissingVersion):
            rows.append(VersionRow(id=f"missing-{index}", missing=True))
            continue
        plan = read.plans.get(entry.id)
        status = plan.status if plan else None
        author = entry.entry.author_display
        if author is None and plan and plan.metadata.author and plan.metadata.author.professional.name:
            author = plan.metadata.author.professional.name.display
        rows.append(
            VersionRow(
                id=entry.id,
                missing=False,
                name=version_name(entry, lang, mark_latest=False),
                latest=entry.is_latest,
                readable=plan is not None,
                date=version_date(entry, lang),
                author=author,
                reason=update_reason_sentence(status.update_reason, lang) if status else None,
                rcp_date=format_time_point(status.rcp_date, lang) if status else None,
                handed_date=format_time_point(status.handed_date, lang) if status else None,
                href=f"/history/{entry.id}",
            )
        )
    return rows


def version_choices(read: ReadVersions, lang: Lang) -> list[dict[str, str]]:
    """The versions one can compare (those that could be read), newest first, by id and name."""
    return [{"id": v.id, "name": version_name(v, lang)} for v in read.chain.versions if v.id in read.plans]


def default_pair(read: ReadVersions) -> tuple[str, str]:
    """What the compare form proposes first: the version before the latest, and the latest."""
    readable = [v for v in read.chain.versions if v.id in read.plans]
    if len(readable) < 2:
        only = readable[0].id if readable else ""
        return only, only
    return readable[1].id, readable[0].id


@dataclass(frozen=True)
class Comparison:
    """What the compare partial shows: the two versions' names and the sentences, or why there are none."""

    problem: str | None
    older: str = ""
    newer: str = ""
    #: The two versions compared (ids), for the access record.
    older_id: str | None = None
    newer_id: str | None = None
    newer_version: int | None = None
    sentences: tuple[ChangeSentence, ...] = ()
    detail_lang: str | None = None


def compare(read: ReadVersions, first: str, second: str, lang: Lang) -> Comparison:
    """What changed between two versions (by id), in either order: the older one is found by the chain."""
    t = catalogue(lang)
    a, b = read.chain.find(first), read.chain.find(second)
    if a is None or b is None or a.id not in read.plans or b.id not in read.plans:
        return Comparison(t.gettext("One of these versions cannot be shown right now."))
    if a.id == b.id:
        return Comparison(t.gettext("Choose two different versions to see what changed."))
    older, newer = (a, b) if read.chain.is_older(a, b) else (b, a)
    newer_plan = read.plans[newer.id]
    document_lang = doc_lang(newer_plan)
    return Comparison(
        None,
        older=version_date(older, lang) or version_name(older, lang, mark_latest=False),
        newer=version_date(newer, lang) or version_name(newer, lang, mark_latest=False),
        sentences=change_sentences(diff(read.plans[older.id], newer_plan), lang),
        detail_lang=None if document_lang == lang else document_lang,
        older_id=older.id,
        newer_id=newer.id,
        newer_version=newer_plan.metadata.version,
    )
