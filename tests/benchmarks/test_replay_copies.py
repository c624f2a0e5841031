"""The long-log benchmark's copies: every row once per copy, under a new case id."""

from __future__ import annotations

from benchmarks.replay_copies import copied_log


def test_each_copy_renames_its_cases_and_keeps_the_rest():
    log = "case,time,event\nc1,2026-12-07T09:00,refer\nc2,2026-12-07T10:00,a,b\n"
    assert copied_log(log, 2) == (
        "case,time,event\n"
        "c1-0,2026-12-07T09:00,refer\nc2-0,2026-12-07T10:00,a,b\n"
        "c1-1,2026-12-07T09:00,refer\nc2-1,2026-12-07T10:00,a,b\n"
    )
