"""Stand-ins for WeasyPrint that the PDF pool's tests hand to its child processes (imported there by name): each says
something a test can check, at once or never."""

from __future__ import annotations

import os
import threading
from typing import Any


def fresh(size: int, tag: str) -> bytes:
    """`size` bytes starting with `tag`, different at each call: a copy from the cache is the same bytes again."""
    head = tag.encode()
    return head + os.urandom(size - len(head))


def child_pid() -> bytes:
    """The process that made it."""
    return str(os.getpid()).encode()


def never_ends(*args: Any, **kwargs: Any) -> bytes:
    """A runaway layout: it waits for an event nobody sets (takes any arguments, to stand in for any PDF)."""
    threading.Event().wait()
    raise AssertionError("unreachable")


def fails() -> bytes:
    """A job that raises with words that must not leave the child (they could be health data)."""
    raise ValueError("Camille Factice, cancer du sein")
