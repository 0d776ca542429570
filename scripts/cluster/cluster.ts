// `npm run cluster`: the production topology on this machine, without Docker. PostgreSQL,
// a real Temporal server on it, FerretDB, two workers and two API processes behind a round-robin
// proxy; runs until Ctrl-C. `npm run cluster -- --check` starts a fresh one on free ports, runs
// the release check against it (scripts/cluster/check.ts) and stops it again.
//
//   npm run cluster                              # interactive, state in data/cluster (CLUSTER_DIR)
//   npm run cluster -- --check                   # 100 lifecycles, 8 at a time, 1 worker kill, 1 API kill
//   npm run cluster -- --check --lifecycles 20 --worker-kills 0 --api-kills 0
//
// Ports of the interactive cluster (all on 127.0.0.1): CLUSTER_TEMPORAL_PORT (7233, and Temporal's
// usual neighbours), CLUSTER_PG_PORT (55432), CLUSTER_FERRETDB_PORT (27018), CLUSTER_API_PORTS
// (3001,3002) and PORT for the proxy (3000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../servers';
import { checkOptions, runCheck } from './check';
import { startCluster, type Cluster } from './topology';

const log = (m: string) => console.log(`[cluster ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** What the install scripts measured when they built or unpacked the servers. */
function builds(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const read = (file: string) =>
    Object.fromEntries(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  for (const [name, env, key] of [
    ['temporalServer', 'temporal-server.env', 'TEMPORAL_SERVER_BIN'],
    ['postgres', 'postgres.env', 'PG_TREE'],
  ] as const) {
    try {
      const tools = read(path.join(ROOT, '.tools', env));
      const complete = read(path.join(path.dirname(tools[key]!), '.complete'));
      out[name] = complete;
    } catch {
      out[name] = null;
    }
  }
  return out;
}

const num = (v: string | undefined) => (v ? Number(v) : undefined);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const rest = argv.filter((a) => a !== '--check');
  if (!check && rest.length) throw new Error(`unknown option ${rest[0]} (usage: npm run cluster [-- --check [options]])`);
  const opts = check ? checkOptions(rest) : null;

  const t0 = Date.now();
  const dir = check
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-cluster-'))
    : path.resolve(process.env.CLUSTER_DIR ?? path.join(ROOT, 'data', 'cluster'));
  fs.mkdirSync(dir, { recursive: true });
  let cluster: Cluster | null = null;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping the cluster…');
    if (cluster) await cluster.stop();
    log('stopped.');
    process.exit(code);
  };
  // Ctrl-C while starting: the exit handler of topology.ts kills whatever has started.
  const onSignal = () => (cluster ? void stopAll(130) : process.exit(130));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const devAuth = process.env.DEV_AUTH ?? (process.env.NODE_ENV === 'production' ? 'false' : 'true');
  const appEnv: Record<string, string> = check
    ? {
        NODE_ENV: 'development',
        DEV_AUTH: 'true',
        SEED_DEMO_DATA: 'true',
        // One client makes all the calls: the per-address limit would throttle the check itself.
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: 'info',
        TASK_QUEUE: 'eenvoud',
        TEMPORAL_NAMESPACE: 'default',
      }
    : { DEV_AUTH: devAuth };
  log(`starting in ${dir}`);
  cluster = await startCluster({
    dir,
    fresh: check,
    temporalPort: num(process.env.CLUSTER_TEMPORAL_PORT),
    postgresPort: num(process.env.CLUSTER_PG_PORT),
    ferretPort: num(process.env.CLUSTER_FERRETDB_PORT),
    apiPorts: process.env.CLUSTER_API_PORTS ? (process.env.CLUSTER_API_PORTS.split(',').map(Number) as [number, number]) : undefined,
    proxyPort: check ? null : (num(process.env.PORT) ?? 3000),
    appEnv,
    retention: check ? '24h' : '720h',
    log,
  });
  const startSeconds = (Date.now() - t0) / 1000;
  const c = cluster;
  console.log(`
Eenvoud cluster is running (started in ${startSeconds.toFixed(1)} s; state and logs in ${dir}).
  App:              ${c.proxyPort ? `http://127.0.0.1:${c.proxyPort}/ (round robin over both APIs)` : '(no proxy)'}
  API 1, API 2:     ${c.apis.map((a) => `http://127.0.0.1:${a.port}/`).join(', ')}
  Workers:          ${c.workers.map((w) => `${w.name} (pid ${w.child?.pid})`).join(', ')}
  Temporal server:  ${c.temporal.address} (v${c.temporal.version}; temporal workflow list --address ${c.temporal.address})
  PostgreSQL:       127.0.0.1:${c.postgres.port} (${c.postgres.version}; user temporal, password in ${path.join(dir, 'postgres-password')})
  FerretDB:         ${c.ferret.uri}
  Dev login:        ${appEnv.DEV_AUTH === 'true' ? 'on (demo users, POST /dev/token)' : 'off'}
  Start phases (s): ${Object.entries(c.timings)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ')}`);
  if (!check) {
    console.log('Press Ctrl-C to stop.');
    return;
  }
  let ok = false;
  try {
    ok = await runCheck(c, opts!, { startSeconds, startPhases: c.timings, builds: builds() });
  } catch (err) {
    console.error('[check] the check itself failed:', err);
  }
  stopping = true;
  log('stopping the cluster…');
  await c.stop();
  if (ok) fs.rmSync(dir, { recursive: true, force: true });
  else log(`logs and state kept in ${dir}`);
  log(`check took ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`[cluster] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
