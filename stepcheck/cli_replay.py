"""`stepcheck replay` (audit logs against a spec) and `stepcheck simulate` (logs to try it on).

replay exits 0 when every row is accepted and nothing is overdue, 1 on a violation or
a malformed row, 2 on bad input (a spec, a missing or unreadable log, an unknown
mapped column, a pseudonym without a key): one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Final

import click
from attrs import evolve

from stepcheck.cli_common import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATED, tier_option
from stepcheck.oracle import replay_size
from stepcheck.oracle.executor import Executor
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_dask import replay_dask
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_facts import check_fact_columns
from stepcheck.oracle.replay_formats import render_json, render_sarif
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_privacy import KEY_ENV, pseudonymiser, read_key
from stepcheck.oracle.replay_read import FORMATS, LogRead, read_logs
from stepcheck.oracle.replay_rows import (
    ColumnMap,
    LogError,
    parse_event_map,
    parse_mapping,
    parse_time,
)
from stepcheck.oracle.replay_simulate import (
    DEFAULT_START,
    PLANT_KINDS,
    render_plants,
    simulate,
)
from stepcheck.oracle.replay_simulate_formats import BINARY_FORMATS, in_format, log_bytes
from stepcheck.oracle.replay_write import render_csv, render_markdown, render_text
from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import render_diagnostics
from stepcheck.spec.model import ProtocolSpec, Reading
from stepcheck.spec.readings import choose_reading
from stepcheck.validation import validate_files

__all__ = ["replay_command", "simulate_command"]

_REPLAY_FORMATS = ("text", "json", "markdown", "sarif")
_READINGS = [reading.value for reading in Reading]
_ENGINES = ("auto", "compiled", "vector", "executor", "dask")
VECTOR_ABOVE: Final = 16 * 2**20
"""`--engine auto` takes the vector engine for logs larger than this in all (bytes on
disk): below it, the compiled engine's rows are done before the vector engine's
compiled code has loaded (about two seconds, BENCHMARKS.md)."""


@click.command(name="replay")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.argument("logs", metavar="LOG...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="CANONICAL=COLUMN,...",
    help="the log's column for each canonical one: case, time, event (required), "
    "owner, status, actor; e.g. case=case_id,time=timestamp,event=activity",
)
@click.option(
    "--map-file",
    type=click.Path(path_type=Path),
    help="the mapping as a file: one CANONICAL=COLUMN per line, # comments",
)
@click.option(
    "--event-map",
    type=click.Path(path_type=Path),
    help="the log's names for the spec's steps: one LOG NAME=STEP per line, # comments",
)
@click.option(
    "--log-format", type=click.Choice(FORMATS), help="default: from the file name's suffix"
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_REPLAY_FORMATS),
    default="text",
    show_default=True,
)
@click.option(
    "--timelines",
    is_flag=True,
    help="text, markdown: every case's status and owner over time, not only open ones",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write here, not stdout")
@click.option(
    "--violations-csv",
    type=click.Path(path_type=Path),
    help="also write every violation as CSV to this file",
)
@click.option(
    "--reading",
    type=click.Choice(_READINGS),
    default=Reading.SHOULD.value,
    show_default=True,
    help="which rules bind: must only, or must and should",
)
@click.option(
    "--as-of",
    metavar="TIME",
    help="the end of the log, for obligations still open  [default: the last time in the logs]",
)
@click.option(
    "--pseudonymise",
    is_flag=True,
    help=f"replace case ids by a keyed hash (key: --key-file or ${KEY_ENV})",
)
@click.option("--key-file", type=click.Path(path_type=Path), help="the pseudonym key")
@click.option(
    "--engine",
    type=click.Choice(_ENGINES),
    default="auto",
    show_default=True,
    help="auto: vector for logs over 16 MiB in all, else compiled; "
    "compiled: the spec as a transition table, cases with a finding explained by the "
    "executor; vector: the same table, all cases advanced together over columns read by "
    "pyarrow (numpy); executor: every case through the executor; dask: the compiled engine on a "
    "Dask cluster (needs stepcheck[dask]); the same output from each",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="--engine dask: a running Dask scheduler  [default: start a local cluster]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="--engine dask: worker processes of the local cluster",
)
@tier_option
def replay_command(  # noqa: PLR0917 - click passes every option as a parameter
    spec_path: Path,
    logs: tuple[Path, ...],
    mapping: tuple[str, ...],
    map_file: Path | None,
    event_map: Path | None,
    log_format: str | None,
    output_format: str,
    timelines: bool,
    output: Path | None,
    violations_csv: Path | None,
    reading: str,
    as_of: str | None,
    pseudonymise: bool,
    key_file: Path | None,
    engine: str,
    scheduler: str | None,
    workers: int,
    tiers: tuple[str, ...],
) -> None:
    """Replay audit LOGs (CSV, JSON Lines, XES, Parquet) against SPEC, case by case.

    Each row is accepted, a violation (citing the rule it breaks) or malformed; the
    report also lists obligations still open at the end and stretches with no
    responsible owner. Rows are ordered per case by time; naive times are
    Europe/London. `--engine dask` plays the cases on a Dask cluster, with the
    same output. See oracle/REPLAY.md. Exit 0 clean, 1 violations or malformed
    rows, 2 bad input.
    """
    if key_file is not None and not pseudonymise:
        raise LogError("--key-file is only used with --pseudonymise")
    if engine != "dask" and scheduler is not None:
        raise LogError("--scheduler is only used with --engine dask")
    check_writable([path for path in (output, violations_csv) if path is not None])
    spec = choose_reading(_load(spec_path), tiers)
    pairs = [*_lines(map_file, "mapping"), *mapping]
    columns = parse_mapping(pairs)
    check_fact_columns(spec, columns)
    if event_map is not None:
        steps = frozenset(Executor(spec).steps)
        columns = evolve(columns, events=parse_event_map(_lines(event_map, "event map"), steps))
    case_id = pseudonymiser(read_key(key_file, os.environ)) if pseudonymise else str
    end = _as_of(as_of)
    if _chosen(engine, logs, log_format) == "vector":
        report = _vector(spec, logs, columns, log_format, case_id, Reading(reading), end)
    else:
        read = _read(logs, columns, log_format, case_id)
        report = _replayed(spec, read, Reading(reading), end, engine, scheduler, workers)
    match output_format:
        case "json":
            text = render_json(report)
        case "markdown":
            text = render_markdown(report, timelines=timelines)
        case "sarif":
            text = render_sarif(report)
        case _:
            text = render_text(report, timelines=timelines)
    if violations_csv is not None:
        write_file(violations_csv, render_csv(report.findings))
    if output is not None:
        write_file(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_OK if report.clean else EXIT_VIOLATED)


@click.command(name="simulate")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option("--cases", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--plant",
    "plants",
    multiple=True,
    type=click.Choice(PLANT_KINDS),
    help="plant this kind of violation, in every third case in turn (repeatable)",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write here, not stdout")
@click.option(
    "--plants-file",
    type=click.Path(path_type=Path),
    help="where to list the planted violations  [default: OUTPUT.plants.json]",
)
@click.option("--log-format", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--reading", type=click.Choice(_READINGS), default=Reading.SHOULD.value)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=DEFAULT_START.isoformat(),
    show_default=True,
    help="cases start on working days in the 300 days from this date",
)
@tier_option
def simulate_command(  # noqa: PLR0917 - click passes every option as a parameter
    spec_path: Path,
    cases: int,
    seed: int,
    plants: tuple[str, ...],
    output: Path | None,
    plants_file: Path | None,
    log_format: str,
    reading: str,
    start: datetime,
    tiers: tuple[str, ...],
) -> None:
    """Write a realistic audit log of SPEC's cases from the reference executor.

    Deterministic from --seed; the log uses the canonical columns, so `stepcheck
    replay SPEC LOG` needs no mapping, and a log with no --plant replays clean.
    """
    sidecar = plants_file
    if sidecar is None and plants and output is not None:
        sidecar = output.with_name(output.name + ".plants.json")
    if plants and sidecar is None:
        raise LogError("--plant writes a sidecar: give --output or --plants-file")
    check_writable([path for path in (output, sidecar) if path is not None])
    spec = choose_reading(_load(spec_path), tiers)
    made = simulate(
        spec,
        cases=cases,
        seed=seed,
        plants=plants,
        reading=Reading(reading),
        start=date(start.year, start.month, start.day),
    )
    if output is None and log_format in BINARY_FORMATS:
        raise LogError(f"--log-format {log_format} is not text: give --output")
    made = in_format(made, log_format)
    data = log_bytes(made, log_format)
    if sidecar is not None:
        write_file(sidecar, render_plants(made))
    if output is not None:
        write_file(output, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def _replayed(  # noqa: PLR0917 - the options that choose and run an engine
    spec: ProtocolSpec,
    read: LogRead,
    reading: Reading,
    end: datetime | None,
    engine: str,
    scheduler: str | None,
    workers: int,
) -> ReplayReport:
    """The report of the chosen engine; every engine gives the same one."""
    if engine == "dask":
        return replay_dask(
            spec, read, reading=reading, as_of=end, scheduler=scheduler, workers=workers
        )
    if engine == "executor":
        return replay(spec, read, reading=reading, as_of=end)
    return replay_compiled(spec, read, reading=reading, as_of=end)


def _vector(  # noqa: PLR0917 - the reading options and the replay's
    spec: ProtocolSpec,
    logs: tuple[Path, ...],
    columns: ColumnMap,
    log_format: str | None,
    case_id: Callable[[str], str],
    reading: Reading,
    end: datetime | None,
) -> ReplayReport:
    """`--engine vector`: CSV and Parquet logs up to `STREAM_ABOVE` bytes read whole as
    columns when nothing in them is unusual; any other log in blocks and shares, in
    bounded memory (the row reader reading what the column readers are not sure of);
    a log the blocks cannot take (facts, a header lacking a column) by the row reader
    whole, which says what is wrong. numpy and pyarrow load only here."""
    from stepcheck.oracle.replay_pages import (  # noqa: PLC0415
        ordinary_pages,
        without_cycle_collection,
    )

    # numpy's huge pages cost more in the kernel than they save; the cycle collector
    # would walk every row record and report made, again and again, and every object
    # of the modules loaded here, which live as long as the process (`replay_pages`)
    with ordinary_pages(), without_cycle_collection():
        # imported here: pyarrow and numpy take a moment to load, and only this engine
        # needs them
        from stepcheck.oracle.numba_start import load_numba_arrays  # noqa: PLC0415
        from stepcheck.oracle.replay_columns import from_read  # noqa: PLC0415
        from stepcheck.oracle.replay_columns_parquet import read_columns  # noqa: PLC0415
        from stepcheck.oracle.replay_stream import STREAM_ABOVE, replay_streamed  # noqa: PLC0415
        from stepcheck.oracle.replay_vector_report import replay_vector  # noqa: PLC0415

        load_numba_arrays()  # without SciPy's 0.2 s, which no kernel uses (numba_start)
        log = None
        if replay_size.log_bytes(logs, log_format) <= STREAM_ABOVE:
            log = read_columns(list(logs), columns, log_format=log_format, case_id=case_id)
        if log is None:  # long, or something unusual in it: block by block
            shown = _progress() if sys.stderr.isatty() else None
            streamed = replay_streamed(
                spec, logs, columns, reading=reading, as_of=end, case_id=case_id,
                log_format=log_format, progress=shown,
            )  # fmt: skip
            if shown is not None:
                sys.stderr.write("\r\x1b[K")
            if streamed is not None:
                return streamed
            log = from_read(_read(logs, columns, log_format, case_id))
        return replay_vector(spec, log, reading=reading, as_of=end)


def _chosen(engine: str, logs: tuple[Path, ...], log_format: str | None) -> str:
    """The engine `--engine` names; for `auto`, vector when the logs weigh over
    `VECTOR_ABOVE` (bytes on disk, a Parquet row as 100: `replay_size.log_bytes`),
    else compiled."""
    if engine != "auto":
        return engine
    return "vector" if replay_size.log_bytes(logs, log_format) > VECTOR_ABOVE else "compiled"


def _read(
    logs: tuple[Path, ...],
    columns: ColumnMap,
    log_format: str | None,
    case_id: Callable[[str], str],
) -> LogRead:
    """Every log's rows, with a progress line on a terminal that is cleared at the end."""
    shown = _progress() if sys.stderr.isatty() else None
    read = read_logs(logs, columns, log_format=log_format, case_id=case_id, progress=shown)
    if shown is not None:
        sys.stderr.write("\r\x1b[K")
    return read


def _progress() -> Callable[[int], None]:
    """A line on the terminal, rewritten as rows are read: how many, and how fast. It
    goes to stderr only, so no output file or verdict depends on the clock."""
    started = time.monotonic()

    def show(rows: int) -> None:
        rate = rows / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\rreading logs: {rows:,} rows, {rate:,.0f} rows/s\x1b[K")
        sys.stderr.flush()

    return show


def _load(path: Path) -> ProtocolSpec:
    (result,) = validate_files([path])
    if result.spec is None:
        click.echo(render_diagnostics(result.diagnostics), err=True, nl=False)
        sys.exit(EXIT_BAD_INPUT)
    return result.spec


def _lines(path: Path | None, what: str) -> list[str]:
    """The non-blank lines of a mapping file, comments (`#` to the end) removed."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LogError(f"{path}: cannot read the {what} ({error})") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        if "=" not in content:
            raise LogError(f"{path}:{number}: expected NAME=VALUE in the {what}")
        lines.append(content)
    return lines


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = parse_time(text)
    if isinstance(parsed, str):
        raise LogError(f"--as-of: {parsed}")
    return parsed[1]
