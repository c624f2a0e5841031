"""numpy's request for huge pages, off within `ordinary_pages` and as before after."""

from __future__ import annotations

import pytest

from stepcheck.oracle.replay_pages import _setter, ordinary_pages


@pytest.mark.parametrize("before", [True, False])
def test_the_request_is_off_within_and_restored_after(before):
    switch = _setter()
    assert switch is not None, "numpy keeps its switch where it is looked for"
    original = switch(before)
    try:
        with ordinary_pages():
            assert switch(False) is False  # it was off
        assert switch(before) is before  # restored
        with pytest.raises(RuntimeError), ordinary_pages():
            raise RuntimeError
        assert switch(before) is before  # restored after an error too
    finally:
        switch(original)
