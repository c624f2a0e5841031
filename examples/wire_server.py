"""The HTTP/JSON plumbing both example services share: stepcheck's wire format
(oracle/WIRE.md) on localhost, with the standard library only.

Only the loop lives here: each example keeps its own service, data model and rules,
and hands this module something that opens cases and applies steps (`Service`). An
unknown opening status is a `ValueError` from `open_case`, answered 422.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = ["Service", "make_server", "serve"]


class _Case(Protocol):
    def view(self) -> dict[str, object]: ...


class Service(Protocol):
    """What the server needs of a service: open a case, apply a step to one."""

    def open_case(self, status: str) -> Any: ...

    def apply(self, case: Any, step: str, at: datetime) -> tuple[bool, Any]: ...


class _Store:
    """Cases by id, behind a lock (the server handles requests on threads)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.cases: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.ids = itertools.count(1)


def make_server(port: int, service: Service) -> ThreadingHTTPServer:
    """A server for `service` on 127.0.0.1:`port` (0: any free port), not yet serving."""
    store = _Store(service)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep connections alive: the oracle sends many requests

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and
            # delayed ACKs hold every kept-alive answer back by ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # quiet: the oracle sends thousands of requests

        def do_POST(self) -> None:
            parts = self.path.strip("/").split("/")
            body = self._body()
            if body is None:
                return
            if parts == ["cases"]:
                self._open(body)
            elif len(parts) == 3 and parts[0] == "cases" and parts[2] == "steps":
                self._step(parts[1], body)
            else:
                self._send(404, {"error": f"no such resource {self.path}"})

        def do_DELETE(self) -> None:
            parts = self.path.strip("/").split("/")
            with store.lock:
                found = len(parts) == 2 and store.cases.pop(parts[1], None) is not None
            self._send(200 if found else 404, {"deleted": found})

        def _open(self, body: Mapping[str, Any]) -> None:
            try:
                case = store.service.open_case(str(body.get("status")))
            except ValueError as error:
                self._send(422, {"error": str(error)})
                return
            with store.lock:
                case_id = str(next(store.ids))
                store.cases[case_id] = case
            self._send(201, {"case": case_id, "view": case.view()})

        def _step(self, case_id: str, body: Mapping[str, Any]) -> None:
            try:
                at = datetime.fromisoformat(str(body.get("at")))
            except ValueError:
                self._send(400, {"error": "'at' must be an ISO 8601 date-time"})
                return
            with store.lock:
                case = store.cases.get(case_id)
                if case is None:
                    self._send(404, {"error": f"no case {case_id}"})
                    return
                accepted, store.cases[case_id] = store.service.apply(
                    case, str(body.get("step")), at
                )
                view = store.cases[case_id].view()
            self._send(200, {"accepted": accepted, "view": view})

        def _body(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": "the body must be JSON"})
                return None
            if not isinstance(body, dict):
                self._send(400, {"error": "the body must be a JSON object"})
                return None
            return body

        def _send(self, code: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True  # a client's idle kept-alive connection must not block shutdown
    return server


def serve(
    prog: str,
    bugs: Iterable[str],
    service: Callable[[list[str]], Service],
    argv: list[str] | None = None,
) -> int:
    """Parse `--port` and `--bug`, serve until SIGINT or SIGTERM; exit 0 after a clean
    shutdown, 2 on bad arguments (argparse)."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--bug",
        action="append",
        default=[],
        choices=sorted(bugs),
        help="plant a bug (repeatable); see examples/README.md",
    )
    args = parser.parse_args(argv)
    server = make_server(args.port, service(args.bug))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    thread.join()
    return 0
