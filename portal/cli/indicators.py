"""`portal indicators --month 2026-11`: the monthly report for the national agencies, as CSV, read from the access
records and the PPS versions of the configured store (the portal's own settings: the same store, the same
credentials). What each figure means: docs/indicators.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from portal.plain.labels import Lang
from portal.plain.views.common import PARIS
from portal.settings import Settings, SettingsError

__all__ = ["indicators_command", "month_bounds"]

#: How long after the month the first openings of its new versions are still looked for: a report made later
#: gives the same figures.
OPENING_WINDOW = timedelta(days=92)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of the month, French time, and of the next one ("2026-11" → 1 Nov, 1 Dec, Paris)."""
    try:
        first = datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise click.BadParameter(f"{month!r} is not a month written YYYY-MM (for example 2026-11).") from None
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first.replace(tzinfo=PARIS), following.replace(tzinfo=PARIS)


@click.command(name="indicators")
@click.option("--month", required=True, help="The month to report, YYYY-MM (French time), for example 2026-11.")
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Language of the meanings."
)
@click.option(
    "--store",
    default="home",
    show_default=True,
    help="Which store: home (PORTAL_STORE_URL) or a key of PORTAL_REGIONS. Each store keeps its own records.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=str),
    help="Write the CSV here (default: standard output).",
)
def indicators_command(month: str, lang: Lang, store: str, output: str | None) -> None:
    """The monthly indicators for the national agencies, as CSV, from the store the portal is configured with
    (PORTAL_STORE_URL and its credentials). Counts from 1 to 9 are never shown."""
    start, end = month_bounds(month)
    now = datetime.now(UTC)
    if start >= now:
        raise click.BadParameter(f"{month} has not started yet.", param_hint="--month")
    until = min(now, end + OPENING_WINDOW)
    # Loaded here: the report needs the HTTP client, which `portal check` and `portal pps …` never load.
    from portal.cli.report import monthly_report
    from portal.store import StoreError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        click.echo(f"portal: {exc}", err=True)
        raise SystemExit(2) from None
    known = ["home", *(region.key for region in settings.regions)]
    if store not in known:
        raise click.BadParameter(f"{store!r} is not a configured store: {', '.join(known)}.", param_hint="--store")
    try:
        text = monthly_report(settings, store, month, start, end, until, lang)
    except StoreError as exc:
        click.echo(f"portal: the store did not give the records: {exc}", err=True)
        raise SystemExit(1) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
