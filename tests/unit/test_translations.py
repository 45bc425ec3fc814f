"""Translations: the catalogue is fresh, French is complete, English is complete, placeholders survive."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def load(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_messages_pot_is_fresh(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(fresh),
            "portal",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = ids(load(TRANSLATIONS / "messages.pot"))
    extracted = ids(load(fresh))
    assert extracted - committed == set(), "new strings: run `make messages` and translate them"
    assert committed - extracted == set(), "strings no longer used: run `make messages`"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_language_has_every_message(lang: str) -> None:
    template = ids(load(TRANSLATIONS / "messages.pot"))
    catalog = load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    assert template - ids(catalog) == set(), f"{lang} misses messages: run `make messages`"
    assert not [m.id for m in catalog if m.id and m.fuzzy], f"{lang} has fuzzy (unchecked) translations"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    """No empty entry in either language (English too: a reviewed copy of the source text)."""
    catalog = load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(targets):
            problems.append(f"untranslated: {sources[0]!r}")
            continue
        expected = set(PLACEHOLDER.findall(sources[0]))
        for target in targets:
            if set(PLACEHOLDER.findall(target)) != expected:
                problems.append(f"placeholders differ: {sources[0]!r} -> {target!r}")
    assert problems == []
