"""The CSRF tokens a page carries (forms' hidden fields, the session-timeout dialog), for tests of their masking."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from portal.web import csrf

__all__ = ["secret_of", "tokens_in", "without_tokens"]

_WRITTEN = re.compile(r'((?:name="csrf_token" value|data-csrf)=")([^"]*)(")')


def tokens_in(page: str) -> list[str]:
    """Every token `page` carries, in document order."""
    doc = lxml_html.fromstring(page)
    return [str(t) for t in doc.xpath("//input[@name='csrf_token']/@value | //*[@data-csrf]/@data-csrf")]


def without_tokens(page: str) -> str:
    """`page` with every token written as TOKEN: two answers compared but for their masks."""
    return _WRITTEN.sub(r"\1TOKEN\3", page)


def secret_of(token: str) -> bytes:
    """The secret a masked token carries (fails the test when `token` is not a masked token)."""
    secret = csrf.unmask(token)
    assert secret is not None, token
    return secret
