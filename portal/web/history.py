"""Version history pages: every version the person may see, any one of them read-only, and what changed.

Web step of the data path: the signed-in person → the versions they may see (portal.web.plan.plan_context,
which applies portal.access) → each version read (portal.plans.loader, cached per version) → the chain
(portal.plans.versions) → the diff (portal.pps.diff) → sentences (portal.plain.changes) → templates/history/.

Routes: `/history` (the list and the compare form), `/history/<version id>` (one version, read-only),
`/history/compare?from=…&to=…` (a plain GET form; with htmx, the same partial swapped in place).
A version the person may not see answers 404, exactly like one that does not exist.

Also here: the "new since your last visit" notice of the overview, fed by a `before_render_template` hook
(the overview's view belongs to portal.web.plan) and remembered in the browser (portal.web.lastseen).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, render_template, request
from flask.signals import before_render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from jinja2 import Template
from werkzeug.exceptions import NotFound

from portal.auth.views import current_user
from portal.plain.changes import ChangeSentence, change_sentences
from portal.plain.labels import update_reason_sentence
from portal.plain.views import Linker, contacts_view, overview_view, treatments_view
from portal.plain.views.common import PARIS, Lang, doc_lang, format_day, format_time_point
from portal.plans.versions import ChainVersion, MissingVersion, VersionChain, VersionInput, build_chain, latest_entry
from portal.pps.diff import diff
from portal.pps.errors import PpsError
from portal.pps.model import CarePlan
from portal.store.errors import StoreError
from portal.web import extensions, people
from portal.web import plan as plan_pages
from portal.web.errors import NotShared
from portal.web.lastseen import COOKIE, MAX_AGE_SECONDS, LastSeen
from portal.web.viewing import Viewing

__all__ = ["bp", "init_app"]

bp = Blueprint("history", __name__)
log = logging.getLogger("portal.web")

OVERVIEW_TEMPLATE = "plan/overview.html"


@dataclass(frozen=True)
class Loaded:
    """The person's version chain and the versions that could be read, by store id."""

    context: plan_pages.PlanContext
    chain: VersionChain
    plans: dict[str, CarePlan]


@dataclass(frozen=True)
class VersionRow:
    """One line of the history page, every text ready to show."""

    id: str
    missing: bool
    name: str = ""
    latest: bool = False
    readable: bool = True
    date: str | None = None
    author: str | None = None
    reason: str | None = None
    rcp_date: str | None = None
    handed_date: str | None = None
    href: str = ""


# --- loading ------------------------------------------------------------------------------------------------


def _load() -> Loaded | ResponseReturnValue:
    context = plan_pages.plan_context()
    if not isinstance(context, plan_pages.PlanContext):
        return context
    if context.viewing is not None and not context.viewing.shows("history"):
        raise NotShared()  # the versions hold the whole plan: not for a caregiver limited to some parts
    loader = extensions.plans()
    inputs: list[VersionInput] = []
    plans: dict[str, CarePlan] = {}
    for entry in context.documents:
        try:
            read = loader.load(entry, context.patient).plan
        except (StoreError, PpsError) as exc:
            # One unreadable version must not hide the others; it is listed as not available.
            log.warning("history: a version could not be read (%s)", type(exc).__name__)
            inputs.append(VersionInput(entry))
            continue
        plans[entry.id] = read
        inputs.append(VersionInput(entry, read.metadata))
    return Loaded(context, build_chain(inputs), plans)


def _version_date(version: ChainVersion, lang: Lang) -> str | None:
    if version.entry.date is not None:
        return format_day(version.entry.date.astimezone(PARIS).date(), lang)
    if version.metadata is not None and version.metadata.effective_time is not None:
        return format_time_point(version.metadata.effective_time, lang)
    return None


def _version_name(version: ChainVersion, lang: Lang, *, mark_latest: bool = True) -> str:
    date = _version_date(version, lang)
    name: str = _("Version of %(date)s", date=date) if date else _("Version without a date")
    if version.is_latest and mark_latest:
        name = _("%(name)s (latest)", name=name)
    return name


