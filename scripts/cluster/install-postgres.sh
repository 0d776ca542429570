#!/usr/bin/env bash
# Installs PostgreSQL for `npm run cluster` (Temporal's persistence and visibility store), without
# root, the way install-clamav.sh installs clamd:
#   - `apt-get download` the Debian packages postgresql-<major>, postgresql-client-<major>, libpq5
#     (+ any runtime library package that is not installed on this machine), then `dpkg-deb -x`
#     them into the tools cache. No apt-get install, no root, no system service.
#   - The tree keeps Debian's layout (usr/lib/postgresql/<major>/bin, usr/share/postgresql/<major>),
#     so the binaries find their share and lib folders relative to themselves.
# Run the binaries with LD_LIBRARY_PATH=$PG_LIB_DIR. PostgreSQL refuses to run as root: when the
# cluster runs as root it starts PostgreSQL as an unprivileged user (see scripts/cluster/cluster.ts).
#
# Writes $REPO/.tools/postgres.env with these KEY=VALUE lines (absolute paths):
#   PG_BIN_DIR      initdb, pg_ctl, postgres, psql, pg_isready
#   PG_LIB_DIR      libpq and the downloaded libraries (LD_LIBRARY_PATH)
#   PG_TREE         the unpacked root (usr/...), for a copy the unprivileged user can read
#   PG_VERSION      Debian package version (informational)
#
# Version: the major version of Debian's `postgresql` package (15 on bookworm), or PG_MAJOR=<n>.
# The first run takes the current candidate (security updates replace versions on the mirror);
# later runs reuse the newest complete install in the cache without asking apt.
#   PG_UPDATE=1                       install the current candidate if it is not cached yet
#   PG_DEB_VERSION=15.20-0+deb12u1    use exactly this version (must still be on the mirror)
# Cache: ${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}/postgresql-<version>/
# Idempotent: a second run only checks a marker file and rewrites the env file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
envfile="$root/.tools/postgres.env"
mkdir -p "$cache"

