"""Who is viewing whose plan: the signed-in person, their grants, the patient they chose and in which capacity,
resolved once per request into the request state. `viewing_required(page)` is the one way into a page of a plan."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from typing import Any, Concatenate, ParamSpec, TypeVar

from flask import Flask, request, session
from werkzeug.exceptions import Forbidden

from portal import access
from portal.access import Grant
from portal.access.records import Actor
from portal.access.visibility import Viewer
from portal.auth.views import current_user, signed_in
from portal.store import StoreError, ahead, pdsm
from portal.store.pdsm import RPPS_SYSTEM
from portal.store.resources import FHIR_ID
from portal.web import extensions
from portal.web.state import state

__all__ = [
    "Detour",
    "DetourNeeded",
    "NotShared",
    "Person",
    "Viewing",
    "choose",
    "current",
    "forget",
    "grants",
    "init_app",
    "now",
    "person",
    "viewing_required",
]

log = logging.getLogger("portal.web")

#: The session key of the Patient id the person chose to look at (checked against the store every time).
CHOSEN = "viewing_patient"
#: The session key of the plan this session was shown last, as a grant's key (a hint for a prefetch, never an
#: authority).
PATIENT_HINT = "plan_patient_hint"
#: The session key of the person's own Patient in each other regional store, found by the INS of their home
#: Patient once per session (at sign-in): {"home": home Patient id, store key: Patient id, or "" when that store
#: held none}. A hint too: each page reads that Patient by id and checks every identity trait again.
ELSEWHERE = "own_patients_elsewhere"

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


class DetourNeeded(Exception):
    """No plan to show: the page for `detour` comes instead (portal.web.choose answers it)."""

    def __init__(self, detour: Detour) -> None:
        super().__init__(detour.value)
        self.detour = detour


class NotShared(Forbidden):
    """A part of the plan, or a page built from the whole plan, that the patient has not shared with this viewer.

    Every plan has these pages, so saying so reveals nothing; the page says what is shared instead."""


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
    #: The person's own plans in other regional stores (the patient viewing theirs): the pages say there are others.
    own_elsewhere: tuple[Grant, ...] = ()

    @property
    def store(self) -> str:
        """The key of the store that holds this patient's documents (every page reads that store only)."""
        return self.grant.store

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


def person() -> Person | None:
    """The signed-in person, or None."""
    user: dict[str, Any] | None = current_user()
    if user is None or not isinstance(user.get("sub"), str):
        return None
    provider = "pro" if user.get("provider") == "pro" else "patient"
    rpps = user.get("rpps") if provider == "pro" else None
    if provider == "pro" and not isinstance(rpps, str):
        return None  # a professional session without an RPPS number grants nothing
    return Person(provider, user["sub"], rpps, user.get("given_name"), user.get("family_name"))


def grants(who: Person) -> tuple[Grant, ...]:
    """Everybody this person may see now, asked of the stores once per request: what a person may see follows the
    stores, never an old decision kept in the session."""
    found = state().grants
    if found is None:
        found = _grants_everywhere(who)
        state().grants = found
    return found


def _grants_everywhere(who: Person) -> tuple[Grant, ...]:
    """The home store's grants and each other regional store's, all asked at once. The home store failing fails
    the page (nobody's plan is shown); another store failing only leaves its plans out, and the page names it."""
    moment = now()
    others = [r for key, r in extensions.regions().items() if key != access.HOME]
    pool = extensions.pool()
    if who.professional:
        assert who.rpps is not None
        # The RPPS number is national: every store at once, beside the home store.
        asked: dict[str, Future[tuple[Grant, ...]]] = {}
        for region in others:
            run = contextvars.copy_context().run
            asked[region.key] = pool.submit(
                run, access.coordinator_grants, region.client, who.rpps, moment, store=region.key
            )
        try:
            found = list(access.coordinator_grants(extensions.store(), who.rpps, moment))
        except BaseException:
            for future in asked.values():
                future.cancel()
            raise
        for key, future in asked.items():
            try:
                found.extend(future.result())
            except StoreError as exc:
                _region_down(key, exc)
        found.sort(key=lambda g: (g.patient.family or g.patient.display_name).casefold())
        return tuple(found)
    return _patient_side_everywhere(who, others, moment)


