"""Probes of the installed portal, run by the image (outside the app's own code path, beside it).

`python probe.py smoke`   builds the app from this environment with throwaway settings and asks, in process,
                          /healthz, a page in French (templates and compiled catalogues found) and htmx (static
                          files in the wheel): the last step of `ops/image.sh`, so a broken image fails its build.
`python probe.py healthz` asks the running server's /healthz over loopback: the image's HEALTHCHECK. It sends the
                          public host name, because the portal refuses any other Host (PORTAL_TRUSTED_HOSTS).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from urllib.parse import urlsplit

SMOKE_SETTINGS = {
    "PORTAL_SECRET_KEY": "image-smoke-test-only-0123456789abcdef",
    "PORTAL_PUBLIC_URL": "https://portal.invalid",
    "PORTAL_STORE_URL": "https://store.invalid/fhir",
    "PORTAL_OIDC_ISSUER": "https://idp.invalid",
    "PORTAL_OIDC_CLIENT_ID": "smoke",
    "PORTAL_OIDC_CLIENT_SECRET": "smoke",
    "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:smoke",
}


def smoke() -> str:
    from portal import create_app

    app = create_app(SMOKE_SETTINGS)
    client = app.test_client()
    base = "https://portal.invalid"
    health = client.get(f"{base}/healthz")
    if health.status_code != 200 or health.get_json() != {"status": "ok"}:
        raise SystemExit(f"probe: /healthz answered {health.status_code}")
    missing = client.get(f"{base}/no-such-page", headers={"Accept-Language": "fr"})
    page = missing.get_data(as_text=True)
    if missing.status_code != 404 or "Page introuvable" not in page:
        raise SystemExit("probe: the 404 page is not in French: templates or compiled translations are missing")
    htmx = client.get(f"{base}/static/vendor/htmx.min.js")
    if htmx.status_code != 200 or b"htmx" not in htmx.get_data():
        raise SystemExit("probe: /static/vendor/htmx.min.js is missing from the wheel")
    return "probe: smoke ok (/healthz, French 404 page, htmx)"


def healthz() -> str:
    port = os.environ.get("PORT", "8000")
    host = urlsplit(os.environ.get("PORTAL_PUBLIC_URL", "")).hostname or "localhost"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=3) as answer:  # noqa: S310  # a fixed loopback http URL
        if json.load(answer) != {"status": "ok"}:
            raise SystemExit("probe: /healthz did not say ok")
    return "probe: healthz ok"


if __name__ == "__main__":
    modes = {"smoke": smoke, "healthz": healthz}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        raise SystemExit("usage: probe.py smoke|healthz")
    print(modes[sys.argv[1]]())