say() { echo "[postgres] $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

write_env() { # dir
  local major
  major=$(sed -n 's/^PG_MAJOR=//p' "$1/.complete")
  mkdir -p "$root/.tools"
  cat >"$envfile.tmp" <<ENV
PG_BIN_DIR=$1/root/usr/lib/postgresql/$major/bin
PG_LIB_DIR=$1/lib
PG_TREE=$1/root
PG_MAJOR=$major
PG_VERSION=$(sed -n 's/^PG_VERSION=//p' "$1/.complete")
ENV
  mv "$envfile.tmp" "$envfile"
}

for tool in apt-get apt-cache dpkg dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' is not available. This script needs a Debian/Ubuntu machine (it takes PostgreSQL from the Debian packages)."
done

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

apt_opts=()
[ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root) # root: skip the _apt download sandbox

newest_cached() { # newest complete install in the cache, or nothing
  local d
  for d in "$cache"/postgresql-*; do
    [ -f "$d/.complete" ] && echo "$d"
  done | sort -V | tail -n 1
}
major_of_apt() { # the major version Debian's `postgresql` package depends on
  apt-cache "${apt_opts[@]}" show --no-all-versions postgresql 2>/dev/null | sed -n 's/^Depends: .*postgresql-\([0-9][0-9]*\).*/\1/p' | head -n 1
}
candidate() { # major -> candidate version of postgresql-<major>, or nothing
  apt-cache "${apt_opts[@]}" policy "postgresql-$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

if [ -n "${PG_DEB_VERSION:-}" ]; then
  if [ -f "$cache/postgresql-$PG_DEB_VERSION/.complete" ]; then
    write_env "$cache/postgresql-$PG_DEB_VERSION"
    exit 0
  fi
elif [ "${PG_UPDATE:-}" != 1 ] && [ -n "$(newest_cached)" ]; then
  write_env "$(newest_cached)"
  exit 0
fi

tmp=$(mktemp -d "$cache/.postgres-tmp.XXXXXX")
major="${PG_MAJOR:-$(major_of_apt)}"
cand=""
[ -z "$major" ] || cand=$(candidate "$major")
if [ -z "$cand" ]; then
  say "no postgresql package in the system apt lists; running a private 'apt-get update' (no root needed)"
  mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial"
  apt_opts+=(-o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache" -o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" -qq update >"$tmp/apt-update.log" 2>&1 || {
    cat "$tmp/apt-update.log" >&2
    die "'apt-get update' failed (see above); is a Debian mirror reachable?"
  }
  major="${PG_MAJOR:-$(major_of_apt)}"
  [ -n "$major" ] || die "the apt sources (/etc/apt/sources.list*) have no 'postgresql' package (Debian: component 'main')."
  cand=$(candidate "$major")
  [ -n "$cand" ] || die "the apt sources have no postgresql-$major package."
fi
version="${PG_DEB_VERSION:-$cand}"
if [ -f "$cache/postgresql-$version/.complete" ]; then
  write_env "$cache/postgresql-$version"
  exit 0
fi
dir="$cache/postgresql-$version"
arch=$(dpkg --print-architecture)

[ -n "$(apt-cache "${apt_opts[@]}" show "postgresql-$major=$version" 2>/dev/null)" ] ||
  die "postgresql-$major $version is not in the apt lists (available: $(apt-cache "${apt_opts[@]}" madison "postgresql-$major" 2>/dev/null | awk '{print $3}' | tr '\n' ' '))."
# libpq5 comes from the same source package, so it has the same version.
lib_deps() { # package[=version]... -> library packages they depend on (first alternatives)
  apt-cache "${apt_opts[@]}" show --no-all-versions "$@" 2>/dev/null | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' |
    tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep '^lib' | sort -u || true
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1:$arch" 2>/dev/null)" = installed ]; }
pkgs=("postgresql-$major=$version" "postgresql-client-$major=$version" "libpq5=$version")
level=("${pkgs[@]}")
# libllvm (only the optional JIT module uses it; the cluster runs with jit=off) and libc6 are left out.
seen=" postgresql-$major postgresql-client-$major libpq5 libc6 libllvm$major libllvm14 libllvm15 libllvm16 libllvm17 libllvm19 "
while [ ${#level[@]} -gt 0 ]; do
  next=()
  for dep in $(lib_deps "${level[@]}"); do
    case "$seen" in *" $dep "*) continue ;; esac
    seen="$seen$dep "
    installed "$dep" || next+=("$dep")
  done
  pkgs+=(${next[@]+"${next[@]}"})
  level=(${next[@]+"${next[@]}"})
done

say "installing PostgreSQL $version into $dir (first time only): ${pkgs[*]}"
mkdir -p "$tmp/debs" "$tmp/out/root" "$tmp/out/lib"
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" -q download "${pkgs[@]}") >"$tmp/download.log" 2>&1 || {
  cat "$tmp/download.log" >&2
  if [ -z "${PG_DEB_VERSION:-}" ] && [ -n "$(newest_cached)" ]; then
    say "WARNING: could not download PostgreSQL $version (see above); using the cached $(basename "$(newest_cached)")"
    write_env "$(newest_cached)"
    exit 0
  fi
  die "'apt-get download' failed (see above)."
}
for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp/out/root"; done
bin="$tmp/out/root/usr/lib/postgresql/$major/bin"
[ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/psql" ] || die "postgres, initdb or psql missing in the unpacked packages"
so=$(find "$tmp/out/root" -name 'libpq.so.5*' | head -n 1)
[ -n "$so" ] || die "libpq.so.5 not found in the libpq5 package"
ma=$(basename "$(dirname "$so")") # multiarch triplet, e.g. x86_64-linux-gnu
for d in "$tmp/out/root/usr/lib/$ma" "$tmp/out/root/lib/$ma"; do
  [ -d "$d" ] && find "$d" -maxdepth 1 -name '*.so*' \( -type f -o -type l \) -exec cp -a {} "$tmp/out/lib/" \;
done
# Only the server and the tools we use; documentation, man pages and the JIT module stay out.
rm -rf "$tmp/out/root/usr/share/doc" "$tmp/out/root/usr/share/man" "$tmp/out/root/usr/share/locale" \
  "$tmp/out/root/usr/lib/postgresql/$major/lib/bitcode" "$tmp/out/root/usr/lib/postgresql/$major/lib/llvmjit"*.so

missing=""
for b in postgres initdb pg_ctl psql pg_isready; do
  missing="$missing $(LD_LIBRARY_PATH="$tmp/out/lib" ldd "$bin/$b" 2>&1 | awk '/not found/ { print $1 }' | tr '\n' ' ')"
done
missing=$(echo "$missing" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
[ -z "$missing" ] || die "PostgreSQL needs shared libraries that are neither installed nor downloaded: $missing"
got=$(LD_LIBRARY_PATH="$tmp/out/lib" "$bin/postgres" --version 2>&1) || die "postgres does not run: $got"
[ -d /usr/share/zoneinfo ] || say "WARNING: /usr/share/zoneinfo is missing (Debian package tzdata); PostgreSQL will only know UTC"

printf 'PG_VERSION=%s\nPG_MAJOR=%s\nPACKAGES=%s\n%s\n' "$version" "$major" "${pkgs[*]}" "$got" >"$tmp/out/.complete"
rm -rf "$dir"
mv "$tmp/out" "$dir"
write_env "$dir"
say "ready: $got ($(du -sh "$dir" | cut -f1)) -> $envfile"
