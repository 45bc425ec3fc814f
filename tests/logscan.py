"""Log scan of the whole test run: every log record of every test, at every level, is searched for the synthetic
patients' INS, names and birth dates; the run fails if one is found (issue 8: no health data in logs).

Registered from `tests/conftest.py` (`pytest_plugins`). The root logger is set to DEBUG for the run, so that
libraries' debug lines (urllib3 writes each URL it asks, werkzeug each request line) are scanned too; a logger
the portal quietens on purpose (`portal.ops.logs.quiet_libraries`) stays quiet, as in production.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

#: Shown in the summary; at most this many offending lines, the first ones.
MAX_REPORTED = 20


def _dates(day: dt.date) -> list[str]:
    # As the FHIR store (ISO), the CDA (HL7 TS) and a French page (dd/mm/yyyy) write a date.
    return [day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%d/%m/%Y")]


def synthetic_identities() -> tuple[list[str], list[str], list[str]]:
    """(INS, names, birth dates) of every synthetic patient, as the data set and its seed bundles (the home store's
    and the other regions') give them."""
    from synthetic import CASES, DEFAULT_REFERENCE_DATE, REGIONS, build_bundle, build_region_bundle

    ins: set[str] = set()
    names: set[str] = set()
    dates: set[str] = set()
    for reference in {DEFAULT_REFERENCE_DATE, dt.date.today()}:
        for case in (*CASES, *(case for region in REGIONS.values() for case in region.cases)):
            person = case.patient
            ins.add(person.ins(reference))
            dates.update(_dates(person.birth_date(reference)))
            for name in (person.given, person.birth_family, person.used_family, *(person.all_givens or "").split()):
                if name:
                    names.update({name, name.title(), name.upper()})
    bundles = [build_bundle(), *(build_region_bundle(key) for key in REGIONS)]
    for entry in (entry for bundle in bundles for entry in bundle["entry"]):
        resource = entry["resource"]
        if resource["resourceType"] != "Patient":
            continue
        ins.update(i["value"] for i in resource.get("identifier", []) if i.get("system", "").endswith(".4.10"))
        for name in resource.get("name", []):
            for part in (name.get("family"), *name.get("given", [])):
                if part:
                    names.update({part, part.upper()})
        if "birthDate" in resource:
            dates.update(_dates(dt.date.fromisoformat(resource["birthDate"])))
    return sorted(ins), sorted(names), sorted(dates)


def pattern_for(ins: Iterable[str], names: Iterable[str], dates: Iterable[str]) -> re.Pattern[str]:
    """One regular expression: numbers not inside longer numbers, names as whole words (case as written)."""
    numbers = [re.escape(v) for v in sorted({*ins, *dates}, key=len, reverse=True)]
    words = [re.escape(v) for v in sorted(set(names), key=len, reverse=True)]
    return re.compile(rf"(?<![0-9])(?:{'|'.join(numbers)})(?![0-9])|\b(?:{'|'.join(words)})\b")


@dataclass
class Leak:
    test: str
    logger: str
    level: str
    found: str


@dataclass
class LogScan(logging.Handler):
    """A handler that keeps nothing but the count of records and the ones that hold a patient's identity."""

    pattern: re.Pattern[str]
    records: int = 0
    leaks: list[Leak] = field(default_factory=list)
    test: str = "<collection>"

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)

    def __hash__(self) -> int:  # logging keeps handlers in sets and weak references
        return id(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:  # a malformed call: scan what was given
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        found = self.pattern.search(text)
        if found:
            self.leaks.append(Leak(self.test, record.name, record.levelname, found.group(0)))


_scan: LogScan | None = None


def current_scan() -> LogScan | None:
    return _scan


def pytest_configure(config: pytest.Config) -> None:
    global _scan
    _scan = LogScan(pattern_for(*synthetic_identities()))
    root = logging.getLogger()
    root.addHandler(_scan)
    root.setLevel(logging.DEBUG)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _scan is not None:
        _scan.test = nodeid


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _scan is not None and _scan.leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _scan is None:
        return
    if not _scan.leaks:
        terminalreporter.write_line(f"log scan: {_scan.records} log records, none with a synthetic patient's identity")
        return
    terminalreporter.section("log scan: a synthetic patient's identity in the logs", red=True)
    for leak in _scan.leaks[:MAX_REPORTED]:
        terminalreporter.write_line(f"{leak.test}: {leak.level} {leak.logger} holds {leak.found!r}")
    terminalreporter.write_line(f"{len(_scan.leaks)} record(s) in all")


def pytest_unconfigure(config: pytest.Config) -> None:
    global _scan
    if _scan is not None:
        logging.getLogger().removeHandler(_scan)
        _scan = None
