"""The vector benchmark's rows: the engines agree on a small copied log, and it says so."""

from __future__ import annotations

import re

from benchmarks.replay_vector import HEADER, vector_parts, vector_row


def test_a_small_copied_log_gives_one_row_of_the_table():
    row = vector_row("hertfordshire", 6, 2, pm4py=False)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == HEADER.splitlines()[0].count("|") - 1
    assert cells[0] == "hertfordshire"
    assert re.fullmatch(r"[\d.]+x", cells[6])


def test_the_parts_are_a_cold_and_a_warm_run():
    lines = vector_parts("devon", 4, 2).splitlines()
    assert [line.split("|")[2].strip() for line in lines] == ["cold", "warm"]