def _patient_side_everywhere(who: Person, others: list[extensions.Region], moment: dt.datetime) -> tuple[Grant, ...]:
    """A person of the patient provider: every store is asked at once. Another region knows them by the INS of
    their home Patient, not by their sub; where that search found their Patient earlier this session (`ELSEWHERE`),
    it is read by id beside the home searches, and the plans the page may open are asked for meanwhile."""
    subject_system = extensions.settings().oidc_subject_system
    pool = extensions.pool()
    known = _known_elsewhere()
    asks = {
        r.key: access.RegionalAsk(r.client, r.key, subject_system, who.sub, known.get(r.key), pool=pool) for r in others
    }
    if session.get(CHOSEN) is None:
        # No plan chosen: the newest own plan opens (`_latest`), so each one's versions are needed.
        for key, patient_id in known.items():
            if patient_id:
                _prefetch(patient_id if key == access.HOME else f"{key}/{patient_id}")
    try:
        found = list(access.patient_side_grants(extensions.store(), subject_system, who.sub, moment, pool=pool))
    except BaseException:
        for ask in asks.values():
            ask.cancel()
        raise
    own = next((g.patient for g in found if g.viewer is Viewer.PATIENT), None)
    resolved = {access.HOME: own.id} if own is not None else {}
    for key, ask in asks.items():
        try:
            answer = ask.answer(own, moment)
        except StoreError as exc:
            _region_down(key, exc)
            if known.get(key) is not None:
                resolved[key] = known[key]  # unchanged while the store does not answer
            continue
        found.extend(answer.grants)
        if answer.own_id is not None:
            resolved[key] = answer.own_id
    if own is not None and session.get(ELSEWHERE) != resolved:
        session[ELSEWHERE] = resolved
    return tuple(found)


def _known_elsewhere() -> dict[str, str]:
    """The own Patients found in other regional stores earlier this session (`ELSEWHERE`), checked for shape: a
    store key → a FHIR id, or "" (none there). Empty when nothing usable is noted."""
    noted = session.get(ELSEWHERE)
    if not isinstance(noted, dict):
        return {}
    stores = extensions.regions()
    return {
        key: value
        for key, value in noted.items()
        if key in stores and isinstance(value, str) and (value == "" or FHIR_ID.fullmatch(value))
    }


def _region_down(key: str, exc: StoreError) -> None:
    log.warning("regional store %s left out: %s", key, type(exc).__name__)
    state().regions_down.append(key)


def _latest(own: list[Grant]) -> Grant:
    """Of the person's own plans in several stores, the one whose current version is the most recent (asked of the
    stores in parallel; a store that fails counts as having nothing newer)."""

    def newest(grant: Grant) -> float:
        # The search the plan's pages make (access.patient_view): the chosen store's page then finds it cached.
        shown = access.patient_view(extensions.store(grant.store), grant.patient).documents
        dates = [e.date.timestamp() for e in shown if e.status == "current" and e.date is not None]
        return max(dates, default=float("-inf"))

    for grant in own:
        _settle(grant.key)  # asked for beside the grants: the searches below find them in the cache
    dates = extensions.ask_each(newest, own, float("-inf"))
    # The most recent; on a tie, the first (the home store's).
    return own[max(range(len(own)), key=lambda i: (dates[i], -i))]


def current() -> Viewing | Detour:
    """Who is viewing whose plan now, or why nobody's plan is shown.

    A person signed in at the patient provider sees their own plan and those of the patients they help or represent;
    with several, they choose, and the choice stays in their session while it is allowed. A patient whose own plans
    are in several regional stores sees the most recent one first, and is told of the others. A professional chooses
    a patient of their care teams to preview.
    """
    resolved = state().viewing
    if resolved is not None:
        return resolved
    who = person()
    if who is None:
        return Detour.SIGN_IN
    allowed = grants(who)
    chosen = session.get(CHOSEN)
    grant = next((x for x in allowed if x.key == chosen), None)
    if grant is None and chosen is not None:
        session.pop(CHOSEN, None)  # no longer allowed (link ended, team left): choose again
    own = [g for g in allowed if g.viewer is Viewer.PATIENT]
    if grant is None and not who.professional:
        if len(allowed) == 1:
            grant = allowed[0]
        elif allowed and len(own) == len(allowed):
            grant = _latest(own)
    if grant is None:
        if who.professional:
            return Detour.HOME
        return Detour.CHOOSE if allowed else Detour.NOBODY
    hidden = (
        access.hidden_count(extensions.store(grant.store), grant.patient, Viewer.PATIENT)
        if grant.viewer is Viewer.COORDINATOR_PREVIEW
        else 0
    )
    elsewhere = tuple(g for g in own if g.key != grant.key) if grant.viewer is Viewer.PATIENT else ()
    viewing = Viewing(who, grant, len(allowed), hidden, elsewhere)
    state().viewing = viewing
    return viewing


