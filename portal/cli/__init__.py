"""The `portal` command: tools for the regional platforms' integrators (check, preview, diff, calendar, PDF) and
the monthly indicators for the national agencies."""

from portal.cli.commands import main, portal
from portal.cli.indicators import indicators_command

portal.add_command(indicators_command)

__all__ = ["main", "portal"]
