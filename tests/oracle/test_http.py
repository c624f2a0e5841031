"""The HTTP adapter: the example server over the wire, unreachable systems and bad answers."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from casework_server import casework_server

from examples.casework.service import BUGS
from stepcheck.oracle.http_system import HttpSystem, http_factory, view_to_wire, wire_schema
from stepcheck.oracle.system import SystemFault, SystemUnavailable
from stepcheck.oracle.testing import check_system
from stepcheck.oracle.types import CaseView
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
SEED = 20261123
AT = datetime(2026, 1, 5, 9, 0)
GOOD_VIEW = {"status": "assessment", "owner": "childrens_social_care_worker"}


def test_clean_server_agrees_with_the_oracle_over_http():
    """The example server, clean, agrees with the oracle on every step of the default search."""
    with casework_server() as url:
        outcome = check_system(
            DEVON, lambda: http_factory(url), seed=SEED, reading=Reading.SHOULD, target=url
        )

    assert outcome.agrees, outcome.report


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_planted_bug_is_caught_over_http(bug):
    """Each planted bug of the server is found over HTTP, with a reproduction naming the URL."""
    with casework_server(bug) as url:
        outcome = check_system(
            DEVON, lambda: http_factory(url), seed=SEED, reading=Reading.SHOULD, target=url
        )

    assert not outcome.agrees
    assert f'http_factory("{url}")' in outcome.report
    assert f"--sut {url} " in outcome.report


def test_server_answers_follow_the_wire_schema():
    """Every answer of the example server validates against oracle/wire.schema.json."""
    validator = jsonschema.Draft202012Validator(wire_schema())
    with casework_server() as url:
        system = HttpSystem(url)
        started = system.start(status="cin", at=AT)
        reply = system.apply("discuss_needs_with_family", at=AT)
        raw = _post(url + "/cases", {"status": "cin", "at": AT.isoformat()})

    assert started.status == "cin"
    assert reply.accepted
    validator.validate(raw)


def test_unreachable_system_is_unavailable_not_a_finding():
    """Nothing listening at the URL: check_system raises SystemUnavailable before any run."""
    with casework_server() as url:
        pass  # the server has stopped: its port is free again

    with pytest.raises(SystemUnavailable, match="cannot reach the system"):
        check_system(DEVON, lambda: http_factory(url), seed=SEED, examples=1)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"<html>oops</html>", "non-JSON"),
        (
            json.dumps({"case": 1, "view": {"status": "assessment"}}).encode(),
            "outside the wire format",
        ),
        (json.dumps({"case": 1, "view": {**GOOD_VIEW, "due": {"x": "5 Jan"}}}).encode(), "due/x"),
    ],
    ids=["not_json", "no_owner", "bad_date"],
)
def test_malformed_answer_is_a_fault_with_a_clear_message(answer, message):
    """A non-JSON or schema-invalid answer raises SystemFault naming what is wrong."""
    with _stub(lambda _path: (200, answer)) as url, pytest.raises(SystemFault, match=message):
        HttpSystem(url).start(status="assessment", at=AT)


def test_malformed_answer_mid_run_is_a_disagreement_finding():
    """A system that opens cases but answers steps with garbage is a finding, not a traceback."""
    opened = json.dumps({"case": "7", "view": {**GOOD_VIEW, "allocated": True}}).encode()

    def answer(path: str) -> tuple[int, bytes]:
        return (201, opened) if path == "/cases" else (200, b"not json")

    with _stub(answer) as url:
        outcome = check_system(DEVON, lambda: http_factory(url), seed=SEED, examples=5)

    assert not outcome.agrees
    assert outcome.finding is not None
    assert outcome.finding.fault is not None
    assert "non-JSON" in outcome.report


def test_slow_system_times_out_as_a_fault():
    """An answer slower than the timeout is a SystemFault that says so."""
    release = threading.Event()

    def answer(_path: str) -> tuple[int, bytes]:
        release.wait(5)
        return 200, b"{}"

    with _stub(answer) as url:
        system = HttpSystem(url, timeout=0.2)
        with pytest.raises(SystemFault, match="timed out"):
            system.start(status="assessment", at=AT)
        release.set()


def test_server_error_is_a_fault_with_the_status_code():
    """An HTTP 500 is reported with its code and the start of its body."""
    with _stub(lambda _path: (500, b"boom")) as url, pytest.raises(SystemFault, match="HTTP 500"):
        HttpSystem(url).start(status="assessment", at=AT)


def test_view_round_trips_through_the_wire_format():
    """A CaseView written to the wire and validated reads back the same."""
    view = CaseView(
        status="on_waiting_list",
        owner="targeted_early_help_waiting_list",
        due={"waiting_list_review": date(2026, 1, 19)},
        disputes={"partner_disagreement": "share_tam_consultation"},
    )
    wire = {"accepted": True, "view": view_to_wire(view)}

    jsonschema.Draft202012Validator(wire_schema()).validate(wire)


def _post(url: str, body: dict[str, object]) -> object:
    import urllib.request  # noqa: PLC0415

    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@contextmanager
def _stub(answer) -> Iterator[str]:
    """A throwaway HTTP server on a free port answering every POST with `answer(path)`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            del args

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            code, body = answer(self.path)
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_server_prints_its_port_and_shuts_down_cleanly_on_sigterm():
    """`--port 0` picks a free port and prints it; SIGTERM stops the server with exit 0."""
    command = [sys.executable, "-m", "examples.casework.server", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().removeprefix("listening on ").strip()
        HttpSystem(url).start(status="cin", at=AT)
    finally:
        process.terminate()
        code = process.wait(timeout=10)

    assert code == 0