def choose(key: str) -> Grant | None:
    """Look at this plan from now on (a grant's key: the Patient id, prefixed by its store's key outside the home
    store), if this person may; None (and nothing changes) otherwise."""
    who = person()
    if who is None:
        return None
    grant = next((x for x in grants(who) if x.key == key), None)
    if grant is not None:
        session[CHOSEN] = grant.key
        state().viewing = None
    return grant


def forget() -> None:
    """Stop looking at the chosen patient (end of a preview, "choose another person")."""
    session.pop(CHOSEN, None)
    state().viewing = None


# --- the one way into a page of a plan ----------------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


def viewing_required(
    page: str, *, record: bool = True
) -> Callable[[Callable[Concatenate[Viewing, P], R]], Callable[P, R]]:
    """Resolve who is viewing whose plan before the view runs, and hand it the `Viewing`.

    No plan to show raises `DetourNeeded` (the start page, the plain "nothing linked" page, the chooser or the
    coordinator's list answer it); a page not shared with this viewer raises `NotShared`. With `record`, the
    request is a view of care-plan content: the response hook writes its access record (portal.web.recording).
    While the Patient search runs, the documents of the patient this session saw last are asked beside it.
    """

    def decorate(view: Callable[Concatenate[Viewing, P], R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user() is not None:
                _prefetch(session.get(PATIENT_HINT))
            found = current()
            if not isinstance(found, Viewing):
                session.pop(PATIENT_HINT, None)
                raise DetourNeeded(found)
            _settle(found.grant.key)  # the same search the page makes next: once done, the cache answers it
            session[PATIENT_HINT] = found.grant.key
            if record:  # a page not shared is recorded too, as refused
                state().recorded_page = (request.endpoint or page).split(".")[-1]
            if not found.shows(page):
                raise NotShared()
            return view(found, *args, **kwargs)

        return wrapper

    return decorate


def _prefetch(hint: object) -> None:
    """Start the PPS search of a plan (a grant's key: the session's hint, or an own plan in another region) while
    the grants are asked.

    Who the person is, and whom they may see, is still decided by those searches, on every page: the prefetched
    answer only warms the store cache, and it is used only when they lead to the same plan. So a cold page waits for
    two round trips one after the other (the grants and the documents together, then the file) instead of three.
    """
    if not isinstance(hint, str):
        return
    store, _, patient_id = hint.rpartition("/")
    if not FHIR_ID.fullmatch(patient_id) or (store and (store == access.HOME or store not in extensions.regions())):
        return
    started = state().prefetched
    client = extensions.store(store or access.HOME)
    if hint not in started and not pdsm.pps_documents_answered(client, patient_id):
        # In this request's context: the prefetch shares the page's store deadline (portal.store.scope).
        started[hint] = ahead.soon(extensions.pool(), False, pdsm.pps_documents, client, patient_id)


def _settle(key: str) -> None:
    """Wait for the prefetch of this plan's documents, if one was started: the search it makes is the page's."""
    started = state().prefetched.get(key)
    if started is not None and not started.cancelled():
        started.exception()


def warm_up(_app: Flask, **_extra: Any) -> None:
    """Just signed in (portal.auth.views.signed_in): find whose plan this person will see — their own Patient in
    each other regional store included, found by INS once for the session — note it as the session's hint, and
    start asking for its documents while the browser follows the redirect. The first page then waits for no more
    store round trips than any later one (bench/roundtrips.py, bench/regions.py). Nothing here decides what is
    shown: the page asks again. A store that fails now only leaves the page to say so."""
    try:
        found = current()
    except (StoreError, ValueError) as exc:  # a sign-in never fails for a warm-up
        log.info("after sign-in, the store could not be asked yet: %s", type(exc).__name__)
        return
    if isinstance(found, Viewing):
        session[PATIENT_HINT] = found.grant.key
        _prefetch(found.grant.key)


def init_app(app: Flask) -> None:
    signed_in.connect(warm_up, app)
