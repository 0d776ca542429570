#!/usr/bin/env bash
# Installs a real ClamAV daemon (clamd) for the virus-scan integration tests, without root and
# without the ClamAV signature servers:
#   - `apt-get download` the Debian packages clamav-daemon + libclamav<N> (+ any runtime library
#     package that is not installed on this machine, e.g. libmspack0), then `dpkg-deb -x` them.
#     No apt-get install, no root. Works as any user on Debian/Ubuntu.
#   - Instead of the official databases (main/daily, from database.clamav.net) it writes a one-line
#     signature database that detects only the EICAR test string, anywhere in a file or archive.
#     clamd reports it as "Eicar-Test-Signature.UNOFFICIAL" (clamd appends .UNOFFICIAL to every
#     signature that does not come from a signed official .cvd).
#
# Writes $REPO/.tools/clamav.env with these KEY=VALUE lines (absolute paths):
#   CLAMD_BIN               the clamd binary; run it with LD_LIBRARY_PATH=$CLAMAV_LIB_DIR
#   CLAMAV_LIB_DIR          libclamav + bundled libraries
#   CLAMAV_DB_DIR           signature database folder (read-only; use as DatabaseDirectory)
#   CLAMAV_EICAR_SIGNATURE  the name clamd reports for EICAR ("<name> FOUND")
#   CLAMAV_VERSION          Debian package version (informational)
# $dir/clamd.conf.example shows a config for tests (write your own per run: port, temp dirs).
#
# Version: the first run takes the current candidate of the apt sources (Debian security updates
# replace clamav versions and the old .debs disappear from the mirror, so a hard pin would break);
# later runs reuse the newest complete install in the cache without asking apt.
#   CLAMAV_UPDATE=1                          install the current candidate if it is not cached yet
#   CLAMAV_DEB_VERSION=1.4.6+dfsg-0+deb12u1  use exactly this version (must still be on the mirror)
# If /var/lib/apt/lists is empty (slim CI images), the script runs a private `apt-get update` into a
# temporary folder (no root needed, about 14 MB).
#
# Cache: ${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}/clamav-<version>-db<rev>/
# Idempotent: a second run only checks a marker file and rewrites the env file.
set -euo pipefail

DB_REV=1 # bump when the signature database below changes
EICAR_NAME=Eicar-Test-Signature
EICAR_MD5=44d88612fea8a8f36de82e1278abb02f

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
envfile="$root/.tools/clamav.env"
mkdir -p "$cache"

