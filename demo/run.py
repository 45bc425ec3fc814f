"""`make demo`: the portal with its demo identity providers and FHIR store, all on 127.0.0.1.

Starts both OpenID Connect providers and the store (demo/stack.py), seeds the store with the synthetic data set,
runs the portal under gunicorn, prints where to go and how to sign in, and on Ctrl-C stops everything it started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from stack import DemoStack, load_accounts  # noqa: E402

PORTAL_URL = "http://127.0.0.1:8000"
DATA = HERE / "data"


def portal_env(stack: DemoStack, portal_url: str) -> dict[str, str]:
    """The settings the demo portal runs with: every value a real deployment would set, pointing at the demo."""
    return {
        "PORTAL_SECRET_KEY": "demo-only-secret-key-change-me-in-production-0123456789",
        "PORTAL_PUBLIC_URL": portal_url,
        "PORTAL_DEV_INSECURE_HTTP": "true",
        "PORTAL_STORE_URL": stack.store_url,
        "PORTAL_OIDC_ISSUER": stack.patient_issuer,
        "PORTAL_OIDC_CLIENT_ID": "pps-portal",
        "PORTAL_OIDC_CLIENT_SECRET": "demo-patient-secret-not-for-production",
        "PORTAL_OIDC_ACR_VALUES": "eidas2",
        "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:demo:patient-idp-sub",
        "PORTAL_PRO_OIDC_ISSUER": stack.pro_issuer,
        "PORTAL_PRO_OIDC_CLIENT_ID": "pps-portal-pro",
        "PORTAL_PRO_OIDC_CLIENT_SECRET": "demo-pro-secret-not-for-production",
        "PORTAL_PRO_OIDC_ACR_VALUES": "eidas1",
    }


def seed_bundle(out: Path) -> Path:
    """Write the synthetic data set (the project's own generator) and return the transaction bundle's path."""
    subprocess.run([sys.executable, "-m", "portal.synthetic", "--out", str(out)], check=True)
    return out / "bundle.json"


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback URL we built)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer at {url} within {timeout:.0f} s")


def main() -> int:
    seed = seed_bundle(DATA)
    stack = DemoStack(
        portal_url=PORTAL_URL,
        seed=seed,
        patient_idp_port=8101,
        pro_idp_port=8102,
        store_port=8103,
        log_dir=DATA / "logs",
    )
    stack.start()
    portal = None
    try:
        env = {**os.environ, **portal_env(stack, PORTAL_URL)}
        # One worker: sessions live in process memory in this configuration (see README, "Sessions").
        portal = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                "127.0.0.1:8000",
                "--workers",
                "1",
                "--threads",
                "8",
                "--access-logfile",
                str(DATA / "logs" / "portal-access.log"),
                "portal.wsgi:app",
            ],
            env=env,
            cwd=ROOT,
        )
        wait_for(PORTAL_URL + "/healthz")
        print_welcome(stack)
        portal.wait()
    except KeyboardInterrupt:
        print("\nStopping the demo…")
    finally:
        if portal is not None and portal.poll() is None:
            portal.send_signal(signal.SIGTERM)
            try:
                portal.wait(timeout=10)
            except subprocess.TimeoutExpired:
                portal.kill()
        stack.stop()
    return 0


def print_welcome(stack: DemoStack) -> None:
    print()
    print(f"The PPS portal runs at {PORTAL_URL}  (Ctrl-C stops everything)")
    print(f"  patient identity provider  {stack.patient_issuer}")
    print(f"  professional provider      {stack.pro_issuer}")
    print(f"  FHIR store                 {stack.store_url}")
    print()
    print("Demo sign-ins (all fictional people; details in demo/accounts.json):")
    for account in load_accounts():
        print(f"  {account['login']:<22} {account['password']:<20} {account['role']:<15} {account['shows']}")
    print()
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (RuntimeError, subprocess.CalledProcessError, json.JSONDecodeError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
