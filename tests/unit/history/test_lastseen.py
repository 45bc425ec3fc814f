"""The last-seen memory: per person and patient, keyed hashes only, bounded, and impossible to forge."""

from __future__ import annotations

from portal.web.lastseen import LastSeen

SECRET = "unit-test-secret-key-0123456789-abcdef"


def test_remembered_per_person_and_patient() -> None:
    tracker = LastSeen(SECRET)
    records = tracker.remember((), "sub-a", "pat-1", "v2")
    records = tracker.remember(records, "sub-b", "pat-1", "v1")
    records = tracker.load(tracker.dump(records))
    assert tracker.seen(records, "sub-a", "pat-1") == tracker.token("v2")
    assert tracker.seen(records, "sub-b", "pat-1") == tracker.token("v1")
    assert tracker.seen(records, "sub-a", "pat-2") is None
    assert tracker.find(tracker.token("v2"), ["v1", "v2", "v3"]) == "v2"


def test_the_cookie_holds_no_raw_id() -> None:
    tracker = LastSeen(SECRET)
    value = tracker.dump(tracker.remember((), "sub-secret-person", "pat-secret", "doc-secret-version"))
    assert "secret" not in value


def test_a_forged_or_foreign_cookie_is_ignored() -> None:
    tracker = LastSeen(SECRET)
    value = tracker.dump(tracker.remember((), "sub-a", "pat-1", "v2"))
    assert tracker.load(value[:-2] + "xx") == ()
    assert LastSeen("another-secret-key-of-another-portal").load(value) == ()
    assert tracker.load("garbage") == () and tracker.load(None) == ()


def test_the_memory_is_bounded_most_recent_first() -> None:
    tracker = LastSeen(SECRET, max_entries=3)
    records: tuple[tuple[str, str], ...] = ()
    for n in range(5):
        records = tracker.remember(records, f"sub-{n}", "pat-1", "v1")
    assert len(records) == 3
    assert tracker.seen(records, "sub-4", "pat-1") is not None and tracker.seen(records, "sub-0", "pat-1") is None
    assert len(tracker.dump(records)) < 400
