"""Asking the store ahead of need (store step of the data path): a search a page will want is started on the app's
thread pool while the page does something else, unless the answer is in the cache already, when handing it to
another thread would only cost a hand-over (under load, the hand-over cost more than the cached search)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

__all__ = ["soon"]

P = ParamSpec("P")
T = TypeVar("T")


def soon(pool: Executor, cached: bool, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """`call(*args, **kwargs)` on `pool`, in this context (the page's store deadline goes with it); or, when `cached`
    (its answer is in the cache), here and now. Either way its answer, or its error, is in the future returned."""
    if not cached:
        context = contextvars.copy_context()
        return pool.submit(lambda: context.run(call, *args, **kwargs))
    done: Future[T] = Future()
    try:
        done.set_result(call(*args, **kwargs))
    except BaseException as exc:  # kept for the caller, as the pool would keep it
        done.set_exception(exc)
    return done
