"""Fuzzing every route: walk `app.url_map`, and send each rule, with each of its methods, generated path parameters
(per converter: string, int, path, and any other one the map uses), query strings and form bodies (text, unicode,
huge values, control characters, SQL/HTML/JS payloads); every POST once with the session's CSRF token and once
without; signed in as Camille on a store that also holds Diane, and signed out. Never a 500, never a stack trace,
never the payload reflected unescaped, never Diane's data; a POST without its token is refused, with it accepted.

A rule of the map that was not exercised in every way (each method; for a POST, with and without a token) fails
the test, naming it: a route added later is fuzzed, or the test says which one it missed. A converter the fuzzer
has no values for fails it too, naming the rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import responses
from flask import Flask, Response, g, request
from flask.testing import FlaskClient
from flask_wtf.csrf import CSRFError
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)

from portal import create_app
from portal.auth.views import SERVER_TO_SERVER_ENDPOINTS
from portal.web.security import SAFE_METHODS
from tests.pages import check_page
from tests.unit.conftest import PRO_ISSUER, STORE, FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.synthetic_store import SyntheticStore
from tests.unit.fuzz.conftest import FUZZ
from tests.unit.viewers import DEMO_SUBJECT_SYSTEM, sub_of

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
    "doc-diane-pps-v1",
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
            *("logout_token", "patient", "csrf_token", "q", "id", "iss", "sid"),
        ]
    ),
    st.text(min_size=1, max_size=12),
)
#: Ids that exist in the synthetic store or the glossary, so that generated paths also reach the views' own work.
KNOWN_IDS = ["doc-camille-pps-v1", "doc-camille-pps-v2", "doc-camille-pps-v3", "doc-camille-rcp-1", "pps", "rcp"]
STATIC_FILES = ["css/portal.css", "css/print.css", "js/glossary.js", "js/session-timeout.js", "vendor/htmx.min.js"]
#: Routes that end the session or start a new sign-in: in the signed-in run, each request to them is made by a
#: browser signed in for it alone, so that the rest of the run stays a signed-in one.
SESSION_ENDING = {"/logout", "/login", "/pro/login", "/auth/callback", "/pro/auth/callback"}
PRO_ENV = {
    "PORTAL_PRO_OIDC_ISSUER": PRO_ISSUER,
    "PORTAL_PRO_OIDC_CLIENT_ID": "pps-portal",
    "PORTAL_PRO_OIDC_CLIENT_SECRET": "pro-secret",
}
#: Generated requests per rule, method and CSRF variant (after one plain request each).
PER_ROUTE = max(3, (FUZZ.max_examples or 40) // 10)
#: Which way the CSRF check went for a request: not checked (a safe method, or a provider's server-to-server
#: call), or the token was accepted, or refused.
SAFE, UNCHECKED, ACCEPTED, REFUSED = "safe method", "not checked", "token accepted", "token refused"
ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")


# --- values per converter ---------------------------------------------------------------------------------------


def plain_value(rule: Rule, argument: str, converter: BaseConverter) -> str:
    """A value that the converter matches, for the request that must reach the rule whatever the fuzzer draws."""
    if isinstance(converter, IntegerConverter):
        return "1"
    if isinstance(converter, FloatConverter):
        return "1.5"
    if isinstance(converter, UUIDConverter):
        return "12345678-1234-5678-1234-567812345678"
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, PathConverter):
        return STATIC_FILES[0] if rule.endpoint == "static" else "a/b"
    if isinstance(converter, UnicodeConverter):
        return KNOWN_IDS[0]
    raise AssertionError(no_values(rule, argument, converter))


def hostile_values(rule: Rule, argument: str, converter: BaseConverter) -> st.SearchStrategy[str]:
    """What the fuzzer puts in the argument: values the converter takes, and values it should refuse."""
    if isinstance(converter, IntegerConverter):
        return st.one_of(st.integers(0, 10**12).map(str), st.integers(-(10**20), -1).map(str), VALUES)
    if isinstance(converter, FloatConverter):
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(str), VALUES)
    if isinstance(converter, UUIDConverter):
        return st.one_of(st.uuids().map(str), VALUES)
    if isinstance(converter, AnyConverter):
        return st.one_of(st.sampled_from(sorted(converter.items)), VALUES)
    if isinstance(converter, PathConverter):
        segments = st.lists(st.one_of(VALUES, st.sampled_from(KNOWN_IDS)), min_size=1, max_size=4).map("/".join)
        return st.one_of(st.sampled_from(STATIC_FILES), segments)
    if isinstance(converter, UnicodeConverter):
        return st.one_of(st.sampled_from(KNOWN_IDS), VALUES)
    raise AssertionError(no_values(rule, argument, converter))


def no_values(rule: Rule, argument: str, converter: BaseConverter) -> str:
    return (
        f"{rule.rule}: the fuzzer has no values for <{argument}> ({type(converter).__name__}): "
        "add its converter to plain_value and hostile_values"
    )


def converters(rule: Rule) -> dict[str, BaseConverter]:
    found: dict[str, BaseConverter] = rule._converters  # werkzeug keeps them there, by argument
    return found


def path_of(rule: Rule, values: dict[str, str]) -> str:
    return ARGUMENT.sub(lambda m: values[m.group(1)], rule.rule)


def quoted(value: str, converter: BaseConverter) -> str:
    return quote(value, safe="/" if isinstance(converter, PathConverter) else "") or "x"


@st.composite
def requests_for(draw: st.DrawFn, rule: Rule, method: str) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
    values = {
        argument: quoted(draw(hostile_values(rule, argument, converter)), converter)
        for argument, converter in sorted(converters(rule).items())
    }
    query = draw(st.lists(st.tuples(NAMES, VALUES), max_size=4))
    form = draw(st.lists(st.tuples(NAMES, VALUES), max_size=4)) if method == "POST" else []
    return path_of(rule, values), query, form


# --- the portal, and what it was asked ------------------------------------------------------------------------


@dataclass
class Fuzzed:
    """The portal under fuzz, the browser that fuzzes it, and every (rule, method, CSRF outcome) it answered."""

    app: Flask
    client: FlaskClient
    provider: FakeProvider
    signed_in: bool
    exercised: set[tuple[str, str, str]] = field(default_factory=set)
    #: The rule and CSRF outcome of the last request answered (None: it matched no rule).
    last: tuple[str, str] | None = None

    def browser(self) -> FlaskClient:
        """A new browser, signed in as Camille in the signed-in run."""
        client = make_client(self.app)
        if self.signed_in:
            self.provider.sub = sub_of("camille")
            assert sign_in(client, self.provider).status_code == 302
        return client

    def client_for(self, rule: Rule) -> FlaskClient:
        return self.browser() if self.signed_in and rule.rule in SESSION_ENDING else self.client

    def csrf_token(self, client: FlaskClient) -> str:
        """The token this browser's session was given, as every page's language form carries it."""
        page = client.get("/accessibility", headers={"Accept-Language": "fr"})
        assert page.status_code == 200, page.status_code
        tokens = check_page(page.get_data(as_text=True)).xpath("//input[@name='csrf_token']/@value")
        assert tokens, "no CSRF token on /accessibility"
        return str(tokens[0])


def watch(app: Flask, fuzzed: Callable[[], Fuzzed]) -> None:
    """Note, for every answered request, the rule it matched and how its CSRF check went."""
    csrf = app.extensions["csrf"]
    protect = csrf.protect

    def noting_protect() -> None:
        try:
            protect()
        except CSRFError:
            g.fuzz_csrf = REFUSED
            raise
        g.fuzz_csrf = ACCEPTED

    csrf.protect = noting_protect

    @app.after_request
    def note(response: Response) -> Response:
        if request.url_rule is None:
            fuzzed().last = None
            return response
        outcome = SAFE if request.method in SAFE_METHODS else g.get("fuzz_csrf", UNCHECKED)
        fuzzed().exercised.add((request.url_rule.rule, request.method, outcome))
        fuzzed().last = (request.url_rule.rule, outcome)
        return response


@contextmanager
def portal_on_two_patients(signed_in: bool) -> Iterator[Fuzzed]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        provider = FakeProvider(mock)
        provider.install()
        FakeProvider(mock, issuer=PRO_ISSUER, acr="eidas1").install()
        SyntheticStore(STORE).install(mock)
        env = base_env(
            PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM, PORTAL_RATE_LIMIT_SIGN_IN="100000 per minute", **PRO_ENV
        )
        app = create_app(env)
        app.config["TESTING"] = True
        holder: list[Fuzzed] = []
        watch(app, lambda: holder[0])
        holder.append(Fuzzed(app, make_client(app), provider, signed_in))
        fuzzed = holder[0]
        if signed_in:
            fuzzed.client = fuzzed.browser()
        yield fuzzed


def rules_of(url_map: Map) -> list[Rule]:
    return sorted(url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ())))


def expected(rules: list[Rule]) -> set[tuple[str, str, str]]:
    """Every way each rule must have been exercised: each method; a POST with an accepted token and with a
    refused one (a provider's server-to-server call: unchecked)."""
    ways: set[tuple[str, str, str]] = set()
    for rule in rules:
        for method in rule.methods or ():
            if method in SAFE_METHODS:
                ways.add((rule.rule, method, SAFE))
            elif rule.endpoint in SERVER_TO_SERVER_ENDPOINTS:
                ways.add((rule.rule, method, UNCHECKED))
            else:
                ways |= {(rule.rule, method, ACCEPTED), (rule.rule, method, REFUSED)}
    return ways


def not_exercised(rules: list[Rule], exercised: set[tuple[str, str, str]]) -> list[str]:
    return [f"{method} {path} ({how})" for path, method, how in sorted(expected(rules) - exercised)]


# --- one request, and what every answer must be ---------------------------------------------------------------


def check(answer: Any, sent: list[str], signed_in: bool) -> None:
    body = answer.get_data(as_text=True) if answer.mimetype.startswith("text/") else ""
    assert answer.status_code < 500 or answer.status_code == 503, answer.status_code
    assert "Traceback" not in body and 'File "/' not in body
    for value in sent:
        if any(c in value for c in "<>\"'") and len(value) > 3:
            assert value not in body, f"reflected unescaped: {value!r}"
    if signed_in:
        for trace in DIANE:
            assert trace not in body, trace


def send(
    fuzzed: Fuzzed,
    rule: Rule,
    method: str,
    with_token: bool,
    path: str,
    query: list[tuple[str, str]],
    form: list[tuple[str, str]],
) -> None:
    client = fuzzed.client_for(rule)
    fields = list(form)
    if method == "POST" and with_token:
        fields.insert(0, ("csrf_token", fuzzed.csrf_token(client)))
    answer = client.open(
        path,
        method=method,
        query_string=query,
        data=MultiDict(fields) if method == "POST" else None,
        headers={"Origin": "https://portal.test", "Accept-Language": "fr"},
    )
    check(answer, [v for _, v in query + form], fuzzed.signed_in)
    if fuzzed.last is not None and fuzzed.last[0] == rule.rule and method not in SAFE_METHODS:
        outcome = fuzzed.last[1]
        if rule.endpoint in SERVER_TO_SERVER_ENDPOINTS:
            assert outcome == UNCHECKED, (rule.rule, outcome)
        else:
            assert outcome == (ACCEPTED if with_token else REFUSED), (rule.rule, with_token, outcome)


def fuzz_rule(fuzzed: Fuzzed, rule: Rule, method: str, with_token: bool) -> None:
    """One request that reaches the rule (plain values its converters take), then generated ones."""
    values = {argument: plain_value(rule, argument, c) for argument, c in converters(rule).items()}
    send(fuzzed, rule, method, with_token, path_of(rule, values), [], [])

    @settings(FUZZ, max_examples=PER_ROUTE)
    @given(requests_for(rule, method))
    def run(drawn: tuple[str, list[tuple[str, str]], list[tuple[str, str]]]) -> None:
        send(fuzzed, rule, method, with_token, *drawn)

    run()


def fuzz(signed_in: bool) -> None:
    with portal_on_two_patients(signed_in) as fuzzed:
        rules = rules_of(fuzzed.app.url_map)
        for rule in rules:
            for method in sorted(rule.methods or ()):
                for with_token in (True, False) if method == "POST" else (False,):
                    fuzz_rule(fuzzed, rule, method, with_token)
        missing = not_exercised(rules, fuzzed.exercised)
        assert not missing, f"routes of app.url_map never exercised this way: {missing}"
        if signed_in:  # the run was a signed-in one to the end
            home = fuzzed.client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
            assert "Camille" in home


def test_every_route_survives_hostile_parameters_signed_in() -> None:
    fuzz(signed_in=True)


def test_every_route_survives_hostile_parameters_signed_out() -> None:
    fuzz(signed_in=False)


# --- the fuzzer's own guarantees ------------------------------------------------------------------------------


def test_a_route_never_exercised_is_named() -> None:
    rules = [Rule("/a", endpoint="a", methods=["GET"]), Rule("/b", endpoint="b", methods=["POST"])]
    Map(rules)
    exercised = {("/a", "GET", SAFE), ("/b", "POST", ACCEPTED)}  # werkzeug adds HEAD to a GET rule
    assert not_exercised(rules, exercised) == ["HEAD /a (safe method)", "POST /b (token refused)"]
    assert not_exercised(rules, exercised | {("/a", "HEAD", SAFE), ("/b", "POST", REFUSED)}) == []


def test_a_converter_without_values_is_named() -> None:
    class CodeConverter(BaseConverter):
        regex = "[A-Z]{3}"

    url_map = Map([Rule("/codes/<code:value>", endpoint="code")], converters={"code": CodeConverter})
    [rule] = url_map.iter_rules()
    with pytest.raises(AssertionError, match=r"/codes/<code:value>: the fuzzer has no values for <value>"):
        plain_value(rule, "value", converters(rule)["value"])
    with pytest.raises(AssertionError, match="CodeConverter"):
        hostile_values(rule, "value", converters(rule)["value"])


def test_the_portal_map_has_only_converters_the_fuzzer_knows() -> None:
    app = create_app(base_env(**PRO_ENV))
    rules = rules_of(app.url_map)
    assert len(rules) > 30 and any(converters(r) for r in rules)
    for rule in rules:
        for argument, converter in converters(rule).items():
            plain_value(rule, argument, converter)
            hostile_values(rule, argument, converter)
