"""A simulated log in each format `replay` reads: CSV and JSON Lines as text
(`replay_simulate.render_log`), Parquet and XES here.

Parquet keeps the rows in the CSV's order, in the five canonical text columns. XES
groups events by case (one `<trace>` per case, in the order cases first appear), as
process-mining tools expect, so its rows are in another order than the CSV's: the
planted violations are renumbered to the XES document's order, and `replay` then
reports them at the rows the sidecar names.
"""

from __future__ import annotations

import io

import pyarrow as pa

from stepcheck.oracle.replay_rows import LONDON
from stepcheck.oracle.replay_simulate import Plant, SimRow, Simulated, render_log

__all__ = ["BINARY_FORMATS", "in_format", "log_bytes"]

BINARY_FORMATS = frozenset({"parquet"})
"""Formats that are not text: written to a file only, never to a terminal."""

_COLUMNS = ("case", "time", "event", "status", "owner")


def in_format(simulated: Simulated, log_format: str) -> Simulated:
    """The log as that format orders its rows (XES: by case), plants renumbered to match."""
    if log_format != "xes":
        return simulated
    first: dict[str, int] = {}
    for row in simulated.rows:
        first.setdefault(row.case, len(first))
    order = sorted(range(len(simulated.rows)), key=lambda i: (first[simulated.rows[i].case], i))
    position = {old + 1: new for new, old in enumerate(order, start=1)}
    plants = tuple(
        Plant(case=p.case, row=position[p.row], kind=p.kind, element=p.element)
        for p in simulated.plants
    )
    rows = tuple(simulated.rows[i] for i in order)
    return Simulated(rows=rows, plants=plants, seed=simulated.seed)


def log_bytes(simulated: Simulated, log_format: str) -> bytes:
    """The log's bytes in `log_format` (its rows already in that format's order)."""
    if log_format == "parquet":
        return _parquet(simulated.rows)
    if log_format == "xes":
        return _xes(simulated.rows).encode("utf-8")
    return render_log(simulated, log_format).encode("utf-8")


def _when(row: SimRow) -> str:
    return row.local.replace(tzinfo=LONDON).isoformat()


def _parquet(rows: tuple[SimRow, ...]) -> bytes:
    # imported here: pyarrow.parquet loads pyarrow.fs and ssl (about 60 ms), which a CSV
    # log never needs
    import pyarrow.parquet as pq  # noqa: PLC0415

    values = {
        "case": [row.case for row in rows],
        "time": [_when(row) for row in rows],
        "event": [row.event for row in rows],
        "status": [row.status for row in rows],
        "owner": [row.owner for row in rows],
    }
    table = pa.table({name: pa.array(values[name], type=pa.string()) for name in _COLUMNS})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _xes(rows: tuple[SimRow, ...]) -> str:
    # imported here: xml.sax.saxutils loads urllib.request, http.client and ssl (about
    # 45 ms), and every `stepcheck replay` imports this module for `in_format`
    from xml.sax.saxutils import quoteattr  # noqa: PLC0415

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">',
    ]
    case = None
    for row in rows:
        if row.case != case:
            if case is not None:
                lines.append("  </trace>")
            case = row.case
            lines.append("  <trace>")
            lines.append(f'    <string key="concept:name" value={quoteattr(row.case)}/>')
        lines.append("    <event>")
        lines.append(f'      <string key="concept:name" value={quoteattr(row.event)}/>')
        lines.append(f'      <date key="time:timestamp" value={quoteattr(_when(row))}/>')
        lines.append(f'      <string key="status" value={quoteattr(row.status)}/>')
        lines.append(f'      <string key="owner" value={quoteattr(row.owner)}/>')
        lines.append("    </event>")
    if case is not None:
        lines.append("  </trace>")
    lines.append("</log>")
    return "\n".join(lines) + "\n"
