"""Stable identifiers of the synthetic data set: CDA document ids and FHIR resource ids, from case keys.

The FHIR ids follow the demo store's foundation seed (`pat-camille`, `doc-camille-pps-v1`, `prac-claire`…) so
the generated bundle replaces it resource for resource.
"""

from __future__ import annotations

import unicodedata

from synthetic.spec import Case
from synthetic.xml import oid


def person_key(case: Case) -> str:
    """The patient's short name in resource ids: their sign-in login, else their given name in ASCII; after the
    region's key for a case of another region's store (`nord-bernard`)."""
    if case.patient.login:
        key = case.patient.login
    else:
        key = unicodedata.normalize("NFKD", case.patient.given).encode("ascii", "ignore").decode().lower()
    return f"{case.region}-{key}" if case.region else key


def pps_set_id(case: Case) -> str:
    return oid(f"{case.key}/pps")


def pps_id(case: Case, version: int) -> str:
    return oid(f"{case.key}/pps/v{version}")


def frcp_id(case: Case, index: int) -> str:
    return oid(f"{case.key}/frcp/{index}")


def patient_resource(case: Case) -> str:
    return f"pat-{person_key(case)}"


def pps_resource(case: Case, version: int) -> str:
    return f"doc-{person_key(case)}-pps-v{version}"


def pps_binary(case: Case, version: int) -> str:
    return f"bin-{person_key(case)}-pps-v{version}"


def pps_pdf_binary(case: Case, version: int) -> str:
    return f"bin-{person_key(case)}-pps-v{version}-pdf"


def frcp_resource(case: Case, index: int) -> str:
    return f"doc-{person_key(case)}-rcp-{index}"


def frcp_binary(case: Case, index: int) -> str:
    return f"bin-{person_key(case)}-rcp-{index}"


def care_team_resource(case: Case) -> str:
    return f"ct-{person_key(case)}"


def related_person_resource(case: Case, relative_key: str) -> str:
    return f"rp-{person_key(case)}-{relative_key}"


def practitioner_resource(professional_key: str) -> str:
    return f"prac-{professional_key}"


def practitioner_role_resource(professional_key: str) -> str:
    return f"role-{professional_key}"


def organisation_resource(organisation_key: str) -> str:
    return f"org-{organisation_key}"
