"""YAML spec files -> `ProtocolSpec`: the only place that reads spec files.

Three stages, each collecting every problem: `yamlread` (safe YAML with locations),
`schema` (shape, against the shipped JSON Schema), `build` (names, references,
expressions). After schema errors, `build` still checks what they leave (`partial`),
so one run reports every problem. Any problem raises one `SpecInvalid` carrying all
of them, in file order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from stepcheck.spec.build import build_spec
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan, SpecInvalid, StepcheckError
from stepcheck.spec.files import MAX_INPUT_BYTES, FileRefused, read_input
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.partial import remainder, unrelated
from stepcheck.spec.schema import schema_problems
from stepcheck.spec.schema_kept import schema_problems_kept
from stepcheck.spec.yaml_kept import read_yaml_kept
from stepcheck.spec.yamlread import Document, read_yaml

__all__ = [
    "SPEC_SUFFIXES",
    "find_spec_files",
    "gather_spec_files",
    "load_spec",
    "load_spec_text",
    "shipped_folder",
    "shipped_names",
    "shipped_spec",
    "spec_problems",
]

SPEC_SUFFIXES = (".yaml", ".yml")

_Read = tuple[Document | None, list[Diagnostic]]


def load_spec(path: Path | str) -> ProtocolSpec:
    """Load one spec file.

    Raises:
        SpecInvalid: with every problem found, each located at file:line:col.
    """
    path = Path(path)
    try:
        raw = read_input(path)
    except FileRefused as refused:
        raise SpecInvalid([_file_problem(path, refused.reason)]) from None
    # A spec file is often read again unchanged: its parsed YAML is kept (`yaml_kept`),
    # and the schema's verdict when it found none (`schema_kept`).
    spec, problems = _load(raw, str(path), read=read_yaml_kept, kept=True)
    if problems or spec is None:
        raise SpecInvalid(problems)
    return spec


def load_spec_text(raw: bytes | str, file: str = "<text>") -> ProtocolSpec:
    """Load a spec from its bytes; `file` names it in diagnostics."""
    spec, problems = _load(raw.encode("utf-8") if isinstance(raw, str) else raw, file)
    if problems or spec is None:
        raise SpecInvalid(problems)
    return spec


def spec_problems(raw: bytes, file: str) -> list[Diagnostic]:
    """Every problem in a spec's bytes (empty when it loads)."""
    return _load(raw, file)[1]


def _load(
    raw: bytes,
    file: str,
    *,
    read: Callable[[bytes, str], _Read] = read_yaml,
    kept: bool = False,
) -> tuple[ProtocolSpec | None, list[Diagnostic]]:
    document, problems = read(raw, file)
    if document is None:
        return None, problems
    if not isinstance(document.data, dict):
        return None, schema_problems(document)
    problems = schema_problems_kept(document, raw, file) if kept else schema_problems(document)
    if not problems:
        return build_spec(document)
    # Every problem at once: what the schema's errors leave is checked too.
    rest = remainder(document)
    if rest is None:
        return None, problems
    later = [problem for problem in build_spec(rest.document)[1] if unrelated(problem, rest)]
    seen = {_identity(problem) for problem in problems}
    problems += [problem for problem in later if _identity(problem) not in seen]
    return None, sorted(problems, key=Diagnostic.sort_key)


def _identity(problem: Diagnostic) -> tuple[int, int, str, str]:
    return (problem.span.line, problem.span.column, problem.code, problem.message)


def find_spec_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand files and folders into the spec files they hold, sorted, each once.

    Raises:
        StepcheckError: a path that does not exist, or a folder with no spec in it.
    """
    found, problems = gather_spec_files(paths)
    if problems:
        raise StepcheckError(f"{problems[0].span.file}: {problems[0].message}")
    return found


def gather_spec_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[Diagnostic]]:
    """The spec files that `paths` hold, sorted, each once, and a located problem
    (SPEC009) for each path that does not exist or is a folder with no spec in it,
    so a command given many paths can check the others and report this one."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for given in paths:
        path = Path(given)
        if not str(given):
            # Path("") is ".", which would quietly check the current folder.
            problems.append(_path_problem(Path("''"), "the path is empty"))
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SPEC_SUFFIXES and p.is_file())
            if not inside:
                problems.append(_path_problem(path, "no spec files (*.yaml, *.yml) in this folder"))
            found.extend(inside)
        elif path.exists():
            found.append(path)
        elif (shipped := shipped_spec(str(given))) is not None:
            found.append(shipped)
        else:
            problems.append(_path_problem(path, "no such file or folder"))
    return list(dict.fromkeys(found)), problems


def shipped_folder() -> Path:
    """The folder of the authority specs that ship with stepcheck."""
    return Path(str(resources.files("stepcheck.spec").joinpath("authorities")))


def shipped_names() -> list[str]:
    """The names of the shipped authority specs (`devon`, ...), sorted."""
    return sorted(path.stem for path in shipped_folder().glob("*.yaml"))


def shipped_spec(name: str) -> Path | None:
    """The shipped spec called `name` (`devon`), or None: a bare name that is not a
    file here may name a shipped authority, so `stepcheck verify devon` works."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return None
    path = shipped_folder() / f"{name}.yaml"
    return path if path.is_file() else None


def _path_problem(path: Path, message: str) -> Diagnostic:
    return Diagnostic(
        code="SPEC009",
        message=message,
        span=SourceSpan(file=str(path), line=1, column=1),
        hint="check the path given on the command line; a shipped authority can be "
        f"named alone ({', '.join(shipped_names())})",
    )


def _file_problem(path: Path, reason: str) -> Diagnostic:
    return Diagnostic(
        code="SPEC009",
        message=f"cannot read the file: {reason}",
        span=SourceSpan(file=str(path), line=1, column=1),
        hint=f"a spec is a regular YAML file of at most {MAX_INPUT_BYTES // 2**20} MiB",
    )
