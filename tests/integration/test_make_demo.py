"""`make demo` as a newcomer runs it: demo/run.py starts everything, a demo patient signs in, Ctrl-C stops it all."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests
from lxml import html

from portal.plain.views.common import PARIS
from tests.conftest import ROOT, free_port, load_accounts
from tests.integration.signin import sign_in

pytestmark = pytest.mark.integration


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def indicators(env_file: Path) -> list[dict[str, str]]:
    """`portal indicators` for this month with the settings the demo wrote (the line it prints, run here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    month = datetime.now(PARIS).strftime("%Y-%m")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "portal"), "indicators", "--month", month, "--lang", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_demo_runs_signs_in_and_stops_everything(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(5)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    demo = subprocess.Popen(
        [
            sys.executable,
            "demo/run.py",
            "--portal-port",
            str(ports[0]),
            "--patient-idp-port",
            str(ports[1]),
            "--pro-idp-port",
            str(ports[2]),
            "--store-port",
            str(ports[3]),
            "--nord-store-port",
            str(ports[4]),
            "--data",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        assert demo.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            output.append(line)
            if "portal indicators --month" in line:
                break
        portal = f"http://127.0.0.1:{ports[0]}"
        assert any(portal in line for line in output), "".join(output)
        # The nord region's store runs beside the home one, and the portal reads it.
        assert any(f"http://127.0.0.1:{ports[4]}/fhir" in line for line in output), "".join(output)
        camille = next(a for a in load_accounts() if a["login"] == "camille")
        page = sign_in(requests.Session(), portal + "/login", camille["login"], camille["password"])
        assert page.status_code == 200
        assert html.document_fromstring(page.text).findtext(".//h1").startswith("Bonjour Camille")
        # Bernard, diagnosed at home and treated in nord, opens on his newer nord plan and is told of the other.
        bernard = next(a for a in load_accounts() if a["login"] == "bernard")
        page = sign_in(requests.Session(), portal + "/login", bernard["login"], bernard["password"])
        words = " ".join(html.document_fromstring(page.text).text_content().split())
        assert "Il vient de : Région Exemple-Nord – DCC Exemple Nord." in words
        assert "Vous avez aussi un programme dans une autre région : Région Exemple-Sud – DCC Exemple Sud." in words
        # The monthly indicators as the demo says to get them: Camille's view is counted (1 to 9: hidden).
        assert any("portal indicators --month" in line for line in output), "".join(output)
        month_views = ""
        while time.monotonic() < deadline and month_views != "fewer than 10: not shown":
            report = indicators(tmp_path / "portal.env")
            month_views = next(r["suppressed"] for r in report if (r["indicator"], r["group"]) == ("views", "all"))
        assert month_views == "fewer than 10: not shown"
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            raise
        finally:
            if demo.stdout is not None:
                demo.stdout.close()
    # run.py has returned; its children may take a moment to release their sockets.
    deadline = time.monotonic() + 30  # a bound for a loaded machine, not a pause
    while [p for p in ports if port_is_open(p)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p for p in ports if port_is_open(p)] == [], "a demo server is still running after Ctrl-C"
