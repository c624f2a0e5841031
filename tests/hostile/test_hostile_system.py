"""A hostile system under test: answers that trickle, are huge, nest deep, or carry a
5,000-digit number. Each is one clear `SystemFault` within the timeout, never a
traceback, a wait without end or memory without bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from corpus import TINY, in_subprocess

from stepcheck.oracle.http_system import MAX_ANSWER_BYTES, HttpSystem
from stepcheck.oracle.system import SystemFault

AT = datetime(2026, 1, 5, 9, 0)
VIEW = b'{"status": "open", "owner": "worker"}'

Answer = Callable[[BaseHTTPRequestHandler], None]


def _send(handler: BaseHTTPRequestHandler, body: bytes, *, length: int | None = None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then the body one byte every 0.2 s: each read is quick, the
    answer never ends (for 200 s)."""
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


def _huge(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, b" " * (MAX_ANSWER_BYTES + 10) + b"{}")


def _huge_without_length(handler: BaseHTTPRequestHandler) -> None:
    """Says it is short, sends more: only the first bytes are read."""
    handler.send_response(200)
    handler.send_header("Connection", "close")
    handler.end_headers()
    with suppress(OSError):
        handler.wfile.write(b"[" * (MAX_ANSWER_BYTES + 10))


def _deep(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, b"[" * 100_000 + b"]" * 100_000)


def _deep_but_parsable(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, b'{"case": 1, "view": ' + b"[" * 500 + b"]" * 500 + b"}")


def _big_number(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, b'{"case": ' + b"9" * 5000 + b', "view": ' + VIEW + b"}")


ANSWERS: dict[str, tuple[Answer, str]] = {
    "trickle": (_trickle, "timed out"),
    "huge": (_huge, "more than"),
    "huge_without_length": (_huge_without_length, "more than"),
    "deep": (_deep, "nested"),
    "deep_but_parsable": (_deep_but_parsable, "nested"),
    "big_number": (_big_number, "digits"),
}


@contextmanager
def _server(answer: Answer) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            del args

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer(self)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_a_hostile_answer_is_one_clear_fault_within_the_timeout(case):
    answer, message = ANSWERS[case]
    with _server(answer) as url:
        started = time.monotonic()
        with pytest.raises(SystemFault, match=message):
            HttpSystem(url, timeout=1.0).start(status="open", at=AT)
        assert time.monotonic() - started < 10


def test_the_cli_ends_a_trickling_system_at_its_timeout(tmp_path):
    """`--timeout` bounds each request as a whole: the trickle once ran for ever."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    with _server(_trickle) as url:
        outcome = in_subprocess(
            ["test", str(spec), "--sut", url, "--timeout", "1", "--examples", "1", "--seed", "1"],
            timeout=60,
        )

    assert outcome.code in (1, 2), outcome.output
    assert "Traceback" not in outcome.output
    assert "timed out" in outcome.output
    assert outcome.seconds < 30
