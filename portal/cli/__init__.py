"""The `portal` command: tools for the regional platforms' integrators (check, preview, diff, calendar, PDF)."""

from portal.cli.commands import main, portal

__all__ = ["main", "portal"]
