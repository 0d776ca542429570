#!/usr/bin/env bash
# Builds a real Temporal server (not the CLI's dev server) for `npm run cluster`, from its Go
# module go.temporal.io/server at a pinned version, the way install-tools.sh builds FerretDB:
#   - temporal-server     (go.temporal.io/server/cmd/server)      the server, all services in one process
#   - temporal-sql-tool   (go.temporal.io/server/cmd/tools/sql)   creates and migrates the SQL schemas
#   - schema/             the PostgreSQL schema files of the same module version (v12 plugin)
# v1.30.9 and later need a newer Go than this machine's 1.26.8, and v1.31 a module the proxy
# refuses; so the pin stays at v1.30.8 until the Go toolchain is newer.
#
# Cache: ${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}/temporal-server-<version>/
# Writes $REPO/.tools/temporal-server.env (TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL, TEMPORAL_SCHEMA_DIR,
# TEMPORAL_SERVER_VERSION). Idempotent: a second run only checks a marker file.
# The first build takes 3-10 minutes on 2 cores (measured: 563 s including the module downloads,
# on a machine busy with other jobs); it runs niced, so other work goes on meanwhile.
set -euo pipefail

TEMPORAL_SERVER_VERSION=1.30.8

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
dir="$cache/temporal-server-$TEMPORAL_SERVER_VERSION"
envfile="$root/.tools/temporal-server.env"
mkdir -p "$cache" "$root/.tools"

say() { echo "[temporal-server] $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

write_env() {
  cat >"$envfile.tmp" <<ENV
TEMPORAL_SERVER_BIN=$dir/temporal-server
TEMPORAL_SQL_TOOL=$dir/temporal-sql-tool
TEMPORAL_SCHEMA_DIR=$dir/schema
TEMPORAL_SERVER_VERSION=$TEMPORAL_SERVER_VERSION
ENV
  mv "$envfile.tmp" "$envfile"
}

if [ -f "$dir/.complete" ] && [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; then
  write_env
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go 1.24 or newer (https://go.dev/doc/install)."
module="go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"
say "building Temporal server v$TEMPORAL_SERVER_VERSION with $(go version | cut -d' ' -f3) into $dir (first time only, 3-10 minutes)"
tmp=$(mktemp -d "$cache/.temporal-server-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# `go install pkg@version` builds with the module's own go.mod and go.sum (checked against the
# checksum database), outside any module of ours. GOTOOLCHAIN=local: never download another Go.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false"
for pkg in cmd/server cmd/tools/sql; do
  GOBIN="$tmp/bin" nice -n 10 go install -trimpath -ldflags="-s -w" "go.temporal.io/server/$pkg@v$TEMPORAL_SERVER_VERSION" 2>&1 | sed 's/^/  /' >&2 ||
    die "go install go.temporal.io/server/$pkg@v$TEMPORAL_SERVER_VERSION failed (see above)"
done
[ -x "$tmp/bin/server" ] && [ -x "$tmp/bin/sql" ] || die "the build did not produce cmd/server and cmd/tools/sql"

# The schema files come from the same module version (go install has just put it in the module cache).
src=$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
[ -d "$src/schema/postgresql/v12" ] || die "schema/postgresql/v12 not found in the module source ($src)"
mkdir -p "$tmp/out/schema"
mv "$tmp/bin/server" "$tmp/out/temporal-server"
mv "$tmp/bin/sql" "$tmp/out/temporal-sql-tool"
cp -r "$src/schema/postgresql" "$tmp/out/schema/"
chmod -R u+w "$tmp/out/schema"

got=$("$tmp/out/temporal-server" --version 2>&1 | head -n 1) || die "temporal-server does not run: $got"
printf 'TEMPORAL_SERVER_VERSION=%s\nBUILT_WITH=%s\nBUILD_SECONDS=%s\n%s\n' "$TEMPORAL_SERVER_VERSION" "$(go version | cut -d' ' -f3)" \
  "$(($(date +%s) - start))" "$got" >"$tmp/out/.complete"
rm -rf "$dir"
mv "$tmp/out" "$dir"
write_env
say "ready in $(($(date +%s) - start)) s: $got -> $envfile"
