#!/usr/bin/env bash
# Entry point of `npm run cluster`: installs what the cluster needs (the Temporal CLI and FerretDB
# as for `npm start`, a Temporal server built from its Go module, PostgreSQL from Debian's
# packages; all cached after the first run), compiles, bundles the workflows, then starts the
# cluster (scripts/cluster/cluster.ts). Arguments go to cluster.ts, e.g. `--check`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

command -v node >/dev/null || { echo "Node.js 20 or newer is required (Debian: apt-get install nodejs npm)." >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "Node.js 20 or newer is required; this is $(node --version)." >&2; exit 1; }
# npm packages: reinstall when package-lock.json changed since the last install (as npm start does).
stamp=node_modules/.eenvoud-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[cluster] installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

PIP_ROOT_USER_ACTION=ignore bash scripts/install-tools.sh
bash scripts/cluster/install-temporal-server.sh
bash scripts/cluster/install-postgres.sh

npx tsc -p tsconfig.build.json
node dist/scripts/bundle-workflows.js
exec node --enable-source-maps dist/scripts/cluster/cluster.js "$@"
