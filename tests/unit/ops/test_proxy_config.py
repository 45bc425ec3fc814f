"""The reverse proxy's configuration that the deployment guide shows is the file that ships (and that the fault
suite runs with nginx), and it keeps the settings that protect the portal from slow clients."""

from __future__ import annotations

import re
from pathlib import Path

from portal.settings import Settings
from tests.unit.conftest import base_env

ROOT = Path(__file__).resolve().parents[3]
CONF = ROOT / "deploy" / "nginx" / "pps-portal.conf"
GUIDE = ROOT / "docs" / "deployment.md"


def seconds(name: str) -> int:
    found = re.search(rf"^\s*{name} (\d+)s;", CONF.read_text(encoding="utf-8"), re.M)
    assert found, f"{name} is not set"
    return int(found.group(1))


def test_the_guide_shows_the_file_that_ships_verbatim() -> None:
    assert "```nginx\n" + CONF.read_text(encoding="utf-8") + "```" in GUIDE.read_text(encoding="utf-8")


def test_slow_clients_are_cut_and_the_proxy_waits_for_the_page_budget() -> None:
    assert seconds("client_header_timeout") <= 10 and seconds("client_body_timeout") <= 10
    budget = Settings.from_env(base_env()).page_time_budget
    assert budget < seconds("proxy_read_timeout") <= 2 * budget + 5
    text = CONF.read_text(encoding="utf-8")
    for directive in ("limit_conn pps_portal_per_address", "proxy_request_buffering on;", "proxy_buffering on;"):
        assert directive in text


def test_the_proxy_logs_no_path_and_no_query() -> None:
    log_format = re.search(r"^log_format pps_portal '([^']*)';", CONF.read_text(encoding="utf-8"), re.M)
    assert log_format is not None
    for variable in ("$request ", "$request_uri", "$uri", "$args", "$query_string"):
        assert variable not in log_format.group(1) + " "
    assert "access_log /var/log/nginx/pps-portal.log pps_portal;" in CONF.read_text(encoding="utf-8")
