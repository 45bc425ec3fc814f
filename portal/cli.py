"""The `portal` command: tools for integrators and tests around the `pps` step (no web server needed).

`portal pps check FILE` reads one document and reports what it found, or says in one line why it is refused.
More subcommands (preview, diff, ics, pdf) join the `pps` group.
"""

from __future__ import annotations

import os

import click

from portal.pps.check import report
from portal.pps.errors import DocumentRefused
from portal.pps.reader import read_pps
from portal.pps.safexml import DEFAULT_MAX_BYTES

__all__ = ["main", "portal", "pps"]


@click.group(name="portal")
def portal() -> None:
    """PPS portal command line."""


@portal.group()
def pps() -> None:
    """Work with CANCER-PPS documents (CI-SIS 2022.01)."""


def _refuse(reason: str) -> None:
    click.echo(f"refused: {reason}", err=True)
    raise SystemExit(1)


@pps.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest document accepted.",
)
def check(file: str, max_bytes: int) -> None:
    """Read FILE and report its sections, items and warnings; exit 1 with one line if it is refused."""
    size = os.stat(file).st_size
    if size > max_bytes:
        # Refused before reading it into memory.
        _refuse(f"too large: {size} bytes, the limit is {max_bytes}")
    with open(file, "rb") as handle:
        data = handle.read(max_bytes + 1)
    try:
        plan = read_pps(data, max_bytes=max_bytes)
    except DocumentRefused as exc:
        _refuse(exc.reason)
        return
    click.echo(report(plan))


def main() -> None:
    """Entry point of the `portal` console script."""
    portal(prog_name="portal")
