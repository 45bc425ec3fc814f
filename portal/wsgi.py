"""WSGI entry point (`gunicorn portal.wsgi:app`): a configuration error is one line and exit status 3."""

from __future__ import annotations

import sys

from portal import SettingsError, create_app
from portal.app import ready_to_serve
from portal.ops import logs
from portal.settings import Settings

#: gunicorn's WORKER_BOOT_ERROR: the master then stops too, rather than restarting the worker forever
#: (`ops/gunicorn.conf.py` checks the same settings before it forks, so this is the second line of defence).
BOOT_ERROR = 3

try:
    settings = Settings.from_env()
    settings.check_serving()
except SettingsError as exc:
    print(f"portal: cannot start: {exc}", file=sys.stderr)
    raise SystemExit(BOOT_ERROR) from None

# JSON lines on stderr from the start; tests build the app with `create_app` instead, so that pytest's log capture
# keeps working.
logs.configure(settings.log_level)
app = create_app(settings)
# Templates compiled before the first request; what the app holds out of the cycle collector's way from now on.
ready_to_serve(app)
