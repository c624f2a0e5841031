"""The first notable cases of a report picked by their ids' prefixes
(`replay_cases._Picked._first`) against a full sort of the ids."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_case_table import CaseTable, prefix
from stepcheck.oracle.replay_cases import Named, _Picked

_IDS = st.one_of(
    st.text(max_size=12),  # any code point, a lone surrogate too
    st.text(alphabet="C0123456789-", max_size=14),  # many alike in their first 8 bytes
    st.sampled_from(["", "C1", "C1\0", "C10", "C0000000", "C00000001", "é", "\uffff"]),
)


@settings(max_examples=200, deadline=None)
@given(
    groups=st.lists(st.lists(_IDS, max_size=25, unique=True), min_size=1, max_size=4),
    explicit=st.lists(_IDS, max_size=5),
    count=st.integers(1, 40),
    data=st.data(),
)
def test_the_first_are_those_of_a_full_sort(groups, explicit, count, data):
    table = CaseTable()
    parts = [(explicit, np.arange(len(explicit)))]
    names = list(explicit)
    for group in groups:
        numbers = table.add_names(group)
        ks = np.array(
            sorted(
                data.draw(st.sets(st.integers(0, max(len(group) - 1, 0)))) & set(range(len(group)))
            ),
            np.int64,
        )
        parts.append((Named(numbers, table.names()), ks))
        names += [group[k] for k in ks.tolist()]
    places = [1000 + i for i in range(len(names))]  # places are not positions
    picked = _Picked(None, places, parts)  # type: ignore[arg-type]
    count = min(count, len(names))
    if not count:
        return
    expected = [places[i] for i in sorted(range(len(names)), key=names.__getitem__)[:count]]
    assert picked._first(count) == expected
    assert picked._names == names


@given(one=_IDS, other=_IDS)
def test_a_prefix_never_orders_two_ids_the_other_way(one, other):
    if one < other:
        assert prefix(one) <= prefix(other)
    table = CaseTable()
    numbers = table.add_names([one, other])
    assert table.names().prefixes(numbers).tolist() == [prefix(one), prefix(other)]