say() { echo "[clamav] $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

write_env() { # dir version
  mkdir -p "$root/.tools"
  cat > "$envfile.tmp" <<ENV
CLAMD_BIN=$1/bin/clamd
CLAMAV_LIB_DIR=$1/lib
CLAMAV_DB_DIR=$1/db
CLAMAV_EICAR_SIGNATURE=$EICAR_NAME.UNOFFICIAL
CLAMAV_VERSION=$2
ENV
  mv "$envfile.tmp" "$envfile"
}

for tool in apt-get apt-cache dpkg dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' is not available. This script needs a Debian/Ubuntu machine (it takes clamd from the Debian packages)."
done

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

apt_opts=()
[ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root) # root: skip the _apt download sandbox

candidate() { # prints the candidate version of clamav-daemon, or nothing
  apt-cache "${apt_opts[@]}" policy clamav-daemon 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}
newest_cached() { # newest complete install in the cache, or nothing
  local d
  for d in "$cache"/clamav-*-db"$DB_REV"; do
    [ -f "$d/.complete" ] && echo "$d"
  done | sort -V | tail -n 1
}
version_of() { sed -n "s/^CLAMAV_VERSION=//p" "$1/.complete"; }

if [ -n "${CLAMAV_DEB_VERSION:-}" ]; then
  if [ -f "$cache/clamav-$CLAMAV_DEB_VERSION-db$DB_REV/.complete" ]; then
    write_env "$cache/clamav-$CLAMAV_DEB_VERSION-db$DB_REV" "$CLAMAV_DEB_VERSION"
    exit 0
  fi
elif [ "${CLAMAV_UPDATE:-}" != 1 ] && [ -n "$(newest_cached)" ]; then
  d=$(newest_cached)
  write_env "$d" "$(version_of "$d")"
  exit 0
fi
cand=$(candidate)
version="${CLAMAV_DEB_VERSION:-$cand}"
if [ -n "$version" ] && [ -f "$cache/clamav-$version-db$DB_REV/.complete" ]; then
  write_env "$cache/clamav-$version-db$DB_REV" "$version"
  exit 0
fi

tmp=$(mktemp -d "$cache/.clamav-tmp.XXXXXX")
if [ -z "$cand" ]; then
  say "no clamav-daemon in the system apt lists; running a private 'apt-get update' (no root needed)"
  mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial"
  apt_opts+=(-o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache" -o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" -qq update >"$tmp/apt-update.log" 2>&1 || {
    cat "$tmp/apt-update.log" >&2
    die "'apt-get update' failed (see above); is a Debian mirror reachable?"
  }
  cand=$(candidate)
  [ -n "$cand" ] || die "the apt sources (/etc/apt/sources.list*) have no clamav-daemon package (Debian: component 'main')."
  version="${CLAMAV_DEB_VERSION:-$cand}"
fi
dir="$cache/clamav-$version-db$DB_REV"
arch=$(dpkg --print-architecture)

# Packages: clamav-daemon, its libclamav<N>, and (recursively) every library package they depend on
# that is not installed here. libcurl4 (only libfreshclam needs it) and the ncurses libs (only
# clamdtop) are not needed by clamd; libc6 is always there.
daemon_info=$(apt-cache "${apt_opts[@]}" show "clamav-daemon=$version" 2>/dev/null || true)
[ -n "$daemon_info" ] ||
  die "clamav-daemon $version is not in the apt lists (available: $(apt-cache "${apt_opts[@]}" madison clamav-daemon 2>/dev/null | awk '{print $3}' | tr '\n' ' '))."
libclamav=$(printf '%s\n' "$daemon_info" | sed -n 's/^Depends: //p' | tr ',' '\n' | sed -n 's/^ *\(libclamav[0-9]*\) .*/\1/p' | head -n 1)
[ -n "$libclamav" ] || die "could not find the libclamav package in the dependencies of clamav-daemon $version"
lib_deps() { # package[=version]... -> library packages they depend on (first alternatives)
  apt-cache "${apt_opts[@]}" show --no-all-versions "$@" 2>/dev/null | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' |
    tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep '^lib' | sort -u || true
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1:$arch" 2>/dev/null)" = installed ]; }
pkgs=("clamav-daemon=$version" "$libclamav=$version")
level=("${pkgs[@]}")
seen=" clamav-daemon $libclamav libc6 libcurl4 libncurses6 libtinfo6 "
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

say "installing clamd $version into $dir (first time only): ${pkgs[*]}"
mkdir -p "$tmp/debs" "$tmp/x" "$tmp/out/bin" "$tmp/out/lib" "$tmp/out/db"
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" -q download "${pkgs[@]}") >"$tmp/download.log" 2>&1 || {
  cat "$tmp/download.log" >&2
  if [ -z "${CLAMAV_DEB_VERSION:-}" ] && [ -n "$(newest_cached)" ]; then
    d=$(newest_cached)
    say "WARNING: could not download clamav $version (see above); using the cached $(version_of "$d")"
    write_env "$d" "$(version_of "$d")"
    exit 0
  fi
  die "'apt-get download' failed (see above)."
}
for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
so=$(find "$tmp/x" -name 'libclamav.so.*' | head -n 1)
[ -n "$so" ] || die "libclamav.so not found in the $libclamav package"
ma=$(basename "$(dirname "$so")") # multiarch triplet, e.g. x86_64-linux-gnu
cp -a "$tmp/x/usr/sbin/clamd" "$tmp/out/bin/"
for d in "$tmp/x/usr/lib/$ma" "$tmp/x/lib/$ma"; do
  if [ -d "$d" ]; then
    find "$d" -maxdepth 1 -name '*.so*' ! -name 'libfreshclam*' \( -type f -o -type l \) -exec cp -a {} "$tmp/out/lib/" \;
  fi
done

missing=$(LD_LIBRARY_PATH="$tmp/out/lib" ldd "$tmp/out/bin/clamd" 2>&1 | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
[ -z "$missing" ] || die "clamd needs shared libraries that are neither installed nor downloaded: $missing"
got=$(LD_LIBRARY_PATH="$tmp/out/lib" "$tmp/out/bin/clamd" -c /dev/null --version 2>&1) || die "clamd does not run: $got"

# Signature database: an extended (.ndb) body signature, target type 0 (any file), offset * (anywhere),
# so EICAR is found on its own, inside other text and inside archives (clamd unpacks zip etc.).
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
[ "$(printf '%s' "$eicar" | md5sum | cut -c1-32)" = "$EICAR_MD5" ] || die "internal error: EICAR string is wrong"
hex=$(printf '%s' "$eicar" | od -An -v -tx1 | tr -d ' \n')
echo "$EICAR_NAME:0:*:$hex" >"$tmp/out/db/eicar.ndb"

cat >"$tmp/out/clamd.conf.example" <<CONF
# Start: LD_LIBRARY_PATH=$dir/lib $dir/bin/clamd -c <this file>
# Ready when it answers "zPING\\0" with "PONG\\0" on the TCP port.
Foreground yes
TCPSocket 3310
TCPAddr 127.0.0.1
DatabaseDirectory $dir/db
TemporaryDirectory /tmp/clamd-test
PidFile /tmp/clamd-test/clamd.pid
LogFile /tmp/clamd-test/clamd.log
StreamMaxLength 25M
SelfCheck 0
CONF

printf 'CLAMAV_VERSION=%s\nPACKAGES=%s\n%s\n' "$version" "${pkgs[*]}" "$got" >"$tmp/out/.complete"
rm -rf "$dir"
mv "$tmp/out" "$dir"
write_env "$dir" "$version"
say "ready: $got ($(du -sh "$dir" | cut -f1)) -> $envfile"
