"""The case table (`replay_case_table`) against a dict numbering the same ids."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle import replay_case_table
from stepcheck.oracle.replay_case_table import CaseIds, CaseTable, _stamp

_IDS = st.one_of(
    st.sampled_from(["C1", "C2", "C10", "", "a" * 40, "C1 ", "é", "C\n1"]),
    st.text(max_size=12),
    st.text(alphabet="C0123456789-", min_size=1, max_size=20),
)


def _spans(ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The ids' bytes joined, with a byte between each, and their spans."""
    data, spans, at = bytearray(), [], 0
    for value in ids:
        raw = value.encode("utf-8", "surrogatepass")
        data += raw + b","
        spans.append((at, at + len(raw)))
        at += len(raw) + 1
    return np.frombuffer(bytes(data) or b"\0", np.uint8), np.array(spans, np.int64).reshape(-1, 2)


def _expected(blocks: list[list[str]]) -> tuple[list[list[int]], list[str]]:
    numbers: dict[str, int] = {}
    return [[numbers.setdefault(v, len(numbers)) for v in block] for block in blocks], list(numbers)


@settings(max_examples=150, deadline=None)
@given(
    blocks=st.lists(st.lists(_IDS, max_size=30), max_size=8),
    as_names=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_numbers_are_those_of_first_reading(blocks: list[list[str]], as_names: list[bool]) -> None:
    table = CaseTable()
    got = []
    for block, by_name in zip(blocks, as_names, strict=False):
        if by_name:
            got.append(table.add_names(block).tolist())
        else:
            data, spans = _spans(block)
            ascii_only = all(value.isascii() for value in block)
            got.append(table.add_spans(data, spans, ascii_only=ascii_only).tolist())
    numbers, names = _expected(blocks)
    assert got == numbers
    ids = table.names()
    assert len(ids) == len(table) == len(names)
    assert list(ids) == names
    assert [ids[k] for k in range(len(ids))] == names
    assert list(ids[1::3]) == names[1::3]
    assert ids.take(np.arange(len(names))[::-1]) == names[::-1]


def test_a_snapshot_keeps_its_ids_while_the_table_grows() -> None:
    table = CaseTable()
    table.add_names(["first", "second"])
    before = table.names()
    table.add_names([f"C{i}" for i in range(20_000)])  # the slots, offsets and arena grow
    assert list(before) == ["first", "second"]
    assert len(table) == 20_002
    assert table.names()[20_001] == "C19999"


def _colliding(count: int) -> list[str]:
    """Ids whose stamps share their low 12 bits: one slot of a new table."""
    found, i = [], 0
    while len(found) < count:
        value = f"X{i}"
        raw = np.frombuffer(value.encode(), np.uint8)
        if _stamp(raw, 0, len(raw)) & 4095 == 0:
            found.append(value)
        i += 1
    return found


def test_ids_made_to_collide_fall_back_to_a_dict_with_the_same_numbers() -> None:
    table = CaseTable()
    table.add_names(["a", "b"])
    crafted = _colliding(80)  # more than the probes a slot is looked for
    blocks = [[*crafted[:40], "a"], ["c", *crafted, "b", "c"], ["d", crafted[70]]]
    got = [table.add_names(block).tolist() for block in blocks]
    numbers, names = _expected([["a", "b"], *blocks])
    assert got == numbers[1:]
    assert table._dict is not None  # the fallback was taken
    assert list(table.names()) == names


def test_past_the_most_slots_ids_are_numbered_in_a_dict_alike(monkeypatch) -> None:
    """A table that would need more than `_MOST_SLOTS` slots (a billion ids; here
    8,192) numbers the rest in a dict, the same numbers as ever, and grows no more."""
    monkeypatch.setattr(replay_case_table, "_MOST_SLOTS", 8192)
    table = CaseTable()
    blocks = [
        [f"C{i}" for i in range(3000)],
        [f"C{i}" for i in range(2000, 6000)],
        ["C3", "C5999", "D"],
    ]
    got = [table.add_names(block).tolist() for block in blocks]
    numbers, names = _expected(blocks)
    assert got == numbers
    assert table._dict is not None
    assert len(table._slots) == 8192
    assert list(table.names()) == names


def test_ids_alike_in_their_slot_word_are_told_apart_by_their_bytes() -> None:
    """A slot keeps 31 bits of an id's hash: two ids of one length found alike there
    (a birthday search finds a pair among some 10^5) still get two numbers."""
    seen: dict[int, str] = {}
    pair: tuple[str, str] | None = None
    for i in range(1_000_000):
        value = f"K{i:07d}"
        raw = np.frombuffer(value.encode(), np.uint8)
        tag = int(_stamp(raw, 0, len(raw))) & replay_case_table._TAG
        if tag in seen:
            pair = (seen[tag], value)
            break
        seen[tag] = value
    assert pair is not None
    table = CaseTable()
    assert table.add_names([pair[0], pair[1], pair[0], "x", pair[1]]).tolist() == [0, 1, 0, 2, 1]


def test_ids_are_decoded_alike_whether_ascii_or_not() -> None:
    table = CaseTable()
    table.add_names(["café", "C1"])
    ids = table.names()
    assert isinstance(ids, CaseIds)
    assert ids.take(np.array([1, 0])) == ["C1", "café"]
    assert ids[0] == "café"


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(_IDS, max_size=20),
    cut=st.tuples(st.integers(0, 5), st.integers(0, 5)),
    null=st.booleans(),
)
def test_arrow_arrays_are_numbered_from_their_buffers(values, cut, null):
    """A slice of an Arrow array (its buffers start before it), with or without a null
    (read through Python strings), numbered as its values."""
    import pyarrow as pa  # noqa: PLC0415 - only this test reads Arrow arrays

    whole = pa.array(["skip-me", *values, "and-me"] + ([None] if null else []), pa.string())
    part = whole.slice(1 + cut[0] % (len(values) + 1), max(len(values) - cut[1], 0) + null)
    table = CaseTable()
    table.add_names(["first"])
    numbers = {"first": 0}
    expected = [numbers.setdefault(v or "", len(numbers)) for v in part.to_pylist()]
    assert table.add_arrow(part).tolist() == expected
    assert list(table.names()) == list(numbers)
