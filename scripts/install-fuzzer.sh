#!/usr/bin/env bash
# Installs Schemathesis (PyPI), the API fuzzer of the test suite, into a virtual environment in
# the per-user tools cache, keyed by version. Idempotent: later runs only check it is there.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
dir="$cache/schemathesis-$SCHEMATHESIS_VERSION"
mkdir -p "$cache" "$root/.tools"
# A venv's scripts name their interpreter by path, so it is built in place; the stamp file
# marks a finished install (an interrupted one is started again).
if [ ! -f "$dir/.installed" ]; then
  command -v python3 >/dev/null || { echo "[fuzzer] ERROR: Python 3 is required (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
  echo "[fuzzer] installing schemathesis==$SCHEMATHESIS_VERSION from PyPI into $dir (first time only)" >&2
  rm -rf "$dir"
  python3 -m venv "$dir" || { echo "[fuzzer] ERROR: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
  "$dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$dir/.installed"
fi
echo "SCHEMATHESIS=$dir/bin/schemathesis" > "$root/.tools/fuzzer.env"
echo "[fuzzer] ready: schemathesis $SCHEMATHESIS_VERSION" >&2