def _rows(loaded: Loaded, lang: Lang) -> list[VersionRow]:
    rows: list[VersionRow] = []
    for index, entry in enumerate(loaded.chain.entries):
        if isinstance(entry, MissingVersion):
            rows.append(VersionRow(id=f"missing-{index}", missing=True))
            continue
        read = loaded.plans.get(entry.id)
        status = read.status if read else None
        author = entry.entry.author_display
        if author is None and read and read.metadata.author:
            author = read.metadata.author.professional.name.display if read.metadata.author.professional.name else None
        rows.append(
            VersionRow(
                id=entry.id,
                missing=False,
                name=_version_name(entry, lang, mark_latest=False),
                latest=entry.is_latest,
                readable=read is not None,
                date=_version_date(entry, lang),
                author=author,
                reason=update_reason_sentence(status.update_reason, lang) if status else None,
                rcp_date=format_time_point(status.rcp_date, lang) if status else None,
                handed_date=format_time_point(status.handed_date, lang) if status else None,
                href=f"/history/{entry.id}",
            )
        )
    return rows


def _choices(loaded: Loaded, lang: Lang) -> list[dict[str, str]]:
    return [{"id": v.id, "name": _version_name(v, lang)} for v in loaded.chain.versions if v.id in loaded.plans]


def _page(loaded: Loaded, template: str, **values: Any) -> str:
    lang = plan_pages.page_lang()
    latest = loaded.chain.latest
    latest_plan = loaded.plans.get(latest.id) if latest else None
    return render_template(
        template,
        page="history",
        nav=plan_pages.nav("history"),
        lang=lang,
        gloss=Linker(lang),
        ctx=loaded.context,
        # The layout shows "nothing shared yet" when there is no plan: any readable version will do here.
        plan=latest_plan or next(iter(loaded.plans.values()), None),
        pdf_only=False,
        **values,
    )


# --- pages --------------------------------------------------------------------------------------------------


@bp.get("/history")
def history() -> ResponseReturnValue:
    loaded = _load()
    if not isinstance(loaded, Loaded):
        return loaded
    lang = plan_pages.page_lang()
    pair = _default_pair(loaded)
    _remember_latest(loaded)
    return _page(
        loaded,
        "history/index.html",
        rows=_rows(loaded, lang),
        choices=_choices(loaded, lang),
        chosen={"from": pair[0], "to": pair[1]},
        result=None,
    )


@bp.get("/history/<version_id>")
def version(version_id: str) -> ResponseReturnValue:
    loaded = _load()
    if not isinstance(loaded, Loaded):
        return loaded
    found = loaded.chain.find(version_id)
    read = loaded.plans.get(found.id) if found else None
    if found is None or read is None:
        people.note_refused(version_id)
        raise NotFound()
    people.note_document(found.id, read.metadata.version)  # the version shown, not the current one
    lang = plan_pages.page_lang()
    # An older version is read as on its own day: what was "now" and "next" then, not today.
    written = found.entry.date.astimezone(PARIS).date() if found.entry.date is not None else None
    today = plan_pages.today() if found.is_latest or written is None else written
    latest = loaded.chain.latest
    anchors = {key: "" for key in ("overview", "treatments", "calendar", "contacts", "support", "illness")}
    pages = {key: "#version-treatments" for key in anchors} | {"contacts": "#version-contacts"}
    return render_template(
        "history/version.html",
        page="history",
        nav=plan_pages.nav("history"),
        lang=lang,
        gloss=Linker(lang),
        ctx=loaded.context,
        plan=read,
        entry=found.entry,
        # The layout's own PDF-only branch would drop the "older version" banner: version.html handles it.
        pdf_only=False,
        summary=overview_view(read, lang, today),
        version=found,
        version_name=_version_name(found, lang, mark_latest=False),
        latest_id=latest.id if latest else None,
        overview=None if read.is_pdf_only else overview_view(read, lang, today),
        treatments=None if read.is_pdf_only else treatments_view(read, lang, today),
        contacts=None if read.is_pdf_only else contacts_view(read, lang),
        pages=pages,
        anchors=anchors,
        as_of_today=today == plan_pages.today(),
    )


def _default_pair(loaded: Loaded) -> tuple[str, str]:
    readable = [v for v in loaded.chain.versions if v.id in loaded.plans]
    if len(readable) < 2:
        only = readable[0].id if readable else ""
        return only, only
    return readable[1].id, readable[0].id


@dataclass(frozen=True)
class Comparison:
    """What the compare partial shows: the two versions' names and the sentences, or why there are none."""

    problem: str | None
    older: str = ""
    newer: str = ""
    #: The two versions compared (ids), for the access record.
    older_id: str | None = None
    newer_id: str | None = None
    newer_version: int | None = None
    sentences: tuple[ChangeSentence, ...] = ()
    detail_lang: str | None = None


