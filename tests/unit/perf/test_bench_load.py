"""The load generator counts every answer that is not 200 (a redirect included), and what never came."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import NOT_SENT, Answers, _wrk_rate, get_many, run_requests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = {"/": 200, "/moved": 302, "/down": 503}[self.path]
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_every_answer_is_200(server: str) -> None:
    answers = get_many(f"{server}/", ["a=1", "a=2"], total=20, threads=2, seconds=30)
    assert (answers.ok, answers.not_200) == (20, 0)
    assert answers.note() == "20 of 20 answered 200"


@pytest.mark.parametrize(("path", "status"), [("/moved", "302"), ("/down", "503")])
def test_a_redirect_or_an_error_is_counted_and_named(server: str, path: str, status: str) -> None:
    answers = get_many(f"{server}{path}", [""], total=5, threads=1, seconds=30)
    assert answers.not_200 == 5
    assert answers.note() == f"0 of 5 answered 200 ({status} ×5)"
    with pytest.raises(RuntimeError, match=f"{status} ×5"):
        run_requests(f"{server}{path}", [""], total=5, threads=1)


def test_no_answer_counts_as_a_failed_request() -> None:
    answers = get_many("http://127.0.0.1:9/", [""], total=3, threads=1, seconds=30)  # the discard port: refused
    assert answers.ok == 0 and answers.not_200 == 3 and "ConnectionRefusedError ×3" in answers.note()


def test_requests_the_time_limit_left_unsent_are_failed_requests() -> None:
    answers = Answers(10, Counter({"200": 7, NOT_SENT: 3}), 1.0)
    assert answers.not_200 == 3 and answers.note() == f"7 of 10 answered 200 ({NOT_SENT} ×3)"


def test_wrk_output_gives_the_rate_of_200_answers_and_the_others() -> None:
    output = (
        "Running 5s test\n  Requests/sec:   1000.00\nTransfer/sec: 1MB\nanswered: 5000\nnot 200: 50\nno answer: 2\n"
    )
    rate, answers = _wrk_rate(output)
    assert rate == pytest.approx(990.0)
    assert answers.statuses == Counter({"200": 4950, "not 200": 50, "no answer": 2})
    assert answers.not_200 == 52


def test_wrk_output_without_the_counts_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="answered"):
        _wrk_rate("Requests/sec: 10\n")
