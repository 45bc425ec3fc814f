"""The voice of the pages for the person viewing (web step; the wording itself is in portal.plain.voice), and
what the "nothing to show" page says to someone whose link to a patient has ended."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from portal.access import link_in_force
from portal.plain.views.common import PARIS
from portal.plain.voice import Voice, voice_for
from portal.store import StoreError, pdsm
from portal.store.resources import RelatedPersonLink
from portal.web import extensions, viewing
from portal.web.state import state

__all__ = ["EndedLink", "current_voice", "init_app"]

log = logging.getLogger("portal.web")


def current_voice() -> Voice:
    """The voice for this request's viewing, if a plan is open (portal.web.viewing); the patient's otherwise."""
    found = state().viewing
    if found is None:
        return Voice()
    patient = found.grant.patient
    return voice_for(found.is_patient or found.preview, patient.given, patient.display_name)


@dataclass(frozen=True)
class EndedLink:
    """A link to a patient that was in force and has ended: the last day it covered (None: not said)."""

    ended: dt.date | None


def ended_link() -> EndedLink | None:
    """For a person signed in at the patient provider who sees nobody: the most recent link of theirs to a
    patient that has ended (its period is over, or it was made inactive), if any. The patient is not named:
    the access has ended, and with it what this person may know."""
    known = state().ended_link
    if known is not None:
        return known[0]
    state().ended_link = (None,)
    person = viewing.person()
    if person is None or person.professional:
        return None
    links = _links_everywhere(extensions.settings().oidc_subject_system, person.sub)
    now = viewing.now()
    ended = [link for link in links if link.patient_id and not link_in_force(link, now)]
    if not ended:
        return None
    # The last day each link covered: as written for a date; for an instant, its day in France.
    days = [
        link.period.last_day or link.period.end.astimezone(PARIS).date()
        for link in ended
        if link.period.end is not None and link.period.end <= now
    ]
    result = EndedLink(max(days, default=None))
    state().ended_link = (result,)
    return result


def _links_everywhere(subject_system: str, sub: str) -> list[RelatedPersonLink]:
    """This person's RelatedPerson links in every regional store, asked at once (the searches the grants made, so
    the cache answers them); a store that fails leaves its links out."""
    pool = extensions.pool()
    asked = {
        key: pool.submit(
            contextvars.copy_context().run, pdsm.related_people, extensions.store(key), subject_system, sub
        )
        for key in extensions.regions()
    }
    links: list[RelatedPersonLink] = []
    for key, future in asked.items():
        try:
            links.extend(future.result())
        except StoreError as exc:
            log.info("ended links of store %s could not be read: %s", key, type(exc).__name__)
    return links


def _context() -> dict[str, object]:
    """What templates get: `voice` (second or third person, and the patient's first name), `say(second, third)`,
    and `ended_link`, asked of the store only when the "nothing linked" page calls it."""
    voice = current_voice()
    say: Callable[[str, str], str] = voice.say
    return {"voice": voice, "say": say, "ended_link": ended_link}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
