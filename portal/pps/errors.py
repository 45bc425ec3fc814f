"""Errors of the `pps` step: documents the reader will not read at all (the rest are warnings)."""

from __future__ import annotations

__all__ = ["DocumentRefused", "PpsError"]


class PpsError(Exception):
    """Base of the errors raised by `portal.pps`."""


class DocumentRefused(PpsError):
    """The file is not read: not a well-formed, safe cancer PPS CDA. `reason` is one English line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
