"""WSGI entry point (`gunicorn portal.wsgi:app`): a configuration error is one line and a non-zero exit."""

from __future__ import annotations

import sys

from portal import SettingsError, create_app

try:
    app = create_app()
except SettingsError as exc:
    print(f"portal: cannot start: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
