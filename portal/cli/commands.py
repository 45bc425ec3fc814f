"""The `portal` command (`portal check`, `portal pps check|preview|diff|ics|pdf`): tools for integrators and tests
around the `pps` step, no web server needed."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from portal.exports.ics import calendar_file
from portal.exports.pdf import plan_pdf
from portal.plain.changes import change_sentences
from portal.pps.check import DocumentModel, model_of, pps_problems, rcp_problems, rcp_report, report
from portal.pps.conformance import CONTENT_MODELS, MODEL_SCHEMAS, SchematronError, Schematrons
from portal.pps.diff import diff
from portal.pps.errors import DocumentRefused
from portal.pps.model import CarePlan
from portal.pps.rcp_reader import read_rcp
from portal.pps.reader import read_pps
from portal.pps.safexml import DEFAULT_MAX_BYTES

__all__ = ["check_command", "main", "portal", "pps"]

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


@portal.command(name="check")
@_FILE
@click.option(
    "--schematrons",
    "schematrons",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    default=None,
    help="Also run the official ANS rules: the folder holding schematrons/ and jeuxDeValeurs/ side by side "
    "(or schematrons/ itself). Needs the saxonche package.",
)
@_MAX_BYTES
def check_command(file: str, schematrons: str | None, max_bytes: int) -> None:
    """Name the CI-SIS model FILE follows, run its structural checks (and with --schematrons the official rules,
    one line per failed assert); exit 0 if conformant, 1 if not, 2 if the official rules cannot be run."""
    data = _read_bytes(file, max_bytes)
    try:
        model = model_of(data, max_bytes=max_bytes)
        if model is DocumentModel.PPS:
            plan = read_pps(data, max_bytes=max_bytes)
            details, problems = report(plan), pps_problems(plan)
        else:
            rcp = read_rcp(data, max_bytes=max_bytes)
            details, problems = rcp_report(rcp), rcp_problems(rcp)
    except DocumentRefused as exc:
        _refuse(exc.reason)
        return
    click.echo(f"model: {model.label}")
    click.echo(details)
    click.echo(f"structure: {len(problems)} problems")
    for problem in problems:
        click.echo(f"  - {problem}")
    failed = _official_rules(data, model, schematrons, max_bytes) if schematrons is not None else 0
    if problems or failed:
        click.echo(f"not conformant: {len(problems)} structural problems, {failed} failed asserts")
        raise SystemExit(1)
    click.echo("conformant" if schematrons is not None else "conformant (structure only: no --schematrons)")


def _official_rules(data: bytes, model: DocumentModel, folder: str, max_bytes: int) -> int:
    """Run the model's schema and the content models; print each failed assert on one line; their count."""
    schemas = (MODEL_SCHEMAS[model.value], CONTENT_MODELS)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-schematrons-") as work:
            rules = Schematrons.compile(Path(folder), Path(work), schemas)
            results = [(schema, rules.validate(data, schema, max_bytes=max_bytes)) for schema in schemas]
    except SchematronError as exc:
        click.echo(f"portal: cannot run the official rules: {exc.reason}", err=True)
        raise SystemExit(2) from None
    count = 0
    for schema, failed in results:
        click.echo(f"{Path(schema).name}: {len(failed)} failed asserts")
        for item in failed:
            click.echo(f"  failed: {item.location}: {item.text}")
        count += len(failed)
    return count


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
    from portal.cli.preview import render_preview  # the web templates, and so Flask: only for this command

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
