"""What one request learned on its way: who is viewing whose plan, what the page showed (for its access record),
what the answer must carry. One typed object per request, and the only thing the web layer keeps in `g`."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import g

if TYPE_CHECKING:
    from portal.access import Grant
    from portal.web.viewing import Viewing
    from portal.web.voice import EndedLink

__all__ = ["AccessNote", "RequestState", "state"]


@dataclass
class AccessNote:
    """What the access record of this request says was shown: a document (or, refused, the id asked for), its
    version, and on the compare page the other version."""

    document: str | None = None
    version: str | None = None
    compared_with: str | None = None
    refused: bool = False


@dataclass
class RequestState:
    """Everything a request passes from one step to the next (portal.web.viewing fills the viewing, pages note
    what they showed, the response hook in `create_app` reads it all)."""

    #: Everybody the signed-in person may see, asked of the stores once per request.
    grants: tuple[Grant, ...] | None = None
    #: The regional stores (keys) that did not answer while grants were asked: a plan there may be missing.
    regions_down: list[str] = field(default_factory=list)
    #: Who is viewing whose plan, once resolved.
    viewing: Viewing | None = None
    #: The page of the plan being served when it is a view of care-plan content (its access record names it).
    recorded_page: str | None = None
    access: AccessNote = field(default_factory=AccessNote)
    #: The "last seen" cookie to send back (portal.web.lastseen), when this page changed it.
    last_seen_cookie: str | None = None
    #: A narrower Content-Security-Policy for a document shown inline (portal.web.documents).
    document_csp: str | None = None
    #: The plan could not be read: whether a PDF of that version exists (the error page says so).
    refused_plan_has_pdf: bool = False
    #: Whose plan is open could not be asked (an error page is being shown): no banner, no second try.
    banner_failed: bool = False
    #: The caregiver link that ended, once asked (portal.web.voice); a one-element tuple once known.
    ended_link: tuple[EndedLink | None] | None = None
    csp_nonce: str | None = None
    #: The CSRF tokens masked for this answer (portal.web.csrf): new already, never masked again before it leaves.
    csrf_tokens: set[str] = field(default_factory=set)
    #: The documents searches started ahead of the page (portal.web.viewing), by grant key: waited for, never used.
    prefetched: dict[str, Future[Any]] = field(default_factory=dict)

    def replayable(self) -> RequestState:
        """What a page kept in memory must note again when it is answered from there (portal.web.rendered):
        everything but this request's own nonce and tokens."""
        return dataclasses.replace(
            self, csp_nonce=None, csrf_tokens=set(), access=dataclasses.replace(self.access), prefetched={}
        )


def state() -> RequestState:
    """This request's state (made on first use)."""
    found: RequestState | None = g.get("portal_state")
    if found is None:
        found = g.portal_state = RequestState()
    return found


def replay(kept: RequestState) -> None:
    """Make a kept page's state this request's, keeping this request's nonce and tokens (a kept page's tokens are
    old: `portal.web.csrf.fresh_tokens` masks them again)."""
    mine = state()
    g.portal_state = dataclasses.replace(
        kept,
        csp_nonce=mine.csp_nonce,
        csrf_tokens=mine.csrf_tokens,
        access=dataclasses.replace(kept.access),
        prefetched={},
    )
