#!/usr/bin/env bash
# Install the system programs stepcheck uses where this machine allows it (Debian, as
# root): Graphviz's `dot` for SVG and PNG diagrams, Chromium, which the report's
# browser test drives headless, and SPIN, the model checker the Promela export is
# checked with (it needs gcc too). Elsewhere, say what is missing and carry on:
# stepcheck then writes DOT and Mermaid text and says how to get SVG, and the browser
# and SPIN tests are skipped with their reasons.
set -u
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v spin >/dev/null 2>&1 || missing+=(spin)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)  # SPIN writes C that gcc compiles
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    exit 0
  fi
  echo "warning: could not install ${missing[*]} with apt-get; continuing without them" >&2
else
  echo "note: ${missing[*]} not installed and this machine does not allow installing it here;" \
       "install it with your package manager for SVG/PNG diagrams (graphviz), the" \
       "report's browser test (chromium) and the SPIN cross-check (spin, gcc)" >&2
fi
exit 0
