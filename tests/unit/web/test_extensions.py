"""The app's shared parts: `ask_each`, which asks every store at once for the chooser and the newest own plan."""

from __future__ import annotations

import contextvars
import threading

import pytest
from flask import Flask

from portal import create_app
from portal.store import StoreUnavailable
from portal.web import extensions
from tests.unit.conftest import base_env

ASKED_FOR: contextvars.ContextVar[str] = contextvars.ContextVar("asked_for", default="nobody")


@pytest.fixture
def app() -> Flask:
    return create_app(base_env())


def test_every_item_is_asked_on_the_pool_in_this_context_and_answered_in_order(app: Flask) -> None:
    threads: set[str] = set()

    def ask(n: int) -> str:
        threads.add(threading.current_thread().name)
        return f"{ASKED_FOR.get()}:{n}"

    with app.app_context():
        ASKED_FOR.set("camille")
        assert extensions.ask_each(ask, [3, 1, 2], "none") == ["camille:3", "camille:1", "camille:2"]
    assert threads and threading.current_thread().name not in threads  # the pool's threads, not the request's


def test_a_store_that_fails_gives_the_stand_in_and_the_others_their_answers(app: Flask) -> None:
    def ask(n: int) -> int:
        if n == 2:
            raise StoreUnavailable("the second store does not answer")
        return n * 10

    with app.app_context():
        assert extensions.ask_each(ask, [1, 2, 3], -1) == [10, -1, 30]


def test_a_bug_is_not_taken_for_a_store_that_fails(app: Flask) -> None:
    def ask(n: int) -> int:
        raise KeyError(n)

    with app.app_context(), pytest.raises(KeyError):
        extensions.ask_each(ask, [1], -1)
