#!/usr/bin/env bash
# Entry point of `npm start` and `npm test`: installs what is missing (npm packages, the
# Temporal CLI, FerretDB), compiles, then runs the command. Cached after the first run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v node >/dev/null || { echo "Node.js 20 or newer is required (Debian: apt-get install nodejs npm)." >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "Node.js 20 or newer is required; this is $(node --version)." >&2; exit 1; }

# npm packages: reinstall when package-lock.json changed since the last install.
stamp=node_modules/.eenvoud-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

PIP_ROOT_USER_ACTION=ignore bash scripts/install-tools.sh
# The official e-invoice rules (UBL XSD, EN 16931, Peppol, SI-UBL) for the document tests.
[ "${1:-}" = test ] && bash scripts/install-validators.sh
# The API fuzzer (Schemathesis, PyPI) for the bounded fuzz run in the tests.
[ "${1:-}" = test ] && bash scripts/install-fuzzer.sh
# A real ClamAV daemon (Debian's package, unpacked, with an EICAR-only signature) for the virus-scan test.
[ "${1:-}" = test ] && bash scripts/install-clamav.sh

case "${1:-}" in
  start)
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/scripts/start.js
    ;;
  test)
    shift
    echo "[test] type check and lint" >&2
    npx tsc --noEmit -p .
    npx eslint .
    npx prettier --check . >/dev/null || { echo "[test] formatting differs: run npm run format" >&2; exit 1; }
    # The worker-kill test runs the compiled worker as a process of its own; it bundles the
    # workflows itself, never from a bundle an earlier `npm start` left behind.
    npx tsc -p tsconfig.build.json
    rm -f dist/workflow-bundle.js
    exec npx jest "$@"
    ;;
  bench)
    # Every benchmark, one after the other (options through their BENCH_* variables). The scale
    # run at quick sizes unless BENCH_SCALE_SIZES is set (npm run bench:scale: 1,000 and 10,000).
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    node --enable-source-maps dist/bench/lifecycle.js
    node --enable-source-maps dist/bench/step-breakdown.js
    node --enable-source-maps dist/bench/db-commands.js
    BENCH_SCALE_SIZES="${BENCH_SCALE_SIZES:-100,500}" node --enable-source-maps dist/bench/scale.js
    exec node --enable-source-maps dist/bench/invoice-run.js "$@"
    ;;
  bench-lifecycle)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/lifecycle.js "$@"
    ;;
  bench-breakdown)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/step-breakdown.js "$@"
    ;;
  bench-commands)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/db-commands.js "$@"
    ;;
  bench-queries)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/query-shapes.js "$@"
    ;;
  bench-scale)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/scale.js "$@"
    ;;
  bench-invoice)
    shift
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/bench/invoice-run.js "$@"
    ;;
  cluster)
    # The production topology (scripts/cluster): a Temporal server built from Go, PostgreSQL.
    shift
    bash scripts/cluster/install-temporal-server.sh
    bash scripts/cluster/install-postgres.sh
    npx tsc -p tsconfig.build.json
    node dist/scripts/bundle-workflows.js
    exec node --enable-source-maps dist/scripts/cluster/cluster.js "$@"
    ;;
  chaos)
    shift
    npx tsc -p tsconfig.build.json
    exec node --enable-source-maps dist/scripts/chaos.js "$@"
    ;;
  *)
    echo "usage: scripts/run.sh start|test|bench|bench-lifecycle|bench-breakdown|bench-commands|bench-queries|bench-scale|bench-invoice|cluster|chaos [args]" >&2
    exit 2
    ;;
esac
