"""Print a pip constraints file that pins every runtime dependency (and the `oracle`
extra's) to the lowest version pyproject.toml allows, for `make lower-bounds`.

A dependency without a lower bound is an error: "lower bounds everywhere" is checked
here as well as by tests/hostile/test_packaging.py.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_LOWER = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(?:>=|~=|==)\s*([0-9][0-9A-Za-z.]*)")


def lower_bounds(pyproject: Path) -> list[str]:
    """`name==version` for each runtime and `oracle` dependency, in pyproject's order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["oracle"]]
    pins = []
    for requirement in wanted:
        found = _LOWER.match(requirement)
        if found is None:
            raise SystemExit(f"{requirement!r} has no lower bound")
        pins.append(f"{found.group(1)}=={found.group(3)}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    print("\n".join(lower_bounds(root / "pyproject.toml")))
