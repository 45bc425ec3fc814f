"""The portable copy of several stores: one folder per store, named after its region, each a whole copy of that
store's documents (its files and its own metadata Bundle), nothing of one store in another's folder."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any

import pytest

from portal.exports.files import CheckedFile
from portal.exports.portability import METADATA_NAME, PackedFile, StoreCopy, folder_names, portable_copy, stores_copy
from portal.store.resources import DocumentEntry, document_from_fhir

GENERATED = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)


def entry(doc_id: str, replaces: str | None = None) -> DocumentEntry:
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": doc_id,
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5"}]},
        "date": "2026-08-27T10:00:00+02:00",
        "content": [{"attachment": {"contentType": "text/xml", "url": f"Binary/bin-{doc_id}", "title": doc_id}}],
    }
    if replaces:
        resource["relatesTo"] = [{"code": "replaces", "target": {"reference": f"DocumentReference/{replaces}"}}]
    return document_from_fhir(resource)


def part(folder: str, *doc_ids: str) -> StoreCopy:
    entries = [entry(doc_id, doc_ids[i + 1] if i + 1 < len(doc_ids) else None) for i, doc_id in enumerate(doc_ids)]
    packed = [
        PackedFile(
            e, 1, CheckedFile("text/xml", f"<doc id='{e.id}'/>".encode(), f"{e.id}.xml"), f"documents/{e.id}.xml"
        )
        for e in entries
    ]
    return StoreCopy(folder, entries, packed)


def unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    ("stores", "expected"),
    [
        (
            [("home", "DCC Exemple Sud"), ("nord", "Région Exemple-Nord – DCC Exemple Nord")],
            ["DCC Exemple Sud", "Région Exemple-Nord – DCC Exemple Nord"],
        ),
        ([("home", None), ("nord", "")], ["home", "nord"]),
        ([("home", "../.."), ("nord", "a/b\\c:d")], ["home", "a-b-c-d"]),
        ([("home", "Nord"), ("nord", "nord"), ("est", "NORD")], ["Nord", "nord (2)", "NORD (3)"]),
        ([("home", "CON"), ("nord", " .\x00\u202e. ")], ["home", "nord"]),
        ([("home", "…"), ("nord", None)], ["home", "nord"]),
        ([("home", "x" * 200)], ["x" * 60]),
    ],
)
def test_a_folder_is_named_after_its_region_safely_and_once(
    stores: list[tuple[str, str | None]], expected: list[str]
) -> None:
    assert folder_names(stores) == expected


def test_a_folder_name_is_one_plain_path_segment_whatever_the_label() -> None:
    nasty = ["/etc/passwd", "C:\\Windows", "..", ".hidden", "a\nb", "\u200b", "名前", "Ré gion\t(2)", "~", "a*?<>|"]
    names = folder_names([(f"k{i}", label) for i, label in enumerate(nasty)])
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert name and name == name.strip() and not name.startswith(".")
        assert all(ch.isalnum() or ch in " -–()" for ch in name), name
        assert PurePosixPath(name).parts == (name,)


def test_each_store_has_its_folder_with_its_files_and_its_own_bundle() -> None:
    files = unzip(stores_copy([part("Sud", "home-v2", "home-v1"), part("Nord", "nord-v1")], GENERATED))
    assert set(files) == {
        "Sud/documents/home-v2.xml",
        "Sud/documents/home-v1.xml",
        f"Sud/{METADATA_NAME}",
        "Nord/documents/nord-v1.xml",
        f"Nord/{METADATA_NAME}",
    }
    for folder, ids in (("Sud", {"home-v2", "home-v1"}), ("Nord", {"nord-v1"})):
        bundle = json.loads(files[f"{folder}/{METADATA_NAME}"])
        resources = [e["resource"] for e in bundle["entry"]]
        assert {r["id"] for r in resources} == ids  # nothing of the other store
        for resource in resources:
            for content in resource["content"]:
                # A path within the folder: each folder stands alone once unzipped.
                assert f"{folder}/{content['attachment']['url']}" in files
            for link in resource.get("relatesTo", []):
                assert link["target"]["reference"].removeprefix("DocumentReference/") in ids
    assert files["Nord/documents/nord-v1.xml"] == b"<doc id='nord-v1'/>"


def test_one_store_keeps_the_layout_at_the_root() -> None:
    one = part("", "home-v2", "home-v1")
    assert set(unzip(portable_copy(one.entries, one.packed, GENERATED))) == {
        "documents/home-v2.xml",
        "documents/home-v1.xml",
        METADATA_NAME,
    }
