"""The service over HTTP/JSON on localhost, with the standard library only.

    python -m examples.casework.server --port 0 [--bug NAME ...]

prints `listening on http://127.0.0.1:<port>` (port 0 picks a free one) and serves
until interrupted or sent SIGTERM, then shuts down cleanly. The API is stepcheck's
wire format (oracle/WIRE.md): POST /cases, POST /cases/{id}/steps, DELETE /cases/{id};
the loop is shared with the other example (`examples/wire_server.py`).
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer

from examples import wire_server
from examples.casework.service import BUGS, Casework

__all__ = ["main", "make_server"]


def make_server(port: int, bugs: list[str]) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:`port` (0: any free port), not yet serving."""
    return wire_server.make_server(port, Casework(bugs))


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; exit 0 after a clean shutdown, 2 on bad arguments."""
    return wire_server.serve("python -m examples.casework.server", BUGS, Casework, argv)


if __name__ == "__main__":
    sys.exit(main())
