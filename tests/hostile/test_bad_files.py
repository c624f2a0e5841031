"""Bad spec files given to every command that reads specs: refused with a located
SPEC code and exit 2, never a traceback or a wait.

The FIFO and `/dev/zero` cases run in a subprocess with a timeout, since a regression
there hangs (a FIFO waited for a writer; `/dev/zero` was read until memory ran out).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus import TINY, assert_refused, in_process, in_subprocess

from stepcheck.spec.files import MAX_INPUT_BYTES


def _command(name: str, spec: Path, tmp_path: Path) -> list[str]:
    """The arguments that make command `name` read `spec`, writing only under tmp_path."""
    match name:
        case "report":
            return ["report", str(spec), "-o", str(tmp_path / "report.html")]
        case "verify":
            return ["verify", "--no-cache", "--jobs", "1", str(spec)]
        case _:
            return [name, str(spec)]


COMMANDS = ["validate", "verify", "coverage", "diagram", "report", "compare", "export"]


def _empty(folder: Path) -> Path:
    path = folder / "empty.yaml"
    path.write_bytes(b"")
    return path


def _binary(folder: Path) -> Path:
    path = folder / "binary.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    return path


def _utf16(folder: Path) -> Path:
    path = folder / "utf16.yaml"
    path.write_bytes(TINY.encode("utf-16"))
    return path


def _invalid_utf8(folder: Path) -> Path:
    path = folder / "invalid_utf8.yaml"
    path.write_bytes(TINY.encode("utf-8") + b"notes: \xc3\x28\n")
    return path


def _huge(folder: Path) -> Path:
    path = folder / "huge.yaml"
    line = b"# " + b"x" * 1021 + b"\n"
    path.write_bytes(TINY.encode("utf-8") + line * (MAX_INPUT_BYTES // len(line) + 1))
    return path


def _deep(folder: Path) -> Path:
    path = folder / "deep.yaml"
    path.write_text("stepcheck: 1\nauthority: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    return path


def _folder(folder: Path) -> Path:
    path = folder / "folder.yaml"
    path.mkdir()
    return path


def _symlink_loop(folder: Path) -> Path:
    path = folder / "loop.yaml"
    path.symlink_to(path.name)
    return path


def _missing(folder: Path) -> Path:
    return folder / "missing.yaml"


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (_empty, "SPEC002"),
    "binary": (_binary, "SPEC003"),
    "utf16": (_utf16, "SPEC003"),
    "invalid_utf8": (_invalid_utf8, "SPEC003"),
    "huge": (_huge, "SPEC009"),
    "deep": (_deep, "SPEC001"),
    "folder": (_folder, "SPEC009"),
    "symlink_loop": (_symlink_loop, "SPEC009"),
    "missing": (_missing, "SPEC009"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_spec_file_is_refused_with_its_location(kind, command, tmp_path):
    make, code = BAD_FILES[kind]
    spec = make(tmp_path)

    outcome = in_process(_command(command, spec, tmp_path))

    assert_refused(outcome, located=True, mentions=code)
    assert str(spec) in outcome.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
@pytest.mark.parametrize("command", ["validate", "verify"])
def test_an_unreadable_spec_is_refused(command, tmp_path):
    spec = tmp_path / "unreadable.yaml"
    spec.write_text(TINY, encoding="utf-8")
    spec.chmod(0)

    outcome = in_process(_command(command, spec, tmp_path))

    assert_refused(outcome, located=True, mentions="SPEC009")


@pytest.mark.parametrize("command", ["validate", "verify", "coverage"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(command, tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)

    outcome = in_subprocess(_command(command, fifo, tmp_path))

    assert_refused(outcome, located=True, mentions="FIFO", bound=60)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_without_reading_it(device, tmp_path):
    if not Path(device).exists():
        pytest.skip(f"no {device} here")

    outcome = in_subprocess(["validate", device])

    assert_refused(outcome, located=True, mentions="device", bound=60)


def test_a_results_file_that_is_a_fifo_is_refused(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)

    outcome = in_subprocess(
        ["report", str(spec), "--results", str(fifo), "-o", str(tmp_path / "r.html")]
    )

    assert_refused(outcome, mentions="FIFO", bound=60)


def test_an_empty_path_is_not_the_current_folder(tmp_path):
    """click reads "" as "."; `validate ""` once checked every spec under the folder."""
    (tmp_path / "broken.yaml").write_text("stepcheck: [", encoding="utf-8")

    outcome = in_subprocess(["validate", ""], cwd=tmp_path)

    assert_refused(outcome, mentions="empty", bound=60)
    assert "broken.yaml" not in outcome.output


def test_a_bom_is_read_as_utf8_and_the_spec_loads(tmp_path):
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + TINY.encode("utf-8"))

    outcome = in_process(["validate", str(spec)])

    assert outcome.code == 0, outcome.output


def test_a_folder_holding_a_fifo_and_a_symlink_loop_is_scanned_without_waiting(tmp_path):
    (tmp_path / "good.yaml").write_text(TINY, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")

    outcome = in_subprocess(["validate", str(tmp_path)])

    assert outcome.code == 0, outcome.output
    assert "good.yaml" in outcome.output
    assert outcome.seconds < 60
