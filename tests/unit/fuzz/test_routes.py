"""Fuzzing every route: walk `app.url_map`, send generated path parameters, query strings and form bodies (text,
unicode, huge values, control characters, SQL/HTML/JS payloads), signed in as Camille on a store that also holds
Diane, and signed out. Never a 500, never a stack trace, never the payload reflected unescaped, never Diane's
data, always within the page budget."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import responses
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from portal import create_app
from tests.unit.conftest import FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.conftest import DEMO_SUBJECT_SYSTEM, SUBS
from tests.unit.documents.synthetic_store import SyntheticStore
from tests.unit.fuzz.conftest import FUZZ

BUDGET = 5.0
#: Diane's identity: on Camille's pages, none of it may ever appear.
DIANE = ("Diane", "267074900721525", "23/07/1967", "1967-07-23")
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "1; DROP TABLE patients",
    "{{7*7}}{%raw%}",
    "../../../../etc/passwd",
    "%00%0d%0aSet-Cookie: x=1",
    "pat-diane",
    "Patient/pat-diane",
    "//evil.example/",
    "\x00\x1b[31m\r\n",
    "\u202e\ufeff\U0001f600é",
]
VALUES = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.integers(-(10**20), 10**20).map(str),
    st.just("x" * 5000),
)
NAMES = st.one_of(
    st.sampled_from(
        [
            *("version", "from", "to", "next", "lang", "download", "names", "event", "code", "state", "error"),
            *("logout_token", "patient", "csrf_token", "q", "id"),
        ]
    ),
    st.text(min_size=1, max_size=12),
)
#: Routes the signed-in run leaves to the signed-out one: they sign out or start a new sign-in, which would turn
#: the rest of the run into a signed-out one.
SIGNED_IN_SKIP = {"/logout", "/login", "/pro/login", "/auth/callback", "/pro/auth/callback"}


@contextmanager
def portal_on_two_patients(signed_in: bool) -> Iterator[tuple[Flask, FlaskClient]]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        provider = FakeProvider(mock)
        provider.install()
        SyntheticStore("https://store.test/fhir").install(mock)
        env = base_env(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM, PORTAL_RATE_LIMIT_SIGN_IN="100000 per minute")
        app = create_app(env)
        app.config["TESTING"] = True
        # Past the CSRF check, so that the form fields reach the views (CSRF has its own tests).
        app.config["WTF_CSRF_ENABLED"] = False
        client = make_client(app)
        if signed_in:
            provider.sub = SUBS["camille"]
            assert sign_in(client, provider).status_code == 302
        yield app, client


def routes(app: Flask, skip: set[str]) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static" and r.rule not in skip), key=lambda r: r.rule
    )


@st.composite
def requests_for(draw: st.DrawFn, rules: list[Rule]) -> tuple[str, str, list[tuple[str, str]], list[tuple[str, str]]]:
    rule = draw(st.sampled_from(rules))
    path = rule.rule
    for argument in sorted(rule.arguments):
        converter = rule._converters[argument]  # werkzeug keeps them there, by argument
        if type(converter).__name__ == "IntegerConverter":
            value = str(draw(st.integers(0, 10**12)))
        else:
            value = quote(draw(VALUES), safe="") or "x"
        path = path.replace(f"<{argument}>", value).replace(f"<int:{argument}>", value)
        path = path.replace(f"<path:{argument}>", value)
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    method = draw(st.sampled_from(methods))
    query = draw(st.lists(st.tuples(NAMES, VALUES), max_size=4))
    form = draw(st.lists(st.tuples(NAMES, VALUES), max_size=4)) if method == "POST" else []
    return method, path, query, form


def check(answer: Any, elapsed: float, sent: list[str], signed_in: bool) -> None:
    body = answer.get_data(as_text=True) if answer.mimetype.startswith("text/") else ""
    assert answer.status_code < 500 or answer.status_code == 503, answer.status_code
    assert "Traceback" not in body and 'File "/' not in body
    for value in sent:
        if any(c in value for c in "<>\"'") and len(value) > 3:
            assert value not in body, f"reflected unescaped: {value!r}"
    if signed_in:
        for trace in DIANE:
            assert trace not in body, trace
    assert elapsed < BUDGET


def fuzz(signed_in: bool) -> None:
    with portal_on_two_patients(signed_in) as (app, client):
        rules = routes(app, SIGNED_IN_SKIP if signed_in else set())

        @settings(FUZZ)
        @given(requests_for(rules))
        def run(request: tuple[str, str, list[tuple[str, str]], list[tuple[str, str]]]) -> None:
            method, path, query, form = request
            started = time.monotonic()
            answer = client.open(
                path,
                method=method,
                query_string=query,
                data=MultiDict(form) if method == "POST" else None,
                headers={"Origin": "https://portal.test", "Accept-Language": "fr"},
            )
            check(answer, time.monotonic() - started, [v for _, v in query + form], signed_in)

        run()
        if signed_in:  # the run was a signed-in one to the end
            home = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
            assert "Camille" in home


def test_every_route_survives_hostile_parameters_signed_in() -> None:
    fuzz(signed_in=True)


def test_every_route_survives_hostile_parameters_signed_out() -> None:
    fuzz(signed_in=False)
