"""The PDF processes (portal.exports.pdf_pool): a cache bounded in bytes, a bounded queue, a time limit that replaces
the child, errors by kind only, and no process left once the pool is closed. The jobs are stand-ins
(tests.unit.exports.pdf_jobs) except one real PDF, made without loading WeasyPrint in the asking process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.exports.pdf_pool import PdfBusy, PdfFailed, PdfPool, PdfTimedOut, PdfUnavailable
from tests.unit.exports import pdf_jobs

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pool() -> Iterator[PdfPool]:
    made = PdfPool(workers=1, queue=2, timeout=30, cache_bytes=2_500)
    yield made
    made.close()


@pytest.fixture
def uncached() -> Iterator[PdfPool]:
    """A pool that keeps nothing: each job asked is made again (which process made it is the answer)."""
    made = PdfPool(workers=1, queue=2, timeout=30, cache_bytes=0)
    yield made
    made.close()


def test_a_pdf_asked_again_comes_from_the_cache(pool: PdfPool) -> None:
    first = pool.make(pdf_jobs.fresh, 1_000, "a")
    assert pool.make(pdf_jobs.fresh, 1_000, "a") == first
    assert pool.make(pdf_jobs.fresh, 1_000, "b") != first  # other arguments (a language, a day): another PDF


def test_the_cache_keeps_no_more_bytes_than_allowed_and_drops_the_least_recent(pool: PdfPool) -> None:
    a = pool.make(pdf_jobs.fresh, 1_000, "a")
    b = pool.make(pdf_jobs.fresh, 1_000, "b")
    c = pool.make(pdf_jobs.fresh, 1_000, "c")  # 3,000 bytes asked of 2,500: "a" goes
    assert pool.cached_bytes == 2_000
    assert pool.make(pdf_jobs.fresh, 1_000, "c") == c
    assert pool.make(pdf_jobs.fresh, 1_000, "a") != a  # made again (and "b" goes in its place)
    assert pool.make(pdf_jobs.fresh, 1_000, "b") != b
    assert pool.cached_bytes <= 2_500


def test_a_pdf_larger_than_the_cache_is_made_each_time(pool: PdfPool) -> None:
    assert pool.make(pdf_jobs.fresh, 3_000, "big") != pool.make(pdf_jobs.fresh, 3_000, "big")
    assert pool.cached_bytes == 0


def test_a_full_queue_refuses_at_once_and_takes_again_when_a_place_frees(pool: PdfPool) -> None:
    with pool.admitted(), pool.admitted():  # two PDFs being made or waited for: the queue is full
        with pytest.raises(PdfBusy):
            pool.make(pdf_jobs.fresh, 100, "one more")
        with pytest.raises(PdfBusy), pool.admitted():
            pass
    assert pool.make(pdf_jobs.fresh, 100, "one more").startswith(b"one more")


def test_the_pdfs_are_made_in_another_process(pool: PdfPool) -> None:
    made_by = int(pool.make(pdf_jobs.child_pid))
    assert made_by != os.getpid()
    assert pool.pids == [made_by]


def test_a_pdf_over_its_time_limit_is_abandoned_and_its_process_replaced(uncached: PdfPool) -> None:
    pool = uncached
    before = int(pool.make(pdf_jobs.child_pid))  # started within the pool's generous limit
    pool.timeout = 0.5  # a job that never ends is over any limit
    with pytest.raises(PdfTimedOut):
        pool.make(pdf_jobs.never_ends)
    assert pool.pids == []  # killed, not left to run
    pool.timeout = 30
    after = int(pool.make(pdf_jobs.child_pid))
    assert after != before
    assert pool.pids == [after]


def test_an_error_in_the_child_comes_back_by_its_kind_only_and_the_child_stays(uncached: PdfPool) -> None:
    pool = uncached
    before = pool.make(pdf_jobs.child_pid)
    with pytest.raises(PdfFailed) as raised:
        pool.make(pdf_jobs.fails)
    assert str(raised.value) == "ValueError"
    assert pool.make(pdf_jobs.child_pid) == before


def test_a_closed_pool_leaves_no_process_and_makes_no_pdf(pool: PdfPool) -> None:
    made_by = int(pool.make(pdf_jobs.child_pid))
    pool.close()
    assert pool.pids == []
    assert not Path(f"/proc/{made_by}").exists() or "zombie" in Path(f"/proc/{made_by}/status").read_text()
    with pytest.raises(PdfUnavailable):
        pool.make(pdf_jobs.fresh, 100, "after")


def test_a_pool_needs_a_queue_at_least_as_long_as_its_workers() -> None:
    with pytest.raises(ValueError, match="queue"):
        PdfPool(workers=2, queue=1, timeout=1, cache_bytes=0)


#: Run in a fresh interpreter (this one has loaded WeasyPrint for other tests): the web worker's side of a real PDF.
REAL_PDF = """
import datetime as dt, json, sys
from portal import create_app
from portal.exports.pdf import plan_pdf
from portal.exports.pdf_pool import PdfPool
from portal.pps import read_pps
from portal.web import documents, rcp
from synthetic import CASES
from synthetic.documents import pps_document

plan = read_pps(pps_document(CASES[0], 3).cda)
pool = PdfPool(workers=1, queue=1, timeout=60, cache_bytes=10**6)
data = pool.make(plan_pdf, plan, "en", portal_url="https://portal.example/", valid_on=dt.date(2026, 9, 1))
children = pool.pids
pool.close()
print(json.dumps({"head": data[:8].decode(), "tail": data[-6:].decode().strip(),
                  "children": len(children), "weasyprint": sorted(m for m in sys.modules if "weasyprint" in m)}))
"""


def test_a_real_pdf_is_made_through_the_pool_and_the_asking_process_never_loads_weasyprint() -> None:
    done = subprocess.run(
        [sys.executable, "-c", REAL_PDF],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["head"] == "%PDF-1.7"
    assert found["tail"] == "%%EOF"
    assert found["children"] == 1
    assert found["weasyprint"] == []
