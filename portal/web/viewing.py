"""Who is viewing: the signed-in person, in which capacity, and whose plan (access step of the data path, as
the web pages ask it). Every plan page, document, export and history page starts with `require()`.

- A person signed in at the patient provider may see several patients (themself, people they help or
  represent, see `portal.access`): with one, it is that one; with several, they choose (`choose`), and the
  choice is kept in their session until they choose again or it stops being allowed.
- A professional signed in at the professional provider chooses a patient of their care teams to preview:
  the same pages, with the patient's own visibility, under a banner (`portal.web.people`).

The grants are asked of the store on every request (its client caches answers for a few seconds), so what a
person may see follows the store, never an old decision kept in the session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from flask import g, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from portal import access
from portal.access import Grant
from portal.access.records import Actor
from portal.access.visibility import Viewer
from portal.auth.views import current_user
from portal.store.pdsm import RPPS_SYSTEM
from portal.web import extensions

__all__ = ["Detour", "Person", "Viewing", "choose", "current", "forget", "grants", "require", "signed_in"]

#: The session key of the Patient id the person chose to look at (checked against the store every time).
CHOSEN = "viewing_patient"

#: The kind of each viewer in the access log and on the patient's access page.
ACTOR_KIND = {
    Viewer.PATIENT: "patient",
    Viewer.CAREGIVER: "caregiver",
    Viewer.REPRESENTATIVE: "representative",
    Viewer.COORDINATOR_PREVIEW: "coordinator",
}


class Detour(Enum):
    """Why there is no plan to show yet, and so which page comes instead."""

    SIGN_IN = "sign-in"  # nobody is signed in
    NOBODY = "nobody"  # signed in, but the store links them to no patient
    CHOOSE = "choose"  # several patients: the person chooses (patient provider)
    HOME = "home"  # a professional who is not previewing anyone: their list of patients


@dataclass(frozen=True)
class Person:
    """The signed-in person as the provider vouched for them."""

    provider: str
    sub: str
    rpps: str | None
    given_name: str | None
    family_name: str | None

    @property
    def professional(self) -> bool:
        return self.provider == "pro"

    @property
    def name(self) -> str | None:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or None


@dataclass(frozen=True)
class Viewing:
    """The person, the patient whose plan they see and how (the grant), how many patients they may see,
    and — in a preview — how many documents the patient does not see."""

    person: Person
    grant: Grant
    choices: int
    hidden: int = 0

    @property
    def patient_id(self) -> str:
        return self.grant.patient.id

    @property
    def kind(self) -> Viewer:
        return self.grant.viewer

    @property
    def preview(self) -> bool:
        return self.grant.viewer is Viewer.COORDINATOR_PREVIEW

    @property
    def is_patient(self) -> bool:
        """The patient looking at their own plan (the only one who acts for themself: last-seen marks…)."""
        return self.grant.viewer is Viewer.PATIENT

    def shows(self, page: str) -> bool:
        return self.grant.shows(page)

    def actor(self, subject_system: str) -> Actor:
        kind = ACTOR_KIND[self.grant.viewer]
        if self.person.professional:
            return Actor(kind, RPPS_SYSTEM, self.person.rpps or "", self.person.name)
        reference = f"Patient/{self.patient_id}" if self.is_patient else self.grant.via
        return Actor(kind, subject_system, self.person.sub, self.person.name, reference)

    @property
    def on_behalf_of(self) -> str | None:
        """Caregivers and representatives act for the patient; a coordinator previews as themself."""
        if self.grant.viewer in (Viewer.CAREGIVER, Viewer.REPRESENTATIVE):
            return f"Patient/{self.patient_id}"
        return None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def signed_in() -> Person | None:
    user: dict[str, Any] | None = current_user()
    if user is None or not isinstance(user.get("sub"), str):
        return None
    provider = "pro" if user.get("provider") == "pro" else "patient"
    rpps = user.get("rpps") if provider == "pro" else None
    if provider == "pro" and not isinstance(rpps, str):
        return None  # a professional session without an RPPS number grants nothing
    return Person(provider, user["sub"], rpps, user.get("given_name"), user.get("family_name"))


def grants(person: Person) -> tuple[Grant, ...]:
    """Everybody this person may see now, asked of the store once per request."""
    cached: tuple[Grant, ...] | None = g.get("viewer_grants")
    if cached is not None:
        return cached
    if person.professional:
        assert person.rpps is not None
        found = access.coordinator_grants(extensions.store(), person.rpps, now())
    else:
        found = access.patient_side_grants(
            extensions.store(), extensions.settings().oidc_subject_system, person.sub, now()
        )
    g.viewer_grants = found
    return found


def current() -> Viewing | Detour:
    """Who is viewing whose plan now, or why nobody's plan is shown."""
    cached: Viewing | None = g.get("viewing")
    if cached is not None:
        return cached
    person = signed_in()
    if person is None:
        return Detour.SIGN_IN
    allowed = grants(person)
    chosen = session.get(CHOSEN)
    grant = next((x for x in allowed if x.patient.id == chosen), None)
    if grant is None and chosen is not None:
        session.pop(CHOSEN, None)  # no longer allowed (link ended, team left): choose again
    if grant is None and len(allowed) == 1 and not person.professional:
        grant = allowed[0]
    if grant is None:
        if person.professional:
            return Detour.HOME
        return Detour.CHOOSE if allowed else Detour.NOBODY
    hidden = (
        access.hidden_count(extensions.store(), grant.patient, Viewer.PATIENT)
        if grant.viewer is (Viewer.COORDINATOR_PREVIEW)
        else 0
    )
    viewing = Viewing(person, grant, len(allowed), hidden)
    g.viewing = viewing
    return viewing


def choose(patient_id: str) -> Grant | None:
    """Look at this patient from now on, if this person may; None (and nothing changes) otherwise."""
    person = signed_in()
    if person is None:
        return None
    grant = next((x for x in grants(person) if x.patient.id == patient_id), None)
    if grant is not None:
        session[CHOSEN] = grant.patient.id
        g.pop("viewing", None)
    return grant


def forget() -> None:
    """Stop looking at the chosen patient (end of a preview, "choose another person")."""
    session.pop(CHOSEN, None)
    g.pop("viewing", None)


def require() -> Viewing | ResponseReturnValue:
    """The viewing for a plan page, or the page to show instead: the start page when signed out, the plain
    "nothing linked" page, or — at `/` only — the chooser or the coordinator's list (elsewhere: back to `/`)."""
    found = current()
    if isinstance(found, Viewing):
        return found
    if found is Detour.SIGN_IN:
        return redirect("/")
    if found is Detour.NOBODY:
        return render_template("no_patient.html", contact=extensions.settings().help_contact)
    if request.path != "/":
        return redirect("/")
    from portal.web.people import landing  # imported late: that module imports this one

    return landing(found)
