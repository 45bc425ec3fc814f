"""What changed between two versions of a care plan: the name the web pages and the CLI import (the change types are in
`portal.pps.changes`, the pairing and comparison that find them in `portal.pps.matching`)."""

from __future__ import annotations

from portal.pps.matching import diff

__all__ = ["diff"]