def _compare(loaded: Loaded, first: str, second: str, lang: Lang) -> Comparison:
    a, b = loaded.chain.find(first), loaded.chain.find(second)
    if a is None or b is None or a.id not in loaded.plans or b.id not in loaded.plans:
        return Comparison(_("One of these versions cannot be shown right now."))
    if a.id == b.id:
        return Comparison(_("Choose two different versions to see what changed."))
    older, newer = (a, b) if loaded.chain.is_older(a, b) else (b, a)
    newer_plan = loaded.plans[newer.id]
    sentences = change_sentences(diff(loaded.plans[older.id], newer_plan), lang)
    document_lang = doc_lang(newer_plan)
    return Comparison(
        None,
        older=_version_date(older, lang) or _version_name(older, lang, mark_latest=False),
        newer=_version_date(newer, lang) or _version_name(newer, lang, mark_latest=False),
        sentences=sentences,
        detail_lang=None if document_lang == lang else document_lang,
        older_id=older.id,
        newer_id=newer.id,
        newer_version=newer_plan.metadata.version,
    )


@bp.get("/history/compare")
def compare() -> ResponseReturnValue:
    loaded = _load()
    if not isinstance(loaded, Loaded):
        return loaded
    lang = plan_pages.page_lang()
    default = _default_pair(loaded)
    first = request.args.get("from", default[0])[:128]
    second = request.args.get("to", default[1])[:128]
    result = _compare(loaded, first, second, lang)
    if result.newer_id is not None:
        people.note_document(result.newer_id, result.newer_version, compared_with=result.older_id)
    else:
        missing = [asked for asked in (first, second) if loaded.chain.find(asked) is None]
        if missing:
            people.note_refused(missing[0])
    _remember_latest(loaded)
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true":
        response = Response(render_template("history/_changes.html", result=result))
    else:
        response = Response(
            _page(
                loaded,
                "history/compare.html",
                choices=_choices(loaded, lang),
                chosen={"from": first, "to": second},
                result=result,
            )
        )
    response.headers["Vary"] = "HX-Request"
    return response


# --- "new since your last visit" -----------------------------------------------------------------------------


def _last_seen() -> LastSeen:
    tracker: LastSeen = current_app.extensions["portal.web.lastseen"]
    return tracker


def _is_preview() -> bool:
    viewing = g.get("viewing")
    return isinstance(viewing, Viewing) and viewing.preview


def _remember(patient_id: str, version_id: str) -> None:
    """Ask the response to record that the signed-in person has now seen this version (never in a
    coordinator's preview: it acts for nobody)."""
    user = current_user()
    if user is None or _is_preview():
        return
    tracker = _last_seen()
    records = tracker.load(request.cookies.get(COOKIE))
    g.last_seen_cookie = tracker.dump(tracker.remember(records, user["sub"], patient_id, version_id))


def _remember_latest(loaded: Loaded) -> None:
    latest = loaded.chain.latest
    if latest is not None:
        _remember(loaded.context.patient.id, latest.id)


def _overview_hook(sender: Flask, template: Template, context: dict[str, Any], **_extra: Any) -> None:
    """Before the overview renders: say whether its latest version is new to this person, and remember it."""
    if template.name != OVERVIEW_TEMPLATE:
        return
    context.setdefault("new_since", None)
    plan_context = context.get("ctx")
    user = current_user()
    if not isinstance(plan_context, plan_pages.PlanContext) or user is None or _is_preview():
        return
    latest = latest_entry(plan_context.documents)
    if latest is None:
        return
    tracker = _last_seen()
    seen = tracker.seen(tracker.load(request.cookies.get(COOKIE)), user["sub"], plan_context.patient.id)
    if seen is not None and seen != tracker.token(latest.id):
        before = tracker.find(seen, [e.id for e in plan_context.documents])
        # A version they saw but may no longer see: the history page, never its id.
        href = f"/history/compare?from={before}&to={latest.id}" if before else "/history"
        context["new_since"] = {"href": href}
    _remember(plan_context.patient.id, latest.id)


def _set_cookie(response: Response) -> Response:
    value = g.get("last_seen_cookie")
    if value is not None and response.status_code < 400:
        secure = not current_app.extensions["portal.settings"].dev_insecure_http
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE_SECONDS, path="/", secure=secure, httponly=True, samesite="Lax"
        )
    return response


def init_app(app: Flask) -> None:
    app.extensions["portal.web.lastseen"] = LastSeen(app.config["SECRET_KEY"])
    app.register_blueprint(bp)
    before_render_template.connect(_overview_hook, app)
    app.after_request(_set_cookie)
