"""A system under test reached over HTTP with JSON (the wire format of oracle/WIRE.md).

Every answer is checked against `oracle/wire.schema.json` before it is believed, so
a system in any language gets the same clear message for the same mistake. A system
that cannot be reached when a case is first opened is `SystemUnavailable` (nothing
was tested); anything wrong later (a timeout, a 500, non-JSON, a schema-invalid view)
is a `SystemFault`, which the oracle reports as a finding.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from stepcheck.oracle.system import SystemFault, SystemUnavailable
from stepcheck.oracle.types import CaseView, Reply

__all__ = ["HttpSystem", "http_factory", "view_from_wire", "view_to_wire", "wire_schema"]


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
            try:
                connection.request("POST", self._prefix + path, body=data, headers=_HEADERS)
                response = connection.getresponse()
                raw = response.read()
                break
            except TimeoutError as error:
                self._drop()
                raise SystemFault(f"POST {url} timed out after {self.timeout:g}s") from error
            except (OSError, http.client.HTTPException) as error:
                self._drop()
                if reused and attempt == 0:
                    continue  # a kept-alive connection the server has since closed
                raise _Unreachable(f"cannot reach the system at {url}: {error}") from error
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
        answer = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
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


def http_factory(base_url: str, *, timeout: float = 5.0) -> HttpSystem:
    """A factory target for `check_system`: a fresh adapter for the system at `base_url`."""
    return HttpSystem(base_url, timeout=timeout)
