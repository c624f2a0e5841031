"""The replay benchmark's optional engines skip with a note when their package is missing."""

from __future__ import annotations

import sys

from benchmarks.replay_peers import dask_cluster, pm4py_status


def test_pm4py_missing_is_a_note(monkeypatch):
    monkeypatch.setitem(sys.modules, "pm4py", None)
    monkeypatch.setenv("PM4PY_SHOW_PROGRESS_BAR", "False")  # so the test leaves it as it was
    assert "stepcheck[bench]" in (pm4py_status() or "")


def test_dask_missing_is_a_note(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with dask_cluster(2) as scheduler:
        assert scheduler is None
    assert "stepcheck[dask]" in capsys.readouterr().out
