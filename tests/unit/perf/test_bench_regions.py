"""The regions benchmark's own logic: round trips counted across stores, a store that did not answer caught, the
budget of the far store's latency, and the far store's seed (a region's seed re-keyed, its plans dated earlier)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.regions import Trip, chain, over_far_latency, per_store, rekeyed, unanswered
from portal.store.client import RoundTrip


def trip(store: str, started: float, ended: float, status: int = 200) -> Trip:
    return Trip(store, RoundTrip("GET", "search-type", status, started, ended))


def test_stores_asked_in_parallel_count_once_and_a_wait_after_them_once_more() -> None:
    parallel = [trip("home", 0.0, 0.05), trip("nord", 0.0, 0.05), trip("loin", 0.0, 0.2), trip("nord", 0.2, 0.25)]
    assert chain(parallel) == 2


def test_stores_asked_one_after_the_other_count_each() -> None:
    one_by_one = [trip("home", 0.0, 0.05), trip("nord", 0.05, 0.1), trip("loin", 0.1, 0.3), trip("nord", 0.3, 0.35)]
    assert chain(one_by_one) == 4


def test_each_store_is_described_in_the_order_given_even_when_not_asked() -> None:
    trips = [trip("nord", 0.0, 0.05), trip("home", 0.0, 0.05), trip("nord", 0.05, 0.1), trip("nord", 0.0, 0.02)]
    assert per_store(trips, ["home", "nord", "loin"]) == "home 1 GETs (1 in a row), nord 3 GETs (2 in a row), loin 0"


def test_a_store_that_timed_out_or_failed_is_caught_and_a_not_modified_is_not() -> None:
    trips = [trip("loin", 0.0, 3.0, status=0), trip("nord", 0.0, 0.05, status=503), trip("home", 0.0, 0.05, 304)]
    assert unanswered(trips) == ["loin search-type no answer", "nord search-type 503"]
    assert unanswered([trip("home", 0.0, 0.05), trip("nord", 0.0, 0.05, 404)]) == []


def test_the_far_store_may_add_its_latency_once_and_no_more() -> None:
    assert over_far_latency(330.0, 130.0, far_ms=200) == 0
    assert over_far_latency(290.0, 130.0, far_ms=200) < 0
    assert over_far_latency(530.0, 130.0, far_ms=200) == 200


def test_a_region_seed_is_rekeyed_for_another_store_and_its_plans_dated_earlier() -> None:
    data = "PENsaW5pY2FsRG9jdW1lbnQgaWQ9InBhdC1ub3JkLWIiLz4="  # the document's bytes: left as they are
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {"resourceType": "Patient", "id": "pat-nord-b", "name": [{"family": "FICTIF"}]},
                "request": {"method": "PUT", "url": "Patient/pat-nord-b"},
            },
            {
                "resource": {
                    "resourceType": "DocumentReference",
                    "id": "doc-nord-b-pps-v2",
                    "subject": {"reference": "Patient/pat-nord-b"},
                    "date": "2026-09-01T10:00:00+02:00",
                    "description": "Programme de la Région Exemple-Nord",
                    "content": [{"attachment": {"url": "Binary/bin-nord-b-pps-v2", "hash": "abc=", "size": 3}}],
                },
                "request": {"method": "PUT", "url": "DocumentReference/doc-nord-b-pps-v2"},
            },
            {
                "resource": {"resourceType": "Binary", "id": "bin-nord-b-pps-v2", "data": data},
                "request": {"method": "PUT", "url": "Binary/bin-nord-b-pps-v2"},
            },
        ],
    }
    copied = rekeyed(bundle, "nord", "loin", dt.timedelta(days=30))
    patient, document, binary = (e["resource"] for e in copied["entry"])
    assert patient["id"] == "pat-loin-b" and patient["name"] == [{"family": "FICTIF"}]
    assert document["id"] == "doc-loin-b-pps-v2"
    assert document["subject"] == {"reference": "Patient/pat-loin-b"}
    assert document["content"][0]["attachment"] == {"url": "Binary/bin-loin-b-pps-v2", "hash": "abc=", "size": 3}
    assert document["date"] == "2026-08-02T10:00:00+02:00"
    assert document["description"] == "Programme de la Région Exemple-Nord"
    assert binary == {"resourceType": "Binary", "id": "bin-loin-b-pps-v2", "data": data}
    assert [e["request"]["url"] for e in copied["entry"]] == [
        "Patient/pat-loin-b",
        "DocumentReference/doc-loin-b-pps-v2",
        "Binary/bin-loin-b-pps-v2",
    ]
    assert bundle["entry"][0]["resource"]["id"] == "pat-nord-b"  # the region's own seed is left as it was
