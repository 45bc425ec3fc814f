"""`make demo`: the portal with its demo identity providers and FHIR store, all on 127.0.0.1.

Starts both OpenID Connect providers, the home store and the nord region's store (demo/stack.py), seeds the stores
with the synthetic data set, runs the portal under gunicorn, prints where to go and how to sign in, and on Ctrl-C
stops everything it started. The portal reads both regions' stores (`regions_env`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from stack import DemoStack, load_accounts  # noqa: E402

DATA = HERE / "data"


def portal_env(stack: DemoStack) -> dict[str, str]:
    """The settings the demo portal runs with: every value a real deployment would set, pointing at the demo."""
    return {
        **stack.portal_environment(),
        "PORTAL_SECRET_KEY": "demo-only-secret-key-change-me-in-production-0123456789",
        "PORTAL_DEV_INSECURE_HTTP": "true",
        "PORTAL_OIDC_ACR_VALUES": "eidas2",
        "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:demo:patient-idp-sub",
        "PORTAL_PRO_OIDC_ACR_VALUES": "eidas1",
        **regions_env(stack),
    }


def regions_env(stack: DemoStack) -> dict[str, str]:
    """The other regions' settings for the demo portal: PORTAL_REGIONS, each region's URL and public names, and the
    home store's public names (portal.env, written from portal_env, carries them too)."""
    return stack.regions_environment()


def write_env_file(env: dict[str, str], path: Path) -> None:
    """The demo portal's settings as a shell file, for the `portal` command against the demo (indicators)."""
    path.write_text("".join(f"export {name}='{value}'\n" for name, value in sorted(env.items())), encoding="utf-8")


def seed_bundle(out: Path) -> Path:
    """Write the synthetic data set (the project's own generator) and return the home store's bundle's path; the
    other regions' bundles are written beside it (`region_seed`)."""
    subprocess.run([sys.executable, "-m", "synthetic", "--out", str(out)], check=True, cwd=ROOT)
    return out / "bundle.json"


def region_seed(out: Path, key: str) -> Path:
    """Where `python -m synthetic --out OUT` wrote the seed bundle of region `key`'s store."""
    path = out / "regions" / key / "bundle.json"
    if not path.is_file():
        raise RuntimeError(f"the data set has no bundle for region {key} ({path})")
    return path


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal-port", type=int, default=8000)
    parser.add_argument("--patient-idp-port", type=int, default=8101)
    parser.add_argument("--pro-idp-port", type=int, default=8102)
    parser.add_argument("--store-port", type=int, default=8103)
    parser.add_argument("--nord-store-port", type=int, default=8104, help="the nord region's store")
    parser.add_argument("--data", type=Path, default=DATA, help="where the data set and the logs are written")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    portal_url = f"http://127.0.0.1:{args.portal_port}"
    seed = seed_bundle(args.data)
    (args.data / "logs").mkdir(parents=True, exist_ok=True)
    stack = DemoStack(
        portal_url=portal_url,
        seed=seed,
        patient_idp_port=args.patient_idp_port,
        pro_idp_port=args.pro_idp_port,
        store_port=args.store_port,
        regions={"nord": region_seed(args.data, "nord")},
        region_ports={"nord": args.nord_store_port},
        log_dir=args.data / "logs",
    )
    stack.start()
    portal = None
    try:
        write_env_file(portal_env(stack), args.data / "portal.env")
        env = {**os.environ, **portal_env(stack)}
        # One worker: sessions live in process memory in this configuration (see README, "Sessions").
        portal = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                f"--bind=127.0.0.1:{args.portal_port}",
                "--workers=1",
                "--threads=8",
                "--no-control-socket",
                f"--access-logfile={args.data / 'logs' / 'portal-access.log'}",
                "portal.wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            # Its own session: Ctrl-C reaches run.py alone, which then stops gunicorn itself (SIGTERM, then
            # SIGKILL after 10 s), instead of gunicorn racing the same signal and sometimes outliving us.
            start_new_session=True,
        )
        wait_for(portal_url + "/healthz")
        print_welcome(stack, portal_url, args.data / "portal.env")
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


def print_welcome(stack: DemoStack, portal_url: str, env_file: Path) -> None:
    print()
    print(f"The PPS portal runs at {portal_url}  (Ctrl-C stops everything)")
    print(f"  patient identity provider  {stack.patient_issuer}")
    print(f"  professional provider      {stack.pro_issuer}")
    print(f"  FHIR store                 {stack.store_url}")
    for key, url in stack.region_urls.items():
        print(f"  FHIR store, region {key:<7} {url}")
    print()
    print("Demo sign-ins (all fictional people; details in demo/accounts.json):")
    for account in load_accounts():
        print(f"  {account['login']:<22} {account['password']:<20} {account['role']:<15} {account['shows']}")
    print()
    print("This month's indicators for the national agencies, from the views made in the demo (docs/indicators.md):")
    print(f"  (. {env_file} && .venv/bin/portal indicators --month {datetime.now(ZoneInfo('Europe/Paris')):%Y-%m})")
    print()
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (RuntimeError, subprocess.CalledProcessError, json.JSONDecodeError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
