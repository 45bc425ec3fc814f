"""The versions of a plan: `/history` (the list and the compare form), `/history/<version id>` (one version) and
`/history/compare?from=…&to=…` (a plain GET form; with htmx, the same partial swapped in place)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal.plain.history import compare as compare_versions
from portal.plain.history import default_pair, version_choices, version_name, version_rows
from portal.plain.views import Linker, contacts_view, overview_view, treatments_view
from portal.plain.views.common import PARIS
from portal.plans.loader import ReadVersions
from portal.web import extensions, lastseen, recording
from portal.web.navigation import PLAN_PAGES, nav, page_lang, today
from portal.web.plan import PlanContext, load_plan
from portal.web.viewing import Viewing, viewing_required

__all__ = ["bp", "init_app"]

bp = Blueprint("history", __name__)


def _read(viewing: Viewing) -> tuple[PlanContext, ReadVersions]:
    context = load_plan(viewing)
    read = extensions.plans(viewing.store).versions(context.documents, context.patient)
    latest = read.chain.latest
    if latest is not None:
        lastseen.remember(viewing, latest.id)
    return context, read


def _page(context: PlanContext, read: ReadVersions, template: str, **values: Any) -> str:
    lang = page_lang()
    latest = read.chain.latest
    latest_plan = read.plans.get(latest.id) if latest else None
    return render_template(
        template,
        page="history",
        nav=nav("history"),
        lang=lang,
        gloss=Linker(lang),
        ctx=context,
        # The layout shows "nothing shared yet" when there is no plan: any readable version will do here.
        plan=latest_plan or next(iter(read.plans.values()), None),
        pdf_only=False,
        **values,
    )


@bp.get("/history")
@viewing_required("history")
def history(viewing: Viewing) -> ResponseReturnValue:
    context, read = _read(viewing)
    lang = page_lang()
    pair = default_pair(read)
    return _page(
        context,
        read,
        "history/index.html",
        rows=version_rows(read, lang),
        choices=version_choices(read, lang),
        chosen={"from": pair[0], "to": pair[1]},
        result=None,
    )


@bp.get("/history/<version_id>")
@viewing_required("history")
def version(viewing: Viewing, version_id: str) -> ResponseReturnValue:
    """One version, read-only, as on its own day. A version the person may not see answers 404, exactly like one
    that does not exist."""
    context = load_plan(viewing)
    read = extensions.plans(viewing.store).versions(context.documents, context.patient)
    found = read.chain.find(version_id)
    plan = read.plans.get(found.id) if found else None
    if found is None or plan is None:
        recording.note_refused(version_id)
        raise NotFound()
    recording.note(found.id, plan.metadata.version)  # the version shown, not the current one
    lang = page_lang()
    # An older version is read as on its own day: what was "now" and "next" then, not today.
    written = found.entry.date.astimezone(PARIS).date() if found.entry.date is not None else None
    day = today() if found.is_latest or written is None else written
    latest = read.chain.latest
    anchors = dict.fromkeys(PLAN_PAGES, "")
    pages = dict.fromkeys(anchors, "#version-treatments") | {"contacts": "#version-contacts"}
    return render_template(
        "history/version.html",
        page="history",
        nav=nav("history"),
        lang=lang,
        gloss=Linker(lang),
        ctx=context,
        plan=plan,
        entry=found.entry,
        # The layout's own PDF-only branch would drop the "older version" banner: version.html handles it.
        pdf_only=False,
        summary=overview_view(plan, lang, day),
        version=found,
        version_name=version_name(found, lang, mark_latest=False),
        latest_id=latest.id if latest else None,
        overview=None if plan.is_pdf_only else overview_view(plan, lang, day),
        treatments=None if plan.is_pdf_only else treatments_view(plan, lang, day),
        contacts=None if plan.is_pdf_only else contacts_view(plan, lang),
        pages=pages,
        anchors=anchors,
        as_of_today=day == today(),
    )


@bp.get("/history/compare")
@viewing_required("history")
def compare(viewing: Viewing) -> ResponseReturnValue:
    context, read = _read(viewing)
    lang = page_lang()
    default = default_pair(read)
    first = request.args.get("from", default[0])[:128]
    second = request.args.get("to", default[1])[:128]
    result = compare_versions(read, first, second, lang)
    if result.newer_id is not None:
        recording.note(result.newer_id, result.newer_version, compared_with=result.older_id)
    else:
        missing = [asked for asked in (first, second) if read.chain.find(asked) is None]
        if missing:
            recording.note_refused(missing[0])
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true":
        response = Response(render_template("history/_changes.html", result=result))
    else:
        page = _page(
            context,
            read,
            "history/compare.html",
            choices=version_choices(read, lang),
            chosen={"from": first, "to": second},
            result=result,
        )
        response = Response(page)
    response.headers["Vary"] = "HX-Request"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
