"""Output files: refused before the work when they can never be written, written whole."""

from __future__ import annotations

import pytest

from stepcheck.outputs import check_writable, write_file
from stepcheck.spec.diagnostics import StepcheckError


def test_a_path_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StepcheckError, match="is not a folder"):
        check_writable([blocker / "out.json"])


def test_a_folder_given_as_a_file_is_refused(tmp_path):
    with pytest.raises(StepcheckError, match="it is a folder"):
        check_writable([tmp_path])


def test_missing_folders_under_a_writable_one_are_fine_and_made_on_writing(tmp_path):
    target = tmp_path / "a" / "b" / "out.json"
    check_writable([target], tmp_path / "c")
    write_file(target, "text")
    assert target.read_text(encoding="utf-8") == "text"


def test_a_write_that_fails_is_a_stepcheck_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StepcheckError, match="cannot write output"):
        write_file(blocker / "out.json", "text")
