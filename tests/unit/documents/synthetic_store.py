"""A fake FHIR store for unit tests, answering from the synthetic data set with `responses` callbacks.

It understands the few searches the portal makes (Patient by identifier; DocumentReference by patient, type and
status), reads by id, and serves Binary files as raw bytes. A test can spoil one file (`tamper`) to play a
store that returns a wrong size, a wrong hash or an unexpected content type.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from synthetic import build_bundle

Resource = dict[str, Any]
Answer = tuple[int, dict[str, str], bytes | str]


@cache
def synthetic_resources() -> tuple[Resource, ...]:
    return tuple(entry["resource"] for entry in build_bundle()["entry"])


@dataclass
class Tampered:
    """What the store sends instead of a file: other bytes and/or another content type."""

    data: bytes | None = None
    content_type: str | None = None


@dataclass
class SyntheticStore:
    base: str
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    tampered: dict[str, Tampered] = field(default_factory=dict)
    binary_reads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for resource in synthetic_resources():
            self.resources[(resource["resourceType"], resource["id"])] = json.loads(json.dumps(resource))

    def install(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(responses.GET, self.base + "/Patient", callback=self._search_patient)
        mock.add_callback(responses.GET, self.base + "/DocumentReference", callback=self._search_documents)
        mock.add_callback(responses.GET, re.compile(re.escape(self.base) + r"/DocumentReference/[^/?]+$"), self._read)
        mock.add_callback(responses.GET, re.compile(re.escape(self.base) + r"/Binary/[^/?]+$"), self._binary)

    # --- test controls ---------------------------------------------------------------------------------

    def tamper(self, binary_id: str, *, data: bytes | None = None, content_type: str | None = None) -> None:
        self.tampered[binary_id] = Tampered(data, content_type)

    def binary_bytes(self, binary_id: str) -> bytes:
        return base64.b64decode(self.resources[("Binary", binary_id)]["data"])

    def document(self, doc_id: str) -> Resource:
        return self.resources[("DocumentReference", doc_id)]

    # --- answers ---------------------------------------------------------------------------------------

    @staticmethod
    def _params(request: Any) -> dict[str, list[str]]:
        return parse_qs(urlsplit(request.url).query)

    def _bundle(self, found: list[Resource]) -> Answer:
        body = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r, "search": {"mode": "match"}} for r in found],
        }
        return 200, {"Content-Type": "application/fhir+json"}, json.dumps(body)

    def _search_patient(self, request: Any) -> Answer:
        system, _, value = self._params(request)["identifier"][0].partition("|")
        found = [
            r
            for (kind, _), r in self.resources.items()
            if kind == "Patient"
            and any(i.get("system") == system and i.get("value") == value for i in r.get("identifier", []))
        ]
        return self._bundle(found)

    def _search_documents(self, request: Any) -> Answer:
        params = self._params(request)
        patient = params["patient"][0]
        types = {t.partition("|")[2] for t in params.get("type", [""])[0].split(",") if t}
        statuses = set(params["status"][0].split(",")) if "status" in params else None
        found = [
            r
            for (kind, _), r in self.resources.items()
            if kind == "DocumentReference"
            and r["subject"]["reference"] == patient
            and (not types or r["type"]["coding"][0]["code"] in types)
            and (statuses is None or r["status"] in statuses)
        ]
        found.sort(key=lambda r: r["date"], reverse=True)
        return self._bundle(found)

    def _read(self, request: Any) -> Answer:
        """A read by id (`…/{type}/{id}`) of any resource the store holds."""
        resource_type, resource_id = urlsplit(request.url).path.rsplit("/", 2)[1:]
        resource = self.resources.get((resource_type, resource_id))
        if resource is None:
            return 404, {"Content-Type": "application/fhir+json"}, json.dumps({"resourceType": "OperationOutcome"})
        return 200, {"Content-Type": "application/fhir+json"}, json.dumps(resource)

    def _binary(self, request: Any) -> Answer:
        binary_id = urlsplit(request.url).path.rsplit("/", 1)[1]
        self.binary_reads.append(binary_id)
        resource = self.resources.get(("Binary", binary_id))
        if resource is None:
            return 404, {"Content-Type": "application/fhir+json"}, json.dumps({"resourceType": "OperationOutcome"})
        data = base64.b64decode(resource["data"])
        content_type = resource["contentType"]
        spoiled = self.tampered.get(binary_id)
        if spoiled is not None:
            data = spoiled.data if spoiled.data is not None else data
            content_type = spoiled.content_type or content_type
        return 200, {"Content-Type": content_type}, data
