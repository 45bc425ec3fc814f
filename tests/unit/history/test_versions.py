"""The version chain: the store's entries cross-checked with the documents, and every real-world oddity."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from portal.plans.versions import ChainProblem, ChainVersion, MissingVersion, VersionInput, build_chain, latest_entry
from portal.pps.model import DocumentMetadata, Identifier
from portal.store.resources import Attachment, DocumentEntry, RelatesTo
from portal.store.resources import Identifier as StoreIdentifier

SET = Identifier("1.2.250.1.999.42")


def entry(
    doc_id: str,
    status: str,
    day: int,
    *,
    replaces: str | None = None,
    master: str | None = None,
    labels: tuple[str, ...] = (),
) -> DocumentEntry:
    return DocumentEntry(
        id=doc_id,
        master_identifier=StoreIdentifier(master or f"urn:oid:1.2.250.1.999.{doc_id}", "urn:ietf:rfc:3986"),
        status=status,
        date=dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=day),
        date_precision=None,
        type_code="18776-5",
        format_code=None,
        format_known=True,
        title="PPS",
        author_display="Dr Alex Fictif",
        custodian_display=None,
        security_labels=labels,
        relates_to=(RelatesTo("replaces", replaces),) if replaces else (),
        attachments=(Attachment("text/xml", None, None, None, f"Binary/{doc_id}", None, None, None),),
    )


def header(doc_id: str, version: int, parent: str | None = None, set_id: Identifier = SET) -> DocumentMetadata:
    return DocumentMetadata(
        id=Identifier(f"1.2.250.1.999.cda.{doc_id}"),
        set_id=set_id,
        version=version,
        replaces=Identifier(f"1.2.250.1.999.cda.{parent}") if parent else None,
    )


def three_versions() -> list[VersionInput]:
    return [
        VersionInput(entry("v1", "superseded", 0), header("v1", 1)),
        VersionInput(entry("v2", "superseded", 30, replaces="v1"), header("v2", 2, "v1")),
        VersionInput(entry("v3", "current", 60, replaces="v2"), header("v3", 3, "v2")),
    ]


def ids(chain_entries: tuple[ChainVersion | MissingVersion, ...]) -> list[str]:
    return [e.id if isinstance(e, ChainVersion) else "missing" for e in chain_entries]


def test_a_clean_chain_is_newest_first_with_the_current_one_latest() -> None:
    chain = build_chain(list(reversed(three_versions())))
    assert ids(chain.entries) == ["v3", "v2", "v1"]
    assert chain.latest is not None and chain.latest.id == "v3" and chain.latest.is_latest
    assert [v.is_latest for v in chain.versions] == [True, False, False]
    assert chain.problems == ()
    v2 = chain.find("v2")
    assert v2 is not None and chain.previous(v2) == chain.find("v1")
    assert chain.is_older(chain.versions[2], chain.versions[0])


def test_a_missing_version_is_marked_not_available() -> None:
    inputs = three_versions()
    del inputs[1]
    chain = build_chain(inputs)
    assert ids(chain.entries) == ["v3", "missing", "v1"]
    assert ChainProblem.BROKEN_LINK in chain.problems


def test_a_hidden_version_looks_exactly_like_a_missing_one() -> None:
    """The access step drops the hidden entry: the chain cannot tell, and the marker carries nothing."""
    inputs = three_versions()
    missing = build_chain([inputs[0], inputs[2]])
    assert missing.entries[1] == MissingVersion()
    assert missing.find("v2") is None
    assert repr(missing.entries[1]) == "MissingVersion()"


def test_a_hidden_newest_version_is_never_betrayed() -> None:
    """Lung v3 is hidden from the patient: v2, though "superseded" in the store, is their latest version."""
    inputs = three_versions()[:2]
    chain = build_chain(inputs)
    assert ids(chain.entries) == ["v2", "v1"]
    assert chain.latest is not None and chain.latest.id == "v2"
    assert not any(isinstance(e, MissingVersion) for e in chain.entries)


def test_two_current_versions_the_newest_wins_and_it_is_logged_without_health_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inputs = [
        VersionInput(entry("v1", "current", 0), header("v1", 1)),
        VersionInput(entry("v2", "current", 30, replaces="v1"), header("v2", 2, "v1")),
    ]
    with caplog.at_level(logging.WARNING, logger="portal.plans.versions"):
        chain = build_chain(inputs)
    assert ids(chain.entries) == ["v2", "v1"]
    assert ChainProblem.TWO_CURRENT in chain.problems
    assert "two_current" in caplog.text
    assert "v1" not in caplog.text and "v2" not in caplog.text and "Fictif" not in caplog.text


def test_a_metadata_only_update_is_not_a_new_version() -> None:
    same_document = entry("v3-relabelled", "current", 61, master="urn:oid:1.2.250.1.999.v3")
    inputs = [*three_versions(), VersionInput(same_document, header("v3", 3, "v2"))]
    inputs[2] = VersionInput(entry("v3", "superseded", 60, replaces="v2"), header("v3", 3, "v2"))
    chain = build_chain(inputs)
    assert len(chain.versions) == 3
    assert chain.latest is not None and chain.latest.id == "v3-relabelled" and chain.latest.aliases == ("v3",)
    assert chain.find("v3") is chain.latest
    assert ChainProblem.METADATA_ONLY_UPDATE in chain.problems


def test_a_circular_link_does_not_loop_or_reorder() -> None:
    inputs = [
        VersionInput(entry("v1", "superseded", 0, replaces="v2"), header("v1", 1)),
        VersionInput(entry("v2", "current", 30, replaces="v1"), header("v2", 2, "v1")),
    ]
    chain = build_chain(inputs)
    assert ids(chain.entries) == ["v2", "v1"]
    assert ChainProblem.CIRCULAR_LINK in chain.problems


def test_a_link_to_nowhere_in_the_oldest_version_means_earlier_ones_are_not_available() -> None:
    inputs = [
        VersionInput(entry("v2", "superseded", 30, replaces="gone"), header("v2", 2, "v1")),
        VersionInput(entry("v3", "current", 60, replaces="v2"), header("v3", 3, "v2")),
    ]
    assert ids(build_chain(inputs).entries) == ["v3", "v2", "missing"]


def test_store_links_missing_but_version_numbers_jump() -> None:
    inputs = [
        VersionInput(entry("v1", "superseded", 0), header("v1", 1)),
        VersionInput(entry("v3", "current", 60), header("v3", 3)),
    ]
    assert ids(build_chain(inputs).entries) == ["v3", "missing", "v1"]


def test_unreadable_documents_are_ordered_by_date() -> None:
    inputs = [VersionInput(entry("b", "superseded", 10)), VersionInput(entry("a", "current", 20, replaces="b"))]
    chain = build_chain(inputs)
    assert ids(chain.entries) == ["a", "b"]
    assert not chain.versions[0].readable and chain.versions[0].number is None


def test_versions_of_another_series_are_left_out() -> None:
    inputs = [
        *three_versions(),
        VersionInput(entry("x1", "superseded", 10), header("x1", 1, set_id=Identifier("1.2.250.1.999.other"))),
    ]
    chain = build_chain(inputs)
    assert ids(chain.entries) == ["v3", "v2", "v1"]
    assert ChainProblem.OTHER_SERIES in chain.problems


def test_no_version_at_all() -> None:
    chain = build_chain([])
    assert chain.entries == () and chain.latest is None
    assert latest_entry([]) is None


def test_latest_entry_needs_only_the_store_entries() -> None:
    entries = [v.entry for v in three_versions()]
    found = latest_entry(entries)
    assert found is not None and found.id == "v3"
