#!/usr/bin/env bash
# `make lower-bounds`: install stepcheck with every runtime dependency at the lowest
# version pyproject.toml allows (z3 included) into a fresh virtual environment in a
# temporary folder, and run the tests that load, validate, verify and test a system.
# Needs the package index; takes a few minutes. Usage: scripts/lower_bounds.sh [PYTHON]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$root" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$work/src"
"$python" "$root/scripts/lower_bounds.py" "$root" > "$work/lower.txt"
echo "lower bounds:"; sed 's/^/  /' "$work/lower.txt"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet -c "$work/lower.txt" -e "$work/src[oracle]"
"$work/venv/bin/python" -m pip list --format freeze | grep -i -E "^($(cut -d= -f1 "$work/lower.txt" | paste -sd'|'))==" || true
cd "$work/src"
HYPOTHESIS_PROFILE=lower-bounds "$work/venv/bin/python" -m pytest -p no:cacheprovider -q \
    tests/spec/test_loader.py tests/spec/test_workdays.py tests/hostile/test_all_at_once.py \
    tests/hostile/test_public_api.py tests/hostile/test_bad_contents.py \
    tests/cli/test_verify_cli.py tests/oracle/test_executor.py
