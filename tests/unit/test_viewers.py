"""The signed-in clients of each viewer kind land where that person would, reading whose plan they should."""

from __future__ import annotations

import lxml.html
from flask.testing import FlaskClient

from tests.unit.viewers import Viewers


def heading_and_text(client: FlaskClient, path: str = "/") -> tuple[int, str, str]:
    answer = client.get(path, headers={"Accept-Language": "en"}, follow_redirects=True)
    page = lxml.html.document_fromstring(answer.get_data(as_text=True))
    return answer.status_code, " ".join(page.xpath("string(//h1)").split()), " ".join(page.text_content().split())


def test_the_patient_reads_her_own_plan(as_patient: FlaskClient) -> None:
    status, h1, text = heading_and_text(as_patient)
    assert status == 200 and "Camille" in text and "Germaine" not in text, h1


def test_the_caregiver_reads_the_plan_of_the_person_she_helps(as_caregiver: FlaskClient) -> None:
    status, _, text = heading_and_text(as_caregiver)
    assert status == 200 and "Germaine" in text and "Hélène" not in text.split("Germaine", 1)[0][-40:]


def test_the_limited_caregiver_chooses_between_her_plan_and_her_neighbours(as_limited_caregiver: FlaskClient) -> None:
    status, _, text = heading_and_text(as_limited_caregiver)
    assert status == 200 and "My own plan" in text and "The plan of Henri Témoin" in text


def test_the_representative_reads_her_sons_plan(as_representative: FlaskClient) -> None:
    status, _, text = heading_and_text(as_representative)
    assert status == 200 and "Léo" in text


def test_the_coordinator_chooses_whom_to_preview(as_coordinator: FlaskClient) -> None:
    status, _, text = heading_and_text(as_coordinator)
    assert status == 200 and all(name in text for name in ("Camille", "Germaine", "Léo")), text[:400]


def test_a_coordinator_outside_every_care_team_can_preview_nobody(viewers: Viewers) -> None:
    status, _, text = heading_and_text(viewers.sign_in("yann"))
    assert status == 200 and not any(name in text for name in ("Camille", "Germaine", "Léo")), text[:400]
