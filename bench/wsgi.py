"""gunicorn entry point of the benchmarks (`bench.wsgi:app`): the portal as `portal.wsgi` builds it, with the
sessions of the benchmark's synthetic people already signed in.

Benchmarks measure pages, not sign-in: driving 1,000 sign-ins through the demo identity provider would measure
it instead. The sessions are written into each worker's own session store, exactly as the sign-in callback
writes them (`portal.auth.views`). With `PORTAL_REDIS_URL` that store is the shared Redis: `bench.scaleout`
seeds it itself and leaves `BENCH_SESSIONS` unset. Bench only: never imported by the portal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.population import Person, seed_sessions
from portal import create_app
from portal.app import ready_to_serve


def _people() -> list[Person]:
    path = os.environ.get("BENCH_SESSIONS")
    if not path:
        return []
    return [Person(**p) for p in json.loads(Path(path).read_text(encoding="utf-8"))]


app = create_app()
seed_sessions(app, _people())
ready_to_serve(app)  # as portal.wsgi does
