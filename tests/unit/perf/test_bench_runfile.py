"""The run file (docs/performance-run.md) is rendered from the bench.json of a run: commit, date, machine,
command, and every figure with its verdict."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import runfile
from bench.figures import Figure, figures_of, write


def a_run() -> dict[str, object]:
    return {
        "command": "python -m bench roundtrips lighthouse --allow-missing lighthouse",
        "benchmarks": ["roundtrips", "lighthouse"],
        "left_out": ["reader"],
        "allowed_missing": ["lighthouse"],
        "date": "2027-01-05 10:00 UTC",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "dirty": True,
        "machine": {
            "cpu": "AMD EPYC 7R13",
            "cpus": 2,
            "memory_gib": 23.4,
            "system": "Debian GNU/Linux 12 (bookworm)",
            "python": "3.11.7",
            "python_build": "PGO and LTO",
            "load_average": [0.5, 0.25, 0.1],
        },
    }


FIGURES = [
    Figure("overview: sequential store round trips", 2, "", 2, benchmark="roundtrips", note="4 store GETs"),
    Figure("Lighthouse performance", None, "", 0.95, "min", benchmark="lighthouse", missing_allowed=True),
]


def test_the_run_file_is_rendered_from_the_json_with_commit_date_and_machine(tmp_path: Path) -> None:
    _, data = write(FIGURES, tmp_path, a_run())
    written = runfile.write(data, tmp_path / "performance-run.md").read_text(encoding="utf-8")
    assert "`0123456789abcdef0123456789abcdef01234567 with uncommitted changes`" in written
    assert "2027-01-05 10:00 UTC" in written
    assert "AMD EPYC 7R13, 2 CPUs, 23.4 GiB, Debian GNU/Linux 12 (bookworm), Python 3.11.7 (PGO and LTO);" in written
    assert "`python -m bench roundtrips lighthouse --allow-missing lighthouse`" in written
    assert "left out:** reader" in written
    assert (
        "## roundtrips" in written and "| overview: sequential store round trips | 2 | ≤ 2 | within budget |" in written
    )
    assert "## lighthouse" in written and "missing (allowed)" in written
    assert "every budgeted figure of the benchmarks run measured and within its budget" in written
    assert "a partial run: the benchmarks left out were not measured" in written


def test_the_figures_read_back_from_the_json_are_the_ones_written(tmp_path: Path) -> None:
    _, data = write(FIGURES, tmp_path, a_run())
    assert figures_of(json.loads(data.read_text(encoding="utf-8"))) == FIGURES


def test_a_failing_run_says_so_at_the_top(tmp_path: Path) -> None:
    over = [Figure("read", 12.0, "ms", 10, benchmark="roundtrips")]
    _, data = write(over, tmp_path, a_run())
    written = runfile.write(data, tmp_path / "run.md").read_text(encoding="utf-8")
    assert "1 figure(s) failing (exit 1): read: OVER BUDGET" in written


def test_a_run_is_described_by_this_checkout_and_machine() -> None:
    run = runfile.describe("python -m bench hostile", ["hostile"], ["reader"], [])
    assert re.fullmatch(r"[0-9a-f]{40}", str(run["commit"]))
    assert isinstance(run["dirty"], bool)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", str(run["date"]))
    machine = run["machine"]
    assert isinstance(machine, dict) and machine["cpus"] >= 1 and machine["memory_gib"] > 0 and machine["cpu"]


def test_the_interpreter_build_is_read_from_how_python_was_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for arguments, said in [
        ("'--prefix=/usr' '--enable-optimizations' '--with-lto'", "PGO and LTO"),
        ("'--enable-optimizations'", "PGO"),
        ("'--prefix=/root/.pyenv/versions/3.11.7' '--enable-shared'", "no PGO or LTO"),
    ]:
        monkeypatch.setattr(
            runfile.sysconfig, "get_config_var", lambda name, a=arguments: a if name == "CONFIG_ARGS" else None
        )
        assert runfile.python_build() == said
    assert runfile.machine()["python_build"] == "no PGO or LTO"  # still patched: the last one


def test_a_run_file_of_before_the_build_was_recorded_still_renders(tmp_path: Path) -> None:
    run = a_run()
    machine = run["machine"]
    assert isinstance(machine, dict)
    del machine["python_build"]
    _, data = write(FIGURES, tmp_path, run)
    written = runfile.write(data, tmp_path / "run.md").read_text(encoding="utf-8")
    assert "Debian GNU/Linux 12 (bookworm), Python 3.11.7; load average" in written
