"""The log scan of the whole run (tests/logscan.py) is installed, sees the run's records, and would catch a leak."""

from __future__ import annotations

import logging

from tests.logscan import LogScan, current_scan, pattern_for, synthetic_identities


def scanner() -> LogScan:
    return LogScan(pattern_for(*synthetic_identities()))


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("portal.test", logging.DEBUG, __file__, 1, message, args, None)


def test_the_scan_watches_every_record_of_the_run_at_debug_level() -> None:
    scan = current_scan()
    assert scan is not None
    assert scan in logging.getLogger().handlers
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    before = scan.records
    logging.getLogger("portal.test").debug("a line with nothing personal")
    assert scan.records == before + 1


def test_an_ins_a_name_or_a_birth_date_is_caught_in_any_of_its_spellings() -> None:
    scan = scanner()
    for line in (
        "patient %s",  # an INS given as an argument
        "GET /fhir/Patient?birthdate=1978-04-12 HTTP/1.1",
        "birthTime value=19780412",
        "née le 12/04/1978",
        "reading the plan of Camille EXEMPLE",
        "display=Diane Démo",
    ):
        scan.handle(record(line, "278047505612374"))
    assert [leak.found for leak in scan.leaks] == [
        "278047505612374",
        "1978-04-12",
        "19780412",
        "12/04/1978",
        "Camille",
        "Diane",
    ]


def test_ordinary_words_and_longer_numbers_are_not_mistaken_for_a_patient() -> None:
    scan = scanner()
    for line in ("par exemple", "store GET search Patient status=200 duration_ms=12.3", "id 92780475056123745"):
        scan.handle(record(line))
    assert scan.leaks == []


def test_a_traceback_is_scanned_too() -> None:
    scan = scanner()
    try:
        raise ValueError("Inès Imaginaire")
    except ValueError:
        import sys

        failed = logging.LogRecord("portal.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    scan.handle(failed)
    assert scan.leaks and scan.leaks[0].found in ("Inès", "Imaginaire")
