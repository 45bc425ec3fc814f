"""One JSON line per request: request id, route rule, status, duration, store calls; never a path, a query or
an id."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal.ops import logs
from tests.unit.conftest import STORE, FakeProvider


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = logs.JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "portal.request"]


def test_one_line_per_request_with_the_route_rule_never_the_path_or_query(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answer = client.get("/history/pat-alice-fictive-0001?patient=295017512345678")

    [line] = request_lines(caplog)
    assert line["event"] == "request"
    assert line["method"] == "GET"
    assert line["status"] == answer.status_code
    assert line["route"] != "/history/pat-alice-fictive-0001"
    assert isinstance(line["duration_ms"], float)
    assert line["store_calls"] == 0
    text = json.dumps(line)
    assert "pat-alice-fictive" not in text
    assert "295017512345678" not in text
    assert "?" not in text


def test_the_route_is_the_url_rule(app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    @app.get("/ops-test/<item>")
    def with_variable(item: str) -> str:
        return "ok"

    client.get("/ops-test/some-patient-id")

    [line] = request_lines(caplog)
    assert line["route"] == "/ops-test/<item>"
    assert "some-patient-id" not in json.dumps(line)


def test_a_path_that_matches_no_route_is_logged_as_unmatched(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client.get("/no-such-page/Jeanne-Fictive")

    [line] = request_lines(caplog)
    assert line["route"] == "<unmatched>"
    assert line["status"] == 404
    assert "Jeanne" not in json.dumps(line)


def test_a_well_formed_request_id_is_kept_and_returned(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = client.get("/healthz", headers={"X-Request-ID": "0f3c9a7e5b2d4c1a8e6f0b9d7c5a3e1f"})

    assert answer.headers["X-Request-ID"] == "0f3c9a7e5b2d4c1a8e6f0b9d7c5a3e1f"
    [line] = request_lines(caplog)
    assert line["request_id"] == "0f3c9a7e5b2d4c1a8e6f0b9d7c5a3e1f"


@pytest.mark.parametrize("sent", ["short", "has space in it", "x" * 200, "semi;colon-0123456789", "é-0123456789"])
def test_a_malformed_request_id_is_replaced_by_a_new_one(client: FlaskClient, sent: str) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": sent})

    returned = answer.headers["X-Request-ID"]
    assert returned != sent
    assert len(returned) == 32 and int(returned, 16) >= 0


def test_each_request_gets_its_own_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second


def test_a_request_refused_for_its_host_is_logged_too(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    answer = app.test_client().get("/", headers={"Host": "attacker.example"})

    assert answer.status_code == 400
    assert "X-Request-ID" in answer.headers
    [line] = request_lines(caplog)
    assert line["status"] == 400


def test_probes_log_at_debug_so_they_do_not_drown_the_rest(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client.get("/healthz")
    assert request_lines(caplog) == []

    caplog.set_level(logging.DEBUG)
    client.get("/healthz")
    [line] = request_lines(caplog)
    assert line["route"] == "/healthz"


def test_store_calls_and_their_time_are_counted_per_request(
    client: FlaskClient, mock: responses.RequestsMock, provider: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    mock.add(responses.GET, f"{STORE}/metadata", json={"resourceType": "CapabilityStatement"})
    caplog.set_level(logging.DEBUG)

    client.get("/readyz")

    [line] = request_lines(caplog)
    assert line["store_calls"] == 1
    assert 0 <= line["store_ms"] <= line["duration_ms"]


def test_lines_logged_during_a_request_carry_its_request_id(app: Flask) -> None:
    formatter = logs.JsonFormatter()
    record = logging.LogRecord("portal.web", logging.WARNING, __file__, 1, "store unavailable: %s", ("X",), None)
    with app.test_request_context("/", base_url="https://portal.test"):
        app.preprocess_request()
        from flask import g

        line = json.loads(formatter.format(record))
        assert line["request_id"] == g.request_id
    assert line["message"] == "store unavailable: X"
    assert line["level"] == "warning"
    assert line["logger"] == "portal.web"


def test_configure_writes_json_lines_and_replaces_its_own_handler() -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    stream = io.StringIO()
    try:
        first = logs.configure("info", io.StringIO())
        second = logs.configure("warning", stream)
        assert first not in root.handlers and second in root.handlers
        logging.getLogger("portal.test").info("not shown at warning")
        logging.getLogger("portal.test").warning("shown %d", 1)
    finally:
        for handler in list(root.handlers):
            if handler not in before[0]:
                root.removeHandler(handler)
        root.setLevel(before[1])
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == "shown 1"
    assert line["time"].endswith("+00:00")


def test_urllib3_never_logs_the_urls_it_asks(app: Flask) -> None:
    # Its debug lines hold the full URL of each store search: `Patient?identifier=…|{sub}`.
    assert logging.getLogger("urllib3").getEffectiveLevel() >= logging.ERROR
