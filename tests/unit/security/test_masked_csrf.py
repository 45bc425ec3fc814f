"""The CSRF token masked afresh for every answer (BREACH): no two answers carry the same token bytes, every mask
of the session's secret is accepted for the whole session, anything else is refused (portal.web.csrf)."""

from __future__ import annotations

import base64
import logging
import secrets

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from portal.web import csrf
from tests.unit.masked_tokens import secret_of, tokens_in
from tests.unit.viewers import Viewers

PAGES = ("/", "/treatments", "/glossary", "/documents", "/no-such-page", "/treatments")
ORIGIN = {"Origin": "https://portal.test"}


def _tokens(client: FlaskClient, paths: tuple[str, ...] = PAGES) -> list[str]:
    found: list[str] = []
    for path in paths:
        answer = client.get(path)
        assert answer.status_code in (200, 404), path
        found += tokens_in(answer.get_data(as_text=True))
    return found


def _post_language(client: FlaskClient, token: str, **headers: str) -> int:
    data = {"csrf_token": token, "lang": "en", "next": "/"}
    return client.post("/language", data=data, headers={**ORIGIN, **headers}).status_code


def test_a_mask_is_never_the_same_and_unmasks_to_the_secret() -> None:
    secret = bytes(range(csrf.SECRET_BYTES))
    masked = [csrf.mask(secret) for _ in range(200)]
    assert len(set(masked)) == len(masked)
    assert all(len(t) == csrf.TOKEN_CHARS and csrf.unmask(t) == secret and csrf.matches(t, secret) for t in masked)
    assert not any(csrf.matches(t, bytes(csrf.SECRET_BYTES)) for t in masked)


def test_a_token_is_a_random_pad_then_the_secret_xored_with_it_byte_by_byte() -> None:
    secret = secrets.token_bytes(csrf.SECRET_BYTES)
    for _ in range(50):
        raw = base64.urlsafe_b64decode(csrf.mask(secret) + "==")
        pad, masked = raw[: csrf.SECRET_BYTES], raw[csrf.SECRET_BYTES :]
        assert len(masked) == csrf.SECRET_BYTES and masked != secret
        assert list(masked) == [p ^ s for p, s in zip(pad, secret, strict=True)]


@pytest.mark.parametrize("token", ["", "short", "A" * (csrf.TOKEN_CHARS - 1), "!" * csrf.TOKEN_CHARS, "a.b.c"])
def test_what_is_not_a_masked_token_unmasks_to_nothing(token: str) -> None:
    assert csrf.unmask(token) is None


def test_a_token_written_with_its_unused_bits_set_is_not_one() -> None:
    """54 characters carry 324 bits for 320: base64 would decode 15 other writings of the last one alike."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(20):
        token = csrf.mask(secrets.token_bytes(csrf.SECRET_BYTES))
        last = alphabet.index(token[-1])
        assert last % 16 == 0 and csrf.unmask(token) is not None
        assert all(csrf.unmask(token[:-1] + alphabet[last | unused]) is None for unused in range(1, 16))


def test_two_answers_never_carry_the_same_token_bytes(as_patient: FlaskClient) -> None:
    tokens = _tokens(as_patient)
    assert len(tokens) >= 2 * len(PAGES)  # every page has a form or two (language, sign out)
    assert len(set(tokens)) == len(tokens)  # not even two forms of one page
    [secret] = {secret_of(t) for t in tokens}  # each the session's one secret, masked
    bodies = "".join(as_patient.get(p).get_data(as_text=True) for p in PAGES)
    signed = URLSafeTimedSerializer("x", salt="wtf-csrf-token").dumps(secret.hex()).split(".")[0]
    assert secret.hex() not in bodies and signed not in bodies  # the secret itself is never written


def test_a_token_from_an_earlier_page_still_posts(as_patient: FlaskClient) -> None:
    [first, *_] = _tokens(as_patient, ("/treatments",))
    later = _tokens(as_patient)  # other pages, other masks, since
    assert first not in later
    assert _post_language(as_patient, first) == 302
    assert _post_language(as_patient, first) == 302  # and again: a mask is not used up
    keep = as_patient.post("/session/keep-alive", headers={"X-CSRFToken": later[-1], **ORIGIN})
    assert keep.status_code == 204  # the session-timeout script sends it as a header


def test_an_altered_or_forged_token_is_refused(
    as_patient: FlaskClient, viewers: Viewers, caplog: pytest.LogCaptureFixture
) -> None:
    [token, *_] = _tokens(as_patient, ("/",))
    secret = secret_of(token)
    flipped = bytearray(csrf.unmask(token) or b"")
    other = viewers.sign_in("helene")
    [theirs, *_] = _tokens(other, ("/",))
    caplog.set_level(logging.INFO, logger="portal.web")
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        token[:10] + ("A" if token[10] != "A" else "B") + token[11:],  # in the mask
        csrf.mask(bytes(flipped[:-1]) + bytes([flipped[-1] ^ 1])),  # a mask of a secret one bit off
        csrf.mask(bytes(csrf.SECRET_BYTES)),  # a mask of nothing in particular
        theirs,  # another session's
        secret.hex(),  # the secret itself, unmasked
    ]
    for bad in forged:
        caplog.clear()
        assert _post_language(as_patient, bad) == 400, bad
        assert _post_language(as_patient, "", **{"X-CSRFToken": bad}) == 400, bad
    assert "The CSRF token does not match this session's." in caplog.messages
    assert _post_language(as_patient, token) == 302  # the genuine token, after all that
    assert _post_language(other, theirs) == 302


def test_a_signed_token_already_in_a_browser_keeps_working(
    as_patient: FlaskClient, app_of: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Pages sent before masking carry Flask-WTF's signed token: it is still checked as Flask-WTF checks it."""
    secret = secret_of(_tokens(as_patient, ("/",))[0])
    signer = URLSafeTimedSerializer(app_of.config["SECRET_KEY"], salt="wtf-csrf-token")
    assert _post_language(as_patient, signer.dumps(secret.hex())) == 302
    caplog.set_level(logging.INFO, logger="flask_wtf.csrf")
    assert _post_language(as_patient, signer.dumps(bytes(csrf.SECRET_BYTES).hex())) == 400
    assert "The CSRF tokens do not match." in caplog.messages
    forged = URLSafeTimedSerializer("not the key", salt="wtf-csrf-token").dumps(secret.hex())
    assert _post_language(as_patient, forged) == 400
    assert "The CSRF token is invalid." in caplog.messages


@pytest.fixture
def app_of(viewers: Viewers) -> Flask:
    return viewers.app


def test_an_answer_keeps_the_tokens_masked_for_it_and_masks_any_other_again(app: Flask) -> None:
    with app.test_request_context("/"):
        own = csrf.csrf_token()  # masked for this answer, as a template writes it
        secret = secret_of(own)
        earlier = csrf.mask(secret)  # as a page kept from an earlier answer carries it
        stranger = csrf.mask(secrets.token_bytes(csrf.SECRET_BYTES))  # not this session's: left alone
        field = 'input type="hidden" name="csrf_token"'
        body = f'<form><{field} value="{own}"><{field} value="{earlier}"></form><p data-csrf="{stranger}"></p>'
        response = app.response_class(body, mimetype="text/html")
        csrf.fresh_tokens(response)
        sent = tokens_in(response.get_data(as_text=True))
        assert session["csrf_token"] == secret.hex()
    assert len(sent) == 3 and sent[0] == own and sent[2] == stranger
    assert sent[1] != earlier and csrf.matches(sent[1], secret)
