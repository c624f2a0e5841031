"""`replay --engine dask`: a local two-process Dask cluster gives byte for byte the
single-process output, in every format, on simulated logs with planted violations;
partitions are deterministic; without Dask the engine says what to install (exit 2)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepcheck.cli import cli
from stepcheck.oracle.replay_dask import MISSING, partition, replay_dask
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_formats import render_json, render_sarif
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_read import LogRead, read_logs
from stepcheck.oracle.replay_rows import LogError, LogRow, parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.oracle.replay_write import render_csv, render_markdown, render_text
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

distributed = pytest.importorskip("dask.distributed")

AUTHORITIES = ("devon", "somerset")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local cluster of two worker processes, for this module only."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def _outputs(report: ReplayReport) -> tuple[str, ...]:
    return (
        render_text(report, timelines=True),
        render_markdown(report, timelines=True),
        render_json(report),
        render_sarif(report),
        render_csv(report.findings),
    )


def _planted(tmp_path: Path, name: str) -> tuple[Path, LogRead]:
    spec_path = Path(f"spec/authorities/{name}.yaml")
    made = simulate(load_spec(spec_path), cases=18, seed=7, plants=("from", "guard", "deadline"))
    log = tmp_path / f"{name}.csv"
    text = render_log(made)
    # A malformed row and a duplicate, so every list of the report has something in it.
    lines = text.splitlines(keepends=True)
    log.write_text(text + lines[1] + "x,not a time,nothing\n", encoding="utf-8")
    return spec_path, read_logs([log], parse_mapping(["status=status,owner=owner"]))


@pytest.mark.parametrize("name", AUTHORITIES)
@pytest.mark.parametrize("reading", [Reading.SHOULD, Reading.MUST])
def test_dask_equals_single_process(tmp_path, scheduler, name, reading):
    spec_path, read = _planted(tmp_path, name)
    spec = load_spec(spec_path)
    single = replay(spec, read, reading=reading)
    spread = replay_dask(spec, read, reading=reading, scheduler=scheduler)
    assert single.findings, "the plants must show"
    assert single.malformed
    assert spread == single
    assert _outputs(spread) == _outputs(single)


def test_cli_dask_output_and_violations_csv_are_identical(tmp_path, scheduler):
    spec_path, _ = _planted(tmp_path, "devon")
    log = str(tmp_path / "devon.csv")
    base = ["replay", str(spec_path), log, "--format", "sarif"]
    runner = CliRunner()
    single = runner.invoke(cli, [*base, "--violations-csv", str(tmp_path / "s.csv")])
    spread = runner.invoke(
        cli,
        [
            *base,
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
            "--violations-csv",
            str(tmp_path / "d.csv"),
        ],
    )
    assert (single.exit_code, spread.exit_code) == (1, 1)
    assert spread.output == single.output
    assert (tmp_path / "d.csv").read_bytes() == (tmp_path / "s.csv").read_bytes()


def test_partitions_are_deterministic_and_cover_every_case():
    cases: dict[str, list[LogRow]] = {f"c{i}": [] for i in range(10)}
    parts = partition(cases, 4)
    assert parts == partition(dict(reversed(cases.items())), 4)
    assert sorted(case for part in parts for case in part) == sorted(cases)
    assert len(partition(cases, 40)) == 10


def test_without_dask_the_engine_says_what_to_install(tmp_path, monkeypatch):
    spec_path, read = _planted(tmp_path, "devon")
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(LogError, match=r"stepcheck\[dask\]"):
        replay_dask(load_spec(spec_path), read)
    result = CliRunner().invoke(
        cli, ["replay", str(spec_path), str(tmp_path / "devon.csv"), "--engine", "dask"]
    )
    assert result.exit_code == 2
    assert MISSING in result.output


def test_scheduler_needs_the_dask_engine(tmp_path):
    spec_path, _ = _planted(tmp_path, "devon")
    result = CliRunner().invoke(
        cli, ["replay", str(spec_path), str(tmp_path / "devon.csv"), "--scheduler", "x:1"]
    )
    assert result.exit_code == 2
    assert "--engine dask" in result.output


def test_a_log_with_no_replayable_case_is_the_same_on_dask(tmp_path, scheduler):
    log = tmp_path / "bad.csv"
    log.write_text("case,time,event\nc1,not a time,x\nc2,2026-12-07T09:00,no_such_event\n")
    read = read_logs([log], parse_mapping([]))
    spec = load_spec(Path("spec/authorities/devon.yaml"))
    single = replay(spec, read)
    assert single.totals.malformed == 2
    assert replay_dask(spec, read, scheduler=scheduler) == single
