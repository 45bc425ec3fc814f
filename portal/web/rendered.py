"""Rendered plan pages, kept a short while for the session they were rendered for (web step of the data path,
between the template and the answer)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from cachetools import TLRUCache
from flask import Flask, current_app, request, session
from flask_babel import get_locale

from portal.plain.views.common import PARIS
from portal.store import scope
from portal.web import extensions
from portal.web.security import nonce
from portal.web.state import RequestState, replay, state
from portal.web.viewing import CHOSEN

__all__ = ["RenderedPages", "from_memory", "from_memory_first", "init_app", "keep"]

P = ParamSpec("P")
R = TypeVar("R")

#: Per entry, besides the page itself: the key, the names, the tuple of notes.
ENTRY_OVERHEAD_BYTES = 512


@dataclass(frozen=True)
class RenderedPage:
    html: str
    #: The CSP nonce written in `html` ("" when the page has none).
    nonce: str
    sid: str
    subject: str
    #: Epoch seconds after which the page is not answered any more.
    expires: float
    #: What the render noted in the request state (the viewing, the access note, the last-seen cookie).
    noted: RequestState


def _size(page: RenderedPage) -> int:
    return sys.getsizeof(page.html) + ENTRY_OVERHEAD_BYTES


class RenderedPages:
    """A byte-bounded map from keyed hashes to rendered pages, each gone at its own expiry. Thread-safe.

    People read a page, go to the next, come back, reload: the same page again, built from the same store answers,
    so it is answered from memory rather than built again. In this process's memory only (`PORTAL_PAGE_CACHE_BYTES`),
    never in Redis: a rendered page holds health data in clear, and stays where the parsed plans already are. Its
    rules are pinned by tests/unit/web/test_rendered_pages.py.
    """

    def __init__(self, secret: str, *, max_bytes: int, clock: Callable[[], float] = time.time) -> None:
        self._hash_key = hashlib.sha256(b"portal.web.rendered\x00" + secret.encode()).digest()
        self.max_bytes = max_bytes
        self._clock = clock
        self._pages: TLRUCache[bytes, RenderedPage] = TLRUCache(
            maxsize=max_bytes, ttu=lambda _key, page, _now: page.expires, timer=clock, getsizeof=_size
        )
        self._lock = threading.Lock()

    def key(self, *parts: str) -> bytes:
        """A keyed hash of `parts`: BLAKE2b in its keyed mode (a MAC, like HMAC-SHA-256, in one call: an HMAC
        object showed in every view's profile, made twice per first view)."""
        return hashlib.blake2b("\x1f".join(parts).encode(), key=self._hash_key, digest_size=32).digest()

    def get(self, key: bytes) -> RenderedPage | None:
        with self._lock:
            page = self._pages.get(key)
        return page if page is not None and page.expires > self._clock() else None

    def put(self, key: bytes, page: RenderedPage) -> bool:
        if page.expires <= self._clock() or _size(page) > self.max_bytes:
            return False
        with self._lock:
            self._pages[key] = page
        return True

    def __len__(self) -> int:
        with self._lock:
            self._pages.expire()
            return len(self._pages)

    @property
    def current_bytes(self) -> int:
        with self._lock:
            self._pages.expire()
            return int(self._pages.currsize)


def _pages() -> RenderedPages | None:
    pages: RenderedPages | None = current_app.extensions.get("portal.rendered")
    return pages


def _who() -> tuple[str, str] | None:
    """The session id and the signed-in subject, when a person is signed in."""
    user = session.get("user")
    sid = getattr(session, "sid", None)
    if not isinstance(user, dict) or not isinstance(user.get("sub"), str) or not isinstance(sid, str):
        return None
    return sid, user["sub"]


def _key(pages: RenderedPages, sid: str, subject: str) -> bytes:
    """A keyed hash of everything the browser sent that a page depends on (its cookies: the session id, a secret
    only that browser holds, the language and the last-seen marks), the signed-in subject, the patient chosen, the
    path, the language and the day in Paris: one session's pages only."""
    user = session.get("user") or {}
    return pages.key(
        request.headers.get("Cookie", ""),
        sid,
        str(user.get("provider", "")),
        subject,
        str(session.get(CHOSEN, "")),
        request.full_path,
        str(get_locale()),  # the language this request's page is rendered in
        request.headers.get("HX-Request", ""),
        dt.datetime.now(PARIS).date().isoformat(),  # "coming up" and "past" change at midnight in France
    )


def from_memory() -> str | None:
    """This session's page for this request, if one is kept and still fresh, its request state replayed; None:
    render it.

    A page is answered only to the session and subject it was rendered for, and exactly as if rendered: a new CSP
    nonce takes the old one's place, and the request state the render left (the viewing, the access note, the
    last-seen cookie) is this request's again, so the visit is recorded and remembered the same way.
    """
    pages = _pages()
    who = _who()
    if pages is None or who is None:
        return None
    page = pages.get(_key(pages, *who))
    if page is None or (page.sid, page.subject) != who:
        return None
    replay(page.noted)
    return page.html.replace(page.nonce, nonce()) if page.nonce else page.html


def from_memory_first(view: Callable[P, R]) -> Callable[P, R | str]:
    """Answer a plan page from memory when this session's copy is fresh, before anything else (even who is
    viewing: the copy expires before the store answers that decided it may no longer be reused)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | str:
        kept = from_memory()
        return kept if kept is not None else view(*args, **kwargs)

    return wrapper


def keep(html: str) -> None:
    """Keep the page just rendered for this session, if everything it was built from may still be reused.

    Never older than a page rebuilt now would be: it expires when the oldest store answer it was built from stops
    being reused (`PORTAL_STORE_CACHE_TTL` after the store sent or confirmed it, `portal.store.scope`).
    """
    pages = _pages()
    who = _who()
    page_scope = scope.current()
    if pages is None or who is None or page_scope is None:
        return
    if page_scope.stale_since is not None or not page_scope.oldest_answer:
        return  # built from a last good copy, from an answer of unknown age, or from no store answer at all
    ttl = extensions.settings().store_cache_ttl
    current = state()
    noted = current.replayable()
    page = RenderedPage(html, current.csp_nonce or "", who[0], who[1], page_scope.oldest_answer + ttl, noted)
    pages.put(_key(pages, *who), page)


def init_app(app: Flask) -> None:
    settings = app.extensions["portal.settings"]
    if settings.page_cache_bytes > 0 and settings.store_cache_ttl > 0:
        app.extensions["portal.rendered"] = RenderedPages(app.config["SECRET_KEY"], max_bytes=settings.page_cache_bytes)
