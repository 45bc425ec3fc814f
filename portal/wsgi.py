"""WSGI entry point (`gunicorn portal.wsgi:app`): a configuration error is one line and a non-zero exit.

Logs are JSON lines on stderr from the start (`portal.logs`); tests build the app with `create_app` instead,
so that pytest's log capture keeps working.
"""

from __future__ import annotations

import sys

from portal import SettingsError, create_app, logs
from portal.settings import Settings

try:
    settings = Settings.from_env()
except SettingsError as exc:
    print(f"portal: cannot start: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

logs.configure(settings.log_level)
app = create_app(settings)
