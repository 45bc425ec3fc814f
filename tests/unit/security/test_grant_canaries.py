"""Nothing past a limited grant: every field of the care plan carries a unique canary, and no canary of a part
that was not shared may appear anywhere a limited caregiver can reach.

The plan is built field by field from the model's own type hints (a field added to the model later gets a
canary too, with no change here). The oracle of what each shared part may show is stated below in the words of
the CI-SIS document's sections, on its own, not read from the code under test. Every GET route of the app is
asked, as a page and as an htmx fragment, in French and in English; zip archives are opened and PDFs read as
text; headers are scanned too. The same sweep for a caregiver who was given the whole plan must find canaries
of every part, so the sweep can see what it looks for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import io
import re
import shutil
import subprocess
import types
import typing
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from portal import create_app
from portal.plans.loader import LoadedPlan, PlanLoader
from portal.pps.hl7time import HL7Time
from portal.pps.model import CarePlan, ItemKind, ItemStatus
from portal.store.resources import DocumentEntry, PatientRecord
from tests.unit.conftest import STORE, SUBJECT_SYSTEM, FakeProvider, base_env, make_client, sign_in
from tests.unit.fhir import document, searchset

PARTS = ("treatments", "calendar", "contacts", "support", "illness")
CAREGIVER_SUB = "sub-of-a-neighbour"
PATIENT = {
    "resourceType": "Patient",
    "id": "pat-henri",
    "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "1500000000001"}],
    "name": [{"use": "official", "family": "Factice", "given": ["Henri"]}],
    "birthDate": "1950-01-01",
}
VERSIONS = ("doc-v1", "doc-v2")

# --- the oracle: what each shared part may show, by section of the care plan -------------------------------

#: The sections (top-level fields of the model) each part shows whole.
WHOLE = {
    "treatments": ("programme", "treatment_stop"),  # the therapeutic and follow-up programme, and its end
    "support": ("support",),  # supportive care and social support
    "contacts": ("contacts", "trusted_persons", "emergency_contacts"),  # useful contacts, people to call
    "illness": ("diagnoses", "discovery", "phase", "progression", "paediatrics", "patient_comment"),
}
#: The calendar shows, of each item of the programme and of support, what it is, when and where.
CALENDAR_FACTS = ("kind", "status", "type", "label", "id", "negated", "dates", "planned_dates", "places")


def may_show(part: str, path: str) -> bool:
    """Whether a caregiver with this part shared may see the field at `path` (e.g. "programme.comment")."""
    top, _, rest = path.partition(".")
    if part == "calendar":
        return (top in ("programme", "support") and rest.split(".")[0] in CALENDAR_FACTS) or path.startswith(
            "metadata.set_id"  # names the plan in the calendar file's event identifiers
        )
    return top in WHOLE[part]


# --- a plan with a canary in every field --------------------------------------------------------------------


@dataclasses.dataclass
class Canaries:
    """Unique tokens by the model path they were put in, and unique years for dates."""

    version: int
    by_token: dict[str, str] = dataclasses.field(default_factory=dict)
    count: int = 0

    def token(self, path: str) -> str:
        self.count += 1
        value = f"QZ{self.version}{self.count:04d}K"
        self.by_token[value] = path
        return value

    def year(self, path: str) -> HL7Time:
        self.count += 1
        year = 3000 * self.version + self.count  # a year nothing else on a page can show (3001…, 6001…)
        self.by_token[str(year)] = path
        return HL7Time(year, 3, 1 + self.count % 27)


def _fill(hint: Any, path: str, canaries: Canaries) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        present = [a for a in typing.get_args(hint) if a is not type(None)]
        return _fill(present[0], path, canaries)
    if origin is tuple:
        element = typing.get_args(hint)[0]
        if typing.get_origin(element) is tuple:  # DocumentMetadata.related: (type code, identifier) pairs
            return ((canaries.token(path + ".kind"), _fill(typing.get_args(element)[1], path, canaries)),)
        return (_fill(element, path, canaries),)
    if hint is HL7Time:
        return canaries.year(path)
    if dataclasses.is_dataclass(hint):
        return _record(hint, path, canaries)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if hint is bool:
        return True
    if hint is int:
        return 2
    if hint is str:
        return canaries.token(path)
    if hint is bytes:
        return None
    raise AssertionError(f"no canary for {path}: {hint!r}")


#: Fields that hold no content of their own: a language code, "no value" markers, the PDF of a PDF-only plan.
NOT_CONTENT = {"null_flavor", "language", "pdf", "pdf_media_type"}


def _record(cls: Any, path: str, canaries: Canaries) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        here = f"{path}.{field.name}" if path else field.name
        if field.name in NOT_CONTENT:
            values[field.name] = "fr-FR" if field.name == "language" else None
        else:
            values[field.name] = _fill(hints[field.name], here, canaries)
    return cls(**values)


def canary_plan(version: int) -> tuple[CarePlan, Canaries]:
    canaries = Canaries(version)
    plan = _record(CarePlan, "", canaries)
    # Items are planned and will be done (so that they reach the calendar file too); support items are of a
    # support kind. Everything else stays as filled.
    planned = {"status": ItemStatus.PLANNED, "negated": False}
    programme = tuple(dataclasses.replace(i, **planned) for i in plan.programme)
    support = tuple(dataclasses.replace(i, kind=ItemKind.SUPPORTIVE_CARE, **planned) for i in plan.support)
    metadata = dataclasses.replace(plan.metadata, version=version)
    plan = dataclasses.replace(plan, programme=programme, support=support, metadata=metadata)
    return plan, canaries


PLANS = {doc_id: canary_plan(n) for n, doc_id in enumerate(VERSIONS, start=1)}
ALL_CANARIES: dict[str, str] = {t: p for _, c in PLANS.values() for t, p in c.by_token.items()}


# --- the store and the app -----------------------------------------------------------------------------------


def related_person(parts: tuple[str, ...] | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": "rp-neighbour",
        "identifier": [{"system": SUBJECT_SYSTEM, "value": CAREGIVER_SUB}],
        "active": True,
        "patient": {"reference": "Patient/pat-henri"},
        "relationship": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleClass", "code": "CAREGIVER"}]}
        ],
        "name": [{"family": "Imaginaire", "given": ["Inès"]}],
    }
    if parts is not None:
        # "nothing" is not a part: a link that shares nothing still carries the extension.
        resource["extension"] = [
            {"url": "https://pps-portal.example.org/fhir/StructureDefinition/shared-plan-parts", "valueCode": code}
            for code in (parts or ("nothing",))
        ]
    return resource


def documents() -> list[dict[str, Any]]:
    found = []
    for n, doc_id in enumerate(VERSIONS, start=1):
        entry = document(doc_id, "current" if n == len(VERSIONS) else "superseded", f"2026-0{n}-10T10:00:00+01:00")
        entry["subject"] = {"reference": "Patient/pat-henri"}
        entry["content"].append({"attachment": {"contentType": "application/pdf", "url": f"Binary/{doc_id}-pdf"}})
        if n > 1:
            entry["relatesTo"] = [{"code": "replaces", "target": {"reference": f"DocumentReference/{VERSIONS[n - 2]}"}}]
        found.append(entry)
    return list(reversed(found))


def install_store(mock: responses.RequestsMock, parts: tuple[str, ...] | None) -> None:
    mock.get(STORE + "/Patient", json=searchset())  # the caregiver is nobody's patient
    mock.get(STORE + "/Patient/pat-henri", json=PATIENT)
    mock.get(STORE + "/RelatedPerson", json=searchset(related_person(parts)))
    mock.get(STORE + "/DocumentReference", json=searchset(*documents()))
    for doc_id in VERSIONS:
        mock.get(f"{STORE}/Binary/{doc_id}", body=b"<ClinicalDocument/>", content_type="text/xml")
        mock.get(f"{STORE}/Binary/{doc_id}-pdf", body=b"%PDF-1.4 original", content_type="application/pdf")
    mock.post(STORE + "/AuditEvent", status=201, json={"resourceType": "AuditEvent", "id": "a"})
    mock.post(STORE, status=200, json={"resourceType": "Bundle", "type": "batch-response", "entry": []})


@pytest.fixture(autouse=True)
def canary_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader reads each version as its canary plan (the store's files do not matter here)."""

    def load(_self: PlanLoader, entry: DocumentEntry, _patient: PatientRecord) -> LoadedPlan:
        return LoadedPlan(entry, PLANS[entry.id][0])

    monkeypatch.setattr(PlanLoader, "load", load)


