"""Display settings, as French public sites offer them: a light, dark or system theme and larger text, at
`GET /display` and `POST /display` (web step of the data path; nothing here touches the plan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue

from portal.auth.views import safe_next

__all__ = ["COOKIE", "Display", "bp", "current_display", "init_app"]

#: The choice's one cookie: it outlives sessions (like the language) and holds no personal data, two words such as
#: `dark.large`. Pages then carry the matching classes on `<html>` (`theme-dark`, `text-large`) for the CSS.
COOKIE = "portal-display"
Theme = Literal["system", "light", "dark"]
TextSize = Literal["normal", "large"]
THEMES: tuple[Theme, ...] = ("system", "light", "dark")
TEXT_SIZES: tuple[TextSize, ...] = ("normal", "large")

bp = Blueprint("display", __name__)


@dataclass(frozen=True)
class Display:
    """What the person chose; the defaults follow their device (system theme, the browser's text size)."""

    theme: Theme = "system"
    text: TextSize = "normal"

    @property
    def classes(self) -> str:
        """The classes of `<html>`: none for the defaults."""
        found = []
        if self.theme != "system":
            found.append(f"theme-{self.theme}")
        if self.text != "normal":
            found.append(f"text-{self.text}")
        return " ".join(found)

    @property
    def cookie(self) -> str:
        return f"{self.theme}.{self.text}"


def parse(value: str | None) -> Display:
    """The cookie's value as a choice; anything unknown falls back to the default, part by part."""
    theme, _, text = (value or "").partition(".")
    return Display(
        theme if theme in THEMES else "system",
        text if text in TEXT_SIZES else "normal",
    )


def current_display() -> Display:
    return parse(request.cookies.get(COOKIE))


@bp.get("/display")
def form() -> ResponseReturnValue:
    back = safe_next(request.args.get("next")) or "/"
    return render_template("display.html", chosen=current_display(), back=back, themes=THEMES)


@bp.post("/display")
def choose() -> ResponseReturnValue:
    """A plain form posts here (CSRF-protected like every POST), so it works without JavaScript; unknown values keep
    the default. Then back where the person was."""
    chosen = parse(f"{request.form.get('theme', '')}.{request.form.get('text', '')}")
    response = redirect(safe_next(request.form.get("next")) or "/")
    secure = not current_app.extensions["portal.settings"].dev_insecure_http
    response.set_cookie(
        COOKIE, chosen.cookie, max_age=365 * 24 * 3600, path="/", secure=secure, httponly=True, samesite="Lax"
    )
    return response


def _context() -> dict[str, object]:
    return {"display": current_display()}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_context)
