#!/usr/bin/env bash
# Build the sdist and the wheel into OUT (default dist/) from a copy of the tracked
# files in a temporary folder, so the source tree gets no build/ or *.egg-info, and
# fail on any setuptools warning. `python -m build` builds the wheel from the sdist,
# which also proves the sdist is complete. Usage: scripts/build_dist.sh [OUT] [PYTHON]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)
python=${2:-$root/.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    # tracked and new files, not ignored ones (.venv, out/, caches)
    (cd "$root" && git ls-files -z --cached --others --exclude-standard) |
        (cd "$root" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$work"
else
    (cd "$root" && tar -cf - --exclude=.venv --exclude=out --exclude=build --exclude=dist \
        --exclude='*.egg-info' --exclude=__pycache__ .) | tar -xf - -C "$work"
fi
log="$work/build.log"
if ! (cd "$work" && env -u PYTHONDONTWRITEBYTECODE "$python" -m build --outdir "$out" . >"$log" 2>&1); then
    cat "$log"
    exit 1
fi
if grep -n -i -E "warning|would be ignored" "$log"; then
    echo "build_dist.sh: the build printed warnings (above)" >&2
    exit 1
fi
ls "$out"
