"""The `portal` command: tools for integrators and tests around the `pps` step (no web server needed).

`portal pps check FILE` reads one document and reports what it found, or says in one line why it is refused.
`portal pps preview FILE [--lang fr|en] [-o OUT]` renders the patient's pages for one document as one HTML file.
`portal pps diff OLD NEW [--lang fr|en] [--json]` prints what changed between two versions, one sentence per line,
or the typed changes as JSON (kind, group, item, before, after).
`portal pps ics FILE` writes the calendar file of one document; `portal pps pdf FILE -o OUT` its accessible PDF.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from portal.pps.check import report
from portal.pps.errors import DocumentRefused
from portal.pps.model import CarePlan
from portal.pps.reader import read_pps
from portal.pps.safexml import DEFAULT_MAX_BYTES

__all__ = ["main", "portal", "pps"]

F = TypeVar("F", bound=Callable[..., Any])


@click.group(name="portal")
def portal() -> None:
    """PPS portal command line."""


@portal.group()
def pps() -> None:
    """Work with CANCER-PPS documents (CI-SIS 2022.01)."""


def _refuse(reason: str) -> None:
    click.echo(f"refused: {reason}", err=True)
    raise SystemExit(1)


# The options every subcommand shares, defined once.
_FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
_MAX_BYTES = click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest document accepted.",
)


def _lang(what: str) -> Callable[[F], F]:
    return click.option(
        "--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help=f"Language of {what}."
    )


def _output(what: str, *, required: bool = False) -> Callable[[F], F]:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True, path_type=str),
        required=required,
        help=f"Write {what} here" + ("." if required else " (default: standard output)."),
    )


def _day(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=help_text)


def _read_bytes(file: str, max_bytes: int) -> bytes:
    """The bytes of FILE, refused (exit 1, one line) before reading when it is larger than `max_bytes`."""
    size = os.stat(file).st_size
    if size > max_bytes:
        _refuse(f"too large: {size} bytes, the limit is {max_bytes}")
    with open(file, "rb") as handle:
        return handle.read(max_bytes + 1)


@pps.command()
@_FILE
@_MAX_BYTES
def check(file: str, max_bytes: int) -> None:
    """Read FILE and report its sections, items and warnings; exit 1 with one line if it is refused."""
    try:
        plan = read_pps(_read_bytes(file, max_bytes), max_bytes=max_bytes)
    except DocumentRefused as exc:
        _refuse(exc.reason)
        return
    click.echo(report(plan))


@pps.command()
@_FILE
@_lang("the pages")
@_output("the HTML document")
@_day("--today", "The day the pages are seen on (default: today in Europe/Paris); sets what is past and coming.")
@_MAX_BYTES
def preview(file: str, lang: str, output: str | None, today: datetime | None, max_bytes: int) -> None:
    """Render the patient's pages for FILE as one self-contained HTML document; exit 1 if it is refused."""
    from portal.preview import render_preview

    data = _read_bytes(file, max_bytes)
    try:
        page = render_preview(
            data, "en" if lang == "en" else "fr", today.date() if today else None, max_bytes=max_bytes
        )
    except DocumentRefused as exc:
        _refuse(exc.reason)
        return
    if output is None:
        click.echo(page)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(page)


def _read_file(file: str, max_bytes: int) -> CarePlan | None:
    """Read one PPS for a subcommand that may read several (its name in the message); None after saying on
    stderr why it is refused."""
    size = os.stat(file).st_size
    if size > max_bytes:
        click.echo(f"refused: {file}: too large: {size} bytes, the limit is {max_bytes}", err=True)
        return None
    with open(file, "rb") as handle:
        data = handle.read(max_bytes + 1)
    try:
        return read_pps(data, max_bytes=max_bytes)
    except DocumentRefused as exc:
        click.echo(f"refused: {file}: {exc.reason}", err=True)
        return None


@pps.command(name="diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=str))
@_lang("the sentences")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the typed changes as a JSON array: kind, group, item, before, after (and the sentence as text).",
)
@_MAX_BYTES
def diff_command(old: str, new: str, lang: str, as_json: bool, max_bytes: int) -> None:
    """Print what changed from version OLD to version NEW, one plain sentence per line, most important first."""
    from portal.plain.changes import change_sentences
    from portal.pps.diff import diff

    before = _read_file(old, max_bytes)
    after = _read_file(new, max_bytes) if before is not None else None
    if before is None or after is None:
        raise SystemExit(1)
    changes = diff(before, after)
    told = [change_sentences((change,), "en" if lang == "en" else "fr") for change in changes]
    if as_json:
        records = [
            {**change.record().as_dict(), "text": sentences[0].text if sentences else None}
            for change, sentences in zip(changes, told, strict=True)
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for sentences in told:
        for sentence in sentences:
            click.echo(sentence.text)


@pps.command(name="ics")
@_FILE
@_lang("titles")
@click.option("--names", is_flag=True, help="Put treatment names in event titles (discreet titles by default).")
@click.option("--event", "event_uid", default=None, help="Only the event with this UID.")
@_output("the .ics file")
@_MAX_BYTES
def ics_command(file: str, lang: str, names: bool, event_uid: str | None, output: str | None, max_bytes: int) -> None:
    """Write the calendar file (iCalendar) of FILE's dated planned items; exit 1 if it is refused."""
    from portal.exports.ics import calendar_file

    plan = _read_file(file, max_bytes)
    if plan is None:
        raise SystemExit(1)
    try:
        data = calendar_file(plan, "en" if lang == "en" else "fr", show_names=names, only=event_uid)
    except KeyError:
        _refuse("no event with this UID in the plan")
        return
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        with open(output, "wb") as handle:
            handle.write(data)


@pps.command(name="pdf")
@_FILE
@_output("the PDF", required=True)
@_lang("the PDF")
@_day("--valid-on", "The day the copy is stamped valid on (default: today in Europe/Paris).")
@click.option("--portal-url", default=None, help="The portal address printed on the PDF.")
@_MAX_BYTES
def pdf_command(
    file: str, output: str, lang: str, valid_on: datetime | None, portal_url: str | None, max_bytes: int
) -> None:
    """Write the accessible PDF (tagged PDF/UA-1, A4) of FILE as the patient would get it; exit 1 if refused."""
    from portal.exports.pdf import plan_pdf

    plan = _read_file(file, max_bytes)
    if plan is None:
        raise SystemExit(1)
    data = plan_pdf(
        plan,
        "en" if lang == "en" else "fr",
        portal_url=portal_url,
        valid_on=valid_on.date() if valid_on else None,
    )
    with open(output, "wb") as handle:
        handle.write(data)


def main() -> None:
    """Entry point of the `portal` console script."""
    portal(prog_name="portal")
