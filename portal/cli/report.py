"""The monthly report for the national agencies (`portal indicators`): the figures of portal.access.indicators read
from the store with the portal's settings, written as CSV with their meanings in French or English. Imported by the
command when it runs: it needs the HTTP client, which the integrators' tools on files never load."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from portal.access.indicators import EXPORT_KINDS, VIEWER_KINDS, Cell, Indicators, indicators
from portal.plain.labels import Lang
from portal.plain.texts import catalogue
from portal.settings import RegionSettings, Settings
from portal.store import FhirClient, pdsm
from portal.store.auth import StoreAuth

__all__ = ["COLUMNS", "monthly_report", "report_csv"]

#: Enough pages for a month of a region's records (a thousand entries each), read once by an operator.
MAX_PAGES = 2000
COLUMNS = ("month", "indicator", "group", "value", "suppressed", "meaning")


def _meanings(lang: Lang) -> dict[str, str]:
    t = catalogue(lang)
    return {
        "data_until": t.gettext("The records were read up to this moment (UTC)."),
        "views": t.gettext(
            "Pages of a care plan that were shown. Opening the same page again within minutes counts once."
        ),
        "people": t.gettext("Different people who viewed a care plan or took a file."),
        "plans_viewed": t.gettext("Different versions of care plans that were shown at least once."),
        "versions_published": t.gettext(
            "New versions of care plans dated this month that the patient is allowed to see."
        ),
        "versions_opened": t.gettext(
            "Of these new versions, how many the patient opened. Openings count up to three months after the month."
        ),
        "hours_to_first_opening_median": t.gettext(
            "Hours between a new version and its first opening by the patient: half of the patients opened it sooner."
        ),
        "hours_to_first_opening_p90": t.gettext(
            "Hours between a new version and its first opening by the patient: 9 patients out of 10 opened it sooner."
        ),
        "exports": t.gettext("Files people saved: the plan, its PDF, the calendar, a full copy."),
    }


def _groups(lang: Lang) -> dict[str, str]:
    t = catalogue(lang)
    return {
        "all": t.gettext("everyone"),
        "patient": t.gettext("patients"),
        "caregiver": t.gettext("caregivers"),
        "representative": t.gettext("legal representatives"),
        "coordinator": t.gettext("care team members who preview the plan"),
        "document_file": t.gettext("care plan files"),
        "plan_pdf": t.gettext("PDF copies of the plan"),
        "calendar_file": t.gettext("calendar files"),
        "portable_copy": t.gettext("portable copies"),
        "rcp_report_pdf": t.gettext("PDF copies of the meeting report"),
    }


def _suppressed(cell: Cell, lang: Lang) -> str:
    t = catalogue(lang)
    return {
        None: "",
        "small": t.gettext("fewer than 10: not shown"),
        "secondary": t.gettext("not shown, so that a smaller figure cannot be worked out"),
        "none": t.gettext("no version was opened"),
    }[cell.suppressed]


def _value(cell: Cell) -> str:
    if cell.value is None:
        return ""
    return str(cell.value) if isinstance(cell.value, int) else f"{cell.value:.1f}"  # counts; hours


def report_csv(report: Indicators, month: str, lang: Lang) -> str:
    """The report as CSV, one figure per row: the indicator and the group it counts (stable keys), the value
    (empty when suppressed), why it is suppressed, and what it means, in `lang`."""
    meanings, groups = _meanings(lang), _groups(lang)
    rows: list[tuple[str, str, Cell]] = [
        ("views", "all", report.views),
        *(("views", kind, report.views_by_kind[kind]) for kind in VIEWER_KINDS),
        ("people", "all", report.people),
        *(("people", kind, report.people_by_kind[kind]) for kind in VIEWER_KINDS),
        ("plans_viewed", "all", report.plans_viewed),
        ("versions_published", "all", report.versions_published),
        ("versions_opened", "patient", report.versions_opened),
        ("hours_to_first_opening_median", "patient", report.hours_to_first_opening_median),
        ("hours_to_first_opening_p90", "patient", report.hours_to_first_opening_p90),
        ("exports", "all", report.exports),
        *(("exports", kind, report.exports_by_kind[kind]) for kind in EXPORT_KINDS),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    until = report.until.astimezone(UTC).isoformat(timespec="seconds")
    writer.writerow((month, "data_until", "all", until, "", meanings["data_until"]))
    for indicator, group, cell in rows:
        meaning = f"{meanings[indicator]} ({groups[group]})"
        writer.writerow((month, indicator, group, _value(cell), _suppressed(cell, lang), meaning))
    return out.getvalue()


def monthly_report(
    settings: Settings, store: str, month: str, start: datetime, end: datetime, until: datetime, lang: Lang
) -> str:
    """The CSV of the month [start, end), from the records up to `until`, read from one configured store (`home`, or
    a key of PORTAL_REGIONS; StoreError when it does not answer). Each store keeps the records of its documents."""
    chosen: Settings | RegionSettings = (
        settings if store == "home" else next(r for r in settings.regions if r.key == store)
    )
    client = FhirClient(
        chosen.store_url,
        auth=StoreAuth.from_settings(chosen),
        connect_timeout=chosen.store_connect_timeout,
        read_timeout=chosen.store_read_timeout,
        retries=settings.store_retries,
        cache_ttl=0,
        max_pages=MAX_PAGES,
    )
    with client:
        entries = pdsm.access_entries_between(client, start, until)
        published = pdsm.pps_published_between(client, start, end)
    return report_csv(indicators(entries, published, start=start, end=end, until=until), month, lang)