def caregiver(mock: responses.RequestsMock, provider: FakeProvider, parts: tuple[str, ...] | None) -> FlaskClient:
    install_store(mock, parts)
    app: Flask = create_app(base_env(PORTAL_STORE_CACHE_TTL="0", PORTAL_PAGE_CACHE_BYTES="0"))
    app.config["TESTING"] = True
    client = make_client(app)
    provider.sub = CAREGIVER_SUB
    assert sign_in(client, provider).status_code == 302
    return client


# --- every route, as a page and as a fragment -----------------------------------------------------------------


def _urls(rule: Rule) -> list[str]:
    if rule.endpoint == "static":
        return ["/static/css/portal.css"]
    if not rule.arguments:
        base = rule.rule
        extra = {
            "/history/compare": [f"?from={VERSIONS[0]}&to={VERSIONS[1]}", f"?from={VERSIONS[1]}&to={VERSIONS[0]}"],
            "/documents/print": [f"?version={VERSIONS[0]}"],
            "/documents/calendar.ics": ["?names=1"],
        }.get(base, [])
        return [base, *(base + query for query in extra)]
    if rule.endpoint == "documents.download":
        return [f"/documents/{doc}/{n}" for doc in VERSIONS for n in (1, 2)]
    if rule.endpoint == "history.version":
        return [f"/history/{doc}" for doc in VERSIONS]
    if rule.endpoint == "plan.glossary_entry":
        return ["/glossary/chimiotherapie"]
    values = {name: "x" for name in rule.arguments}
    return [rule.rule.replace(f"<{name}>", value) for name, value in values.items()]


