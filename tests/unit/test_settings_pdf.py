"""The settings of the PDF processes: read, bounded, and a queue never shorter than the processes it feeds."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.exports.pdf_pool import PdfPool
from portal.settings import Settings, SettingsError
from tests.unit.conftest import base_env


def test_the_pdf_settings_are_read_and_handed_to_the_pool() -> None:
    env = base_env(PORTAL_PDF_WORKERS="2", PORTAL_PDF_QUEUE="6", PORTAL_PDF_TIMEOUT="12.5", PORTAL_PDF_CACHE_BYTES="0")
    pool: PdfPool = create_app(env).extensions["portal.pdf_pool"]
    assert (pool.workers, pool.queue, pool.timeout, pool.cache_bytes) == (2, 6, 12.5, 0)
    assert pool.pids == []  # nothing started before the first PDF


def test_by_default_one_process_four_places_twenty_seconds() -> None:
    settings = Settings.from_env(base_env())
    assert (settings.pdf_workers, settings.pdf_queue, settings.pdf_timeout) == (1, 4, 20.0)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORTAL_PDF_WORKERS", "0", "PORTAL_PDF_WORKERS is invalid: expected a whole number between 1 and 16."),
        ("PORTAL_PDF_QUEUE", "many", "PORTAL_PDF_QUEUE is invalid: expected a whole number between 1 and 100."),
        ("PORTAL_PDF_TIMEOUT", "0", "PORTAL_PDF_TIMEOUT is invalid: expected a number between 0.1 and 300."),
    ],
)
def test_a_wrong_pdf_setting_names_itself(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(base_env(**{name: value}))
    assert str(refused.value) == expected


def test_a_queue_shorter_than_the_processes_is_refused() -> None:
    with pytest.raises(SettingsError, match="PORTAL_PDF_QUEUE is invalid: expected at least PORTAL_PDF_WORKERS"):
        Settings.from_env(base_env(PORTAL_PDF_WORKERS="3", PORTAL_PDF_QUEUE="2"))
