"""A system under test reached over HTTP with JSON (the wire format of oracle/WIRE.md).

Every answer is checked against `oracle/wire.schema.json` before it is believed, so
a system in any language gets the same clear message for the same mistake. A system
that cannot be reached when a case is first opened is `SystemUnavailable` (nothing
was tested); anything wrong later (a timeout, a 500, non-JSON, a schema-invalid view)
is a `SystemFault`, which the oracle reports as a finding.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import urllib.parse
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from stepcheck.oracle.system import SystemFault, SystemUnavailable
from stepcheck.oracle.types import CaseView, Reply
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.jsontext import JsonRefused, load_json

__all__ = [
    "MAX_ANSWER_BYTES",
    "HttpSystem",
    "check_url",
    "http_factory",
    "view_from_wire",
    "view_to_wire",
    "wire_schema",
]


@cache
def wire_schema() -> Mapping[str, Any]:
    """The JSON Schema of a system's answers."""
    text = resources.files("stepcheck.oracle").joinpath("wire.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def view_from_wire(data: Mapping[str, Any]) -> CaseView:
    """A schema-valid wire view as a `CaseView`."""
    return CaseView(
        status=data["status"],
        owner=data["owner"],
        co_owner=data.get("co_owner", "none"),
        allocated=data.get("allocated", False),
        due={name: date.fromisoformat(day) for name, day in data.get("due", {}).items()},
        disputes=dict(data.get("disputes", {})),
    )


def view_to_wire(view: CaseView) -> dict[str, Any]:
    """A `CaseView` in the wire format (dates as ISO strings)."""
    return {
        "status": view.status,
        "owner": view.owner,
        "co_owner": view.co_owner,
        "allocated": view.allocated,
        "due": {name: day.isoformat() for name, day in view.due.items()},
        "disputes": dict(view.disputes),
    }


class HttpSystem:
    """One case in a system served at `base_url` (e.g. http://127.0.0.1:8000)."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        check_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._prefix = urllib.parse.urlsplit(self.base_url).path
        self._case: str | None = None
        self._connection: http.client.HTTPConnection | None = None

    def start(self, *, status: str, at: datetime) -> CaseView:
        """POST /cases; an unreachable system here means nothing can be tested."""
        first = self._case is None
        try:
            answer = self._post("/cases", {"status": status, "at": at.isoformat()}, "started")
        except _Unreachable as error:
            if first:
                raise SystemUnavailable(str(error)) from error
            raise SystemFault(str(error)) from error
        self._case = str(answer["case"])
        return _view(answer["view"], "/cases")

    def apply(self, step: str, *, at: datetime) -> Reply:
        """POST /cases/{case}/steps."""
        if self._case is None:
            raise SystemFault("a step was sent before any case was opened")
        path = f"/cases/{self._case}/steps"
        try:
            answer = self._post(path, {"step": step, "at": at.isoformat()}, "reply")
        except _Unreachable as error:
            raise SystemFault(str(error)) from error
        return Reply(accepted=answer["accepted"], view=_view(answer["view"], path))

    def close(self) -> None:
        """Close the connection; the server may keep the case for inspection."""
        self._case = None
        self._drop()

    def _post(self, path: str, body: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
        url = self.base_url + path
        data = json.dumps(body).encode("utf-8")
        for attempt in range(2):
            reused = self._connection is not None
            connection = self._connected()
            watchdog = _Watchdog(self.timeout)
            try:
                if connection.sock is None:
                    connection.connect()
                watchdog.watch(connection.sock)
                connection.request("POST", self._prefix + path, body=data, headers=_HEADERS)
                response = connection.getresponse()
                raw = _read_capped(response, url)
                break
            except (TimeoutError, OSError, http.client.HTTPException) as error:
                if watchdog.fired or isinstance(error, TimeoutError):
                    self._drop()
                    raise SystemFault(f"POST {url} timed out after {self.timeout:g}s") from error
                self._drop()
                if reused and attempt == 0:
                    continue  # a kept-alive connection the server has since closed
                raise _Unreachable(f"cannot reach the system at {url}: {error}") from error
            finally:
                watchdog.cancel()
        if watchdog.fired:
            self._drop()
            raise SystemFault(f"POST {url} timed out after {self.timeout:g}s")
        if response.status >= 400:
            detail = raw[:200].decode("utf-8", "replace").strip()
            raise SystemFault(f"POST {url} answered HTTP {response.status}: {detail}")
        return _parsed(raw, url, kind)

    def _connected(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = urllib.parse.urlsplit(self.base_url)
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = kind(parts.netloc, timeout=self.timeout)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _view(data: Mapping[str, Any], path: str) -> CaseView:
    try:
        return view_from_wire(data)
    except ValueError as error:
        raise SystemFault(f"POST {path} answered a view with a bad date: {error}") from error


class _Unreachable(Exception):
    """Nothing answered; the caller decides whether that is fatal or a finding."""


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    """A validator for one kind of answer (`started` or `reply`)."""
    return jsonschema.Draft202012Validator(
        {**wire_schema(), "oneOf": [{"$ref": f"#/$defs/{kind}"}]}
    )


def _parsed(raw: bytes, url: str, kind: str) -> Mapping[str, Any]:
    try:
        answer = load_json(raw, name="the answer")
    except JsonRefused as error:
        shown = raw[:80].decode("utf-8", "replace")
        raise SystemFault(f"POST {url} answered non-JSON ({error}): {shown!r}") from error
    problem = jsonschema.exceptions.best_match(_validator(kind).iter_errors(answer))
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "the answer"
        raise SystemFault(
            f"POST {url} answered outside the wire format at {where}: {problem.message}"
        )
    checked: Mapping[str, Any] = answer
    return checked


MAX_ANSWER_BYTES = 1024 * 1024
"""The largest answer read from a system: 1 MiB (a view is a few hundred bytes)."""


def check_url(base_url: str) -> None:
    """Refuse a base URL that cannot name an HTTP system, before anything is sent.

    Raises:
        StepcheckError: naming the URL and what is wrong with it.
    """
    try:
        parts = urllib.parse.urlsplit(base_url)
        port = parts.port
    except ValueError as error:
        raise StepcheckError(f"--sut {base_url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise StepcheckError(
            f"--sut {base_url!r} is not an http:// or https:// URL (e.g. http://127.0.0.1:8000)"
        )
    if not parts.hostname:
        raise StepcheckError(f"--sut {base_url!r} names no host (e.g. http://127.0.0.1:8000)")
    if port == 0 or parts.query or parts.fragment or parts.username is not None:
        raise StepcheckError(
            f"--sut {base_url!r} is not a system's base URL: give scheme, host, port "
            "and path only (e.g. http://127.0.0.1:8000)"
        )


class _Watchdog:
    """Ends a request that takes longer than `seconds` in all, by shutting its socket.

    http.client's timeout bounds each socket read, so a server trickling a byte a
    second would never time out; this bounds the whole request instead. The socket is
    held here because http.client lets go of it once it knows the answer ends the
    connection, while the answer is still being read from it."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut `sock` when the time is up (at once if it already is)."""
        with self._lock:
            self._socket = sock
            if self.fired:
                self._shut()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_capped(response: http.client.HTTPResponse, url: str) -> bytes:
    """The body of `response`, refused past `MAX_ANSWER_BYTES` without reading it all."""
    length = response.getheader("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > MAX_ANSWER_BYTES:
        raise SystemFault(
            f"POST {url} answered {int(length):,} bytes, more than the "
            f"{MAX_ANSWER_BYTES:,} an answer may have"
        )
    raw = response.read(MAX_ANSWER_BYTES + 1)
    if len(raw) > MAX_ANSWER_BYTES:
        raise SystemFault(
            f"POST {url} answered more than the {MAX_ANSWER_BYTES:,} bytes an answer may have"
        )
    return raw


def http_factory(base_url: str, *, timeout: float = 5.0) -> HttpSystem:
    """A factory target for `check_system`: a fresh adapter for the system at `base_url`."""
    return HttpSystem(base_url, timeout=timeout)
