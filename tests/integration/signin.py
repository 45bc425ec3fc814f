"""Drives a real sign-in at the demo identity providers, the way a person's browser would (no JavaScript).

Used by the integration tests at the start of the data path: browser → auth. `sign_in` opens a start URL
(the portal's /login, or an authorization URL built by a test), fills and submits the provider's login form,
submits any other form the provider shows (consent, logout confirmation, a no-script form_post page), and
follows redirects until the provider hands the browser back to the relying party.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
MAX_HOPS = 25


class SignInRefused(AssertionError):
    """The provider showed its login form again after the credentials were submitted."""

    def __init__(self, message: str, response: requests.Response) -> None:
        super().__init__(message)
        self.response = response


@dataclass
class Form:
    """One HTML form: where it goes, how, and the fields a browser would send."""

    action: str
    method: str
    form_id: str | None
    fields: dict[str, str] = field(default_factory=dict)
    field_names: set[str] = field(default_factory=set)
    submit: tuple[str, str] | None = None  # name/value of the first named submit button


class _FormParser(HTMLParser):
    """Collects forms, their inputs and submit buttons, including those tied by the `form` attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._orphans: list[tuple[str, dict[str, str]]] = []
        self.alerts: list[str] = []
        self._in_alert = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").lower(),
                form_id=attributes.get("id"),
            )
            self.forms.append(self._current)
        elif tag in ("input", "button", "select", "textarea"):
            owner = attributes.get("form")
            if owner:
                self._orphans.append((tag, attributes))
            elif self._current is not None:
                _add_control(self._current, tag, attributes)
        if tag in VOID_ELEMENTS:
            return
        # Depth inside the element that carries the message (role="alert"), to collect its text.
        if self._in_alert or attributes.get("role") == "alert":
            self._in_alert += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        if self._in_alert:
            self._in_alert -= 1

    def handle_data(self, data: str) -> None:
        if self._in_alert and data.strip():
            self.alerts.append(data.strip())

    def close(self) -> None:
        super().close()
        by_id = {form.form_id: form for form in self.forms if form.form_id}
        for tag, attributes in self._orphans:
            owner = by_id.get(attributes["form"])
            if owner is not None:
                _add_control(owner, tag, attributes)


def _add_control(form: Form, tag: str, attributes: dict[str, str]) -> None:
    name = attributes.get("name")
    kind = attributes.get("type", "submit" if tag == "button" else "text").lower()
    if kind in ("submit", "image"):
        if name and form.submit is None:
            form.submit = (name, attributes.get("value", ""))
        return
    if not name:
        return
    form.field_names.add(name)
    if kind in ("checkbox", "radio") and "checked" not in attributes:
        return
    form.fields.setdefault(name, attributes.get("value", ""))


def parse_forms(html: str) -> tuple[list[Form], list[str]]:
    """The forms of a page, and the text of its alert messages."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms, parser.alerts


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _excerpt(response: requests.Response) -> str:
    text = " ".join(response.text.split())
    return text[:400] + ("…" if len(text) > 400 else "")


def _submit(
    session: requests.Session, page: requests.Response, form: Form, extra: dict[str, str], timeout: float
) -> requests.Response:
    data = {**form.fields, **extra}
    if form.submit is not None:
        data.setdefault(*form.submit)
    target = urljoin(page.url, form.action or page.url)
    if form.method == "post":
        return session.post(target, data=data, allow_redirects=False, timeout=timeout)
    return session.get(target, params=data, allow_redirects=False, timeout=timeout)


def sign_in(
    session: requests.Session,
    start_url: str,
    login: str,
    password: str,
    timeout: float = 30,
    stop_at_prefix: str | None = None,
) -> requests.Response:
    """Sign `login` in through the provider that `start_url` leads to; return the relying party's answer.

    Redirects are followed by hand so that the provider is known (the origin of the page with the login
    form). By default the redirects back to the relying party are followed to the end and the last response
    is returned (the portal page after its callback). With `stop_at_prefix`, the first redirect whose
    Location starts with it is returned unfollowed (for a test relying party with nothing listening).

    Raises AssertionError when no login form is found, when the provider answers with an error, and
    SignInRefused (an AssertionError) when it shows the login form again (wrong password, unknown login).
    """
    response = session.get(start_url, allow_redirects=False, timeout=timeout)
    provider: str | None = None
    credentials_sent = False

    for _hop in range(MAX_HOPS):
        if response.status_code in REDIRECT_STATUSES:
            location = urljoin(response.url, response.headers["Location"])
            if stop_at_prefix is not None and location.startswith(stop_at_prefix):
                if not credentials_sent:
                    raise AssertionError(
                        f"sign-in of {login!r}: sent to {location} before any login form "
                        "(still signed in at the identity provider?)"
                    )
                return response
            response = session.get(location, allow_redirects=False, timeout=timeout)
            continue

        at_provider = provider is not None and _origin(response.url) == provider
        if provider is not None and not at_provider:
            # Back at the relying party and no more redirects: this is its answer.
            return response
        if response.status_code != 200:
            where = "the identity provider" if at_provider else response.url
            raise AssertionError(
                f"sign-in of {login!r}: {where} answered {response.status_code} at {response.url}: {_excerpt(response)}"
            )

        forms, alerts = parse_forms(response.text)
        login_form = next((f for f in forms if {"login", "password"} <= f.field_names), None)
        if login_form is not None:
            if credentials_sent:
                message = "; ".join(alerts) or "no message"
                raise SignInRefused(f"the identity provider refused the sign-in of {login!r}: {message}", response)
            provider = _origin(response.url)
            response = _submit(session, response, login_form, {"login": login, "password": password}, timeout)
            credentials_sent = True
            continue
        if provider is None:
            raise AssertionError(
                f"sign-in of {login!r}: no login form (inputs 'login' and 'password') at {response.url}: "
                f"{_excerpt(response)}"
            )
        if len(forms) != 1:
            raise AssertionError(
                f"sign-in of {login!r}: expected one form to submit at {response.url}, found {len(forms)}: "
                f"{_excerpt(response)}"
            )
        # Consent, or a no-script page that posts onwards: submit it as a browser would.
        target = urljoin(response.url, forms[0].action or response.url)
        if stop_at_prefix is not None and target.startswith(stop_at_prefix):
            return response
        response = _submit(session, response, forms[0], {}, timeout)

    raise AssertionError(f"sign-in of {login!r}: more than {MAX_HOPS} hops, last at {response.url}")