def get_routes(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())]


def _pdf_text(data: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF: make test installs it")
    done = subprocess.run([pdftotext, "-", "-"], input=data, capture_output=True, check=False, timeout=60)
    return done.stdout.decode("utf-8", "replace")


#: Random values a page carries (CSP nonce, CSRF token): they could hold four digits that look like a year.
RANDOM_VALUES = re.compile(r'(nonce|value|content)="[A-Za-z0-9_\-.]{16,}"')
#: The headers a person could read (a file's name, where a link leads); cookies and nonces are random.
READ_HEADERS = ("Content-Disposition", "Location", "Content-Type")


def readable(answer: Any) -> str:
    """Everything a person could read in an answer: headers, body, each file of a zip, a PDF's text."""
    body: bytes = answer.get_data()
    parts = [f"{name}: {answer.headers[name]}" for name in READ_HEADERS if name in answer.headers]
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    elif body.startswith(b"%PDF") and b"original" not in body[:40]:
        parts.append(_pdf_text(body))
    else:
        parts.append(body.decode("utf-8", "replace"))
    return RANDOM_VALUES.sub("", "\n".join(parts))


#: A canary as pages may write it (names are softened: "Qz…"), or a canary year.
TOKEN = re.compile(r"QZ\d{5}K|\b[36]\d{3}\b", re.IGNORECASE)


def sweep(client: FlaskClient, *, with_pdf: bool) -> Iterator[tuple[str, str]]:
    """(url, canary) for every canary found in any answer."""
    for rule in get_routes(client.application):
        for url in _urls(rule):
            if url.endswith("plan.pdf") and not with_pdf:
                continue
            for lang in ("fr", "en"):
                for htmx in (False, True):
                    headers = {"Accept-Language": lang, **({"HX-Request": "true"} if htmx else {})}
                    answer = client.get(url, headers=headers)
                    assert answer.status_code != 500, url
                    for found in TOKEN.findall(readable(answer)):
                        if found.upper() in ALL_CANARIES:
                            yield url, found.upper()


GRANTS = [(part,) for part in PARTS] + [PARTS, ()]


@pytest.mark.parametrize("parts", GRANTS, ids=["+".join(g) or "nothing" for g in GRANTS])
def test_no_canary_of_an_unshared_part_reaches_a_limited_caregiver(
    mock: responses.RequestsMock, provider: FakeProvider, parts: tuple[str, ...]
) -> None:
    client = caregiver(mock, provider, parts)
    leaks = sorted(
        {
            f"{url}: {ALL_CANARIES[token]}"
            for url, token in sweep(client, with_pdf=False)
            if not any(may_show(part, ALL_CANARIES[token]) for part in parts)
        }
    )
    assert leaks == [], f"{len(leaks)} leaks, first: {leaks[:15]}"


def test_the_sweep_sees_every_part_when_the_whole_plan_is_shared(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    """The control: the same sweep, the whole plan shared, must find canaries of each part and of what no part
    shares (the plan's status, the reason it changed), in pages, the calendar file, the PDF and the versions."""
    client = caregiver(mock, provider, None)
    found = list(sweep(client, with_pdf=True))
    paths = {ALL_CANARIES[token] for _, token in found}
    for part in PARTS:
        assert any(may_show(part, path) for path in paths), part
    assert any(path.startswith("status.") for path in paths)
    assert any(url.endswith("calendar.ics") or "calendar.ics?" in url for url, _ in found)
    assert any("plan.pdf" in url for url, _ in found)
    assert any(url.startswith("/history/") for url, _ in found)


def test_every_field_of_the_model_carries_a_canary() -> None:
    """A field added to the model later is swept too: the plan is built from the type hints."""
    _plan, canaries = PLANS[VERSIONS[0]]
    tops = {path.split(".")[0] for path in canaries.by_token.values()}
    expected = {f.name for f in dataclasses.fields(CarePlan)} - NOT_CONTENT
    assert tops == expected
    assert dt.date.today().year < 3000  # the years used as canaries are in the future, shown as coming up
    assert canaries.count < 1000  # and each version's years stay apart from the other's
