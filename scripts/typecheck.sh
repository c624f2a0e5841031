#!/usr/bin/env bash
# mypy --strict over the installed layout: stepcheck/{spec,checker,oracle,diagrams} are
# mapped from top-level folders by setuptools' package-dir, which mypy cannot follow, so
# mirror that layout with symlinks in a scratch folder and check it there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tree="$root/build/typecheck"
rm -rf "$tree" && mkdir -p "$tree/stepcheck"
for f in "$root"/stepcheck/*.py; do ln -s "$f" "$tree/stepcheck/"; done
for d in spec checker oracle diagrams; do ln -s "$root/$d" "$tree/stepcheck/$d"; done
cd "$tree"
exec "$root/.venv/bin/mypy" --config-file "$root/pyproject.toml" -p stepcheck
