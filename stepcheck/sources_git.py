"""Two versions of some specs to compare: from files and folders, or from a git revision.

`stepcheck diff OLD NEW` compares files (or folders of them) on disk; `stepcheck diff
--base REV PATH...` compares each PATH in the working tree with the same path at
revision REV, read with `git show REV:path` (never by checking anything out). Specs
are paired by authority id, so a folder comparison survives renamed files.

A spec that does not load stops the comparison with its located diagnostics (exit 2);
a revision git does not know is one clear line, also exit 2.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from stepcheck.spec.diagnostics import Diagnostic, SpecInvalid, StepcheckError
from stepcheck.spec.loader import SPEC_SUFFIXES, find_spec_files, load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec

__all__ = ["from_git", "from_paths", "paired"]

Pairing = list[tuple[str, ProtocolSpec | None, ProtocolSpec | None]]


def from_paths(paths: Sequence[Path]) -> list[ProtocolSpec]:
    """Every spec in `paths` (files or folders); all diagnostics raised together."""
    return _loaded([(str(path), None) for path in find_spec_files(paths)])


def from_git(revision: str, paths: Sequence[Path]) -> list[ProtocolSpec]:
    """Every spec under `paths` as it was at `revision` (a path absent then is skipped)."""
    found: list[tuple[str, bytes | None]] = []
    for path in paths:
        root = _toplevel(path)
        inside = PurePosixPath(path.resolve().relative_to(root).as_posix())
        _check_revision(root, revision)
        listed = _git(root, "ls-tree", "-r", "--name-only", revision, "--", str(inside))
        for name in sorted(listed.decode("utf-8").splitlines()):
            if PurePosixPath(name).suffix in SPEC_SUFFIXES:
                raw = _git(root, "show", f"{revision}:{name}")
                shown = _shown_as(path, inside, PurePosixPath(name))
                found.append((f"{revision}:{shown}", raw))
    return _loaded(found)


def paired(old: Sequence[ProtocolSpec], new: Sequence[ProtocolSpec]) -> Pairing:
    """(authority, old, new) for every authority in either list, sorted by authority.

    Raises:
        StepcheckError: two specs of one side name the same authority.
    """
    before, after = _by_authority(old, "old"), _by_authority(new, "new")
    return [
        (authority, before.get(authority), after.get(authority))
        for authority in sorted(before.keys() | after.keys())
    ]


def _by_authority(specs: Sequence[ProtocolSpec], side: str) -> dict[str, ProtocolSpec]:
    found: dict[str, ProtocolSpec] = {}
    for spec in specs:
        authority = spec.authority.id
        if authority in found:
            raise StepcheckError(
                f"two {side} specs are both authority '{authority}': "
                f"{found[authority].path} and {spec.path}; compare them one at a time"
            )
        found[authority] = spec
    return found


def _loaded(files: list[tuple[str, bytes | None]]) -> list[ProtocolSpec]:
    specs: list[ProtocolSpec] = []
    problems: list[Diagnostic] = []
    for name, raw in files:
        try:
            specs.append(load_spec(name) if raw is None else load_spec_text(raw, name))
        except SpecInvalid as invalid:
            problems.extend(invalid.diagnostics)
    if problems:
        raise SpecInvalid(problems)
    return specs


def _shown_as(given: Path, inside: PurePosixPath, name: PurePosixPath) -> str:
    """`name` (relative to the repository) as the user wrote the path it is under."""
    if str(inside) == ".":
        return (given / name).as_posix()
    return (given / name.relative_to(inside)).as_posix() if given.is_dir() else given.as_posix()


def _toplevel(path: Path) -> Path:
    where = path if path.is_dir() else path.parent
    if not where.exists():
        raise StepcheckError(f"{path}: no such file or folder")
    return Path(_git(where, "rev-parse", "--show-toplevel").decode("utf-8").strip()).resolve()


def _check_revision(root: Path, revision: str) -> None:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except StepcheckError:
        raise StepcheckError(f"--base {revision}: git knows no such revision") from None


def _git(where: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(where), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepcheckError(f"cannot run git: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StepcheckError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout
