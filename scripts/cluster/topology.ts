// The production topology on one machine, without Docker (`npm run cluster`): PostgreSQL (Debian's
// packages, unpacked), a real Temporal server (built from go.temporal.io/server) with its
// persistence and SQL visibility in PostgreSQL, FerretDB, two workers, two API processes and a
// small round-robin proxy in front of the APIs. The pieces map one to one onto docker-compose.yml.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import {
  freePort,
  readTools,
  ROOT,
  SEARCH_ATTRIBUTES,
  startFerretDb,
  stopChild,
  waitForPort,
  WORKER_NODE_FLAGS,
  type Started,
} from '../servers';

const DIST = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** KEY=VALUE lines of a file in .tools/ (written by the install scripts). */
export function readEnvFile(name: string, installer: string): Record<string, string> {
  const file = path.join(ROOT, '.tools', name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run ${installer} (npm run cluster does)`);
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export interface ClusterOptions {
  /** Where PostgreSQL, FerretDB and the logs keep their files. */
  dir: string;
  /** A fresh cluster on free ports (the check), or the fixed ports of an interactive cluster. */
  fresh: boolean;
  temporalPort?: number;
  postgresPort?: number;
  ferretPort?: number;
  apiPorts?: [number, number];
  /** The round-robin proxy in front of the two APIs (null: none). */
  proxyPort?: number | null;
  workers?: number;
  /** Environment for the workers and the APIs on top of the generated one. */
  appEnv?: Record<string, string>;
  retention?: string;
  log?: (m: string) => void;
}

/** One app process (worker or API), restarted when it dies, as a Deployment would. */
export class AppProcess {
  child: ChildProcess | null = null;
  restarts = 0;
  /** Epoch ms when the process last became ready (worker polling / API listening). */
  readyAt = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private delayMs: number;

  constructor(
    readonly name: string,
    readonly kind: 'worker' | 'api',
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    private readonly log: (m: string) => void,
    readonly port: number | null,
    /** Delay before a dead process is started again (a Deployment's restart). */
    readonly restartDelayMs = 2_000,
  ) {
    this.delayMs = restartDelayMs;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): Promise<number> {
    const script = this.kind === 'worker' ? 'worker/main.js' : 'server/main.js';
    const flags = this.kind === 'worker' ? WORKER_NODE_FLAGS : [];
    const child = spawn(process.execPath, ['--enable-source-maps', ...flags, path.join(DIST, script)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // Ctrl-C reaches the cluster, which stops the processes in order
    });
    this.child = child;
    const startedAt = Date.now();
    track(child);
    const out = fs.createWriteStream(this.logFile, { flags: 'a' });
    child.stderr!.pipe(out);
    const ready = new Promise<number>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        out.write(`${line}\n`);
        if (this.kind === 'worker' && line.includes('"worker started"')) {
          this.readyAt = Date.now();
          resolve(this.readyAt);
        }
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`${this.name} exited (${signal ?? code}) before it was ready; see ${this.logFile}`)),
      );
      if (this.kind === 'api')
        waitForPort(this.port!, 120_000, child).then(() => {
          this.readyAt = Date.now();
          resolve(this.readyAt);
        }, reject);
    });
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      // A process that keeps dying soon after its start waits longer each time (up to 30 s), as
      // Kubernetes backs off a crash loop; one that ran a while is started again after the base delay.
      this.delayMs = Date.now() - startedAt < 30_000 && this.restarts > 0 ? Math.min(30_000, this.delayMs * 2) : this.restartDelayMs;
      this.log(`${this.name} stopped (${signal ?? `exit ${code}`}); starting it again in ${this.delayMs / 1000} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.stopping) return;
        this.restarts += 1;
        this.start().then(
          () => this.log(`${this.name} is back (${this.kind === 'worker' ? 'polling' : `listening on ${this.port}`})`),
          (err) => this.stopping || this.log(`${this.name} did not come back: ${(err as Error).message}`),
        );
      }, this.delayMs);
    });
    ready.catch(() => undefined);
    return ready;
  }

  /** Waits until the process (or its restart) is ready again. */
  async waitReady(after: number, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.alive && this.readyAt > after)) {
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready again within ${timeoutMs} ms`);
      await sleep(50);
    }
    return this.readyAt;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child!.kill(signal);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.child) await stopChild(this.child, 20_000);
  }
}

// Every process the cluster started, so that even a crash of the cluster itself leaves none.
const children = new Set<ChildProcess>();
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function spawnLogged(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true, env });
  fs.closeSync(out);
  track(child);
  return child;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Temporal's ports, in its standard layout around the frontend's gRPC port (7233: history 7234,
 * matching 7235, worker 7239, frontend HTTP 7243, membership 6933-6939). The membership ports are
 * stored in a smallint column of the cluster_membership table, so they must stay below 32768.
 */
interface TemporalPorts {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  http: number;
  membership: { frontend: number; history: number; matching: number; worker: number };
}
const temporalLayout = (p: number): TemporalPorts => ({
  frontend: p,
  history: p + 1,
  matching: p + 2,
  worker: p + 6,
  http: p + 10,
  membership: { frontend: p - 300, history: p - 299, matching: p - 298, worker: p - 294 },
});
const allPorts = (t: TemporalPorts) => [t.frontend, t.history, t.matching, t.worker, t.http, ...Object.values(t.membership)];

async function chooseTemporalPorts(fixed: number | undefined): Promise<TemporalPorts> {
  if (fixed !== undefined) {
    const t = temporalLayout(fixed);
    if (t.membership.frontend < 1024 || t.frontend + 10 > 32767) throw new Error(`Temporal port ${fixed}: use 1324-32757`);
    const taken = [];
    for (const p of allPorts(t)) if (!(await isFree(p))) taken.push(p);
    if (taken.length)
      throw new Error(`Temporal needs ports ${allPorts(t).join(', ')}; taken: ${taken.join(', ')} (set CLUSTER_TEMPORAL_PORT)`);
    return t;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const t = temporalLayout(20_000 + crypto.randomInt(12_000));
    let free = true;
    for (const p of allPorts(t)) if (!(free = await isFree(p))) break;
    if (free) return t;
  }
  throw new Error('found no free ports for Temporal below 32768');
}

async function requirePort(port: number, what: string, variable: string): Promise<number> {
  if (!(await isFree(port))) throw new Error(`port ${port} for ${what} is taken (set ${variable})`);
  return port;
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

interface Postgres extends Started {
  port: number;
  user: string;
  password: string;
  version: string;
  /** Runs a PostgreSQL client tool (psql, pg_isready) of the unpacked packages. */
  client(tool: string, args: string[]): Promise<string>;
}

/** The unprivileged OS user that runs PostgreSQL when the cluster runs as root. */
function postgresOsUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of [process.env.CLUSTER_PG_OS_USER, 'postgres', 'nobody'].filter((n): n is string => !!n)) {
    const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
    if (r.status === 0) {
      const [, , uid, gid] = r.stdout.trim().split(':');
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error('running as root, and there is neither a "postgres" nor a "nobody" user to run PostgreSQL as (set CLUSTER_PG_OS_USER)');
}

async function startPostgres(dir: string, port: number, log: (m: string) => void): Promise<Postgres> {
  const pg = readEnvFile('postgres.env', 'scripts/cluster/install-postgres.sh');
  const osUser = postgresOsUser();
  let binDir = pg.PG_BIN_DIR!;
  let libDir = pg.PG_LIB_DIR!;
  const pgDir = path.join(dir, 'postgres');
  fs.mkdirSync(pgDir, { recursive: true });
  const asPg = (cmd: string, args: string[]): [string, string[]] =>
    osUser
      ? ['setpriv', ['--reuid', String(osUser.uid), '--regid', String(osUser.gid), '--clear-groups', '--', cmd, ...args]]
      : [cmd, args];
  if (osUser) {
    // PostgreSQL refuses to run as root: it runs as an unprivileged user, which must be able to
    // reach the binaries (a cache under /root is not) and own its data folder.
    const probe = asPg('test', ['-x', path.join(binDir, 'postgres')]);
    if (spawnSync(probe[0], probe[1]).status !== 0) {
      const copy = path.join(dir, `pg-runtime-${pg.PG_VERSION}`);
      if (!fs.existsSync(path.join(copy, '.complete'))) {
        fs.rmSync(copy, { recursive: true, force: true });
        fs.mkdirSync(copy, { recursive: true });
        for (const [from, to] of [
          [pg.PG_TREE!, 'root'],
          [pg.PG_LIB_DIR!, 'lib'],
        ] as const) {
          // hard links when on the same file system (instant), a copy otherwise
          if (spawnSync('cp', ['-al', from, path.join(copy, to)]).status !== 0) {
            fs.rmSync(path.join(copy, to), { recursive: true, force: true });
            if (spawnSync('cp', ['-a', from, path.join(copy, to)]).status !== 0) throw new Error(`could not copy ${from} to ${copy}`);
          }
        }
        fs.writeFileSync(path.join(copy, '.complete'), `${pg.PG_VERSION}\n`);
      }
      binDir = path.join(copy, 'root', path.relative(pg.PG_TREE!, pg.PG_BIN_DIR!));
      libDir = path.join(copy, 'lib');
    }
    // The cluster's own folder (mkdtemp makes it 0700) opens for passing through; a folder above
    // it that the user cannot pass is an error, not something to change.
    if ((fs.statSync(dir).mode & 0o001) === 0) fs.chmodSync(dir, fs.statSync(dir).mode | 0o711);
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
      const probeDir = asPg('test', ['-x', d]);
      if (spawnSync(probeDir[0], probeDir[1]).status !== 0)
        throw new Error(
          `PostgreSQL runs as the user ${osUser.name}, who cannot reach ${d}: choose a cluster folder elsewhere (CLUSTER_DIR)`,
        );
    }
    fs.chownSync(pgDir, osUser.uid, osUser.gid);
  }
  const env = { ...process.env, LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), HOME: pgDir };
  const data = path.join(pgDir, 'data');
  const pwFile = path.join(dir, 'postgres-password');
  if (!fs.existsSync(pwFile)) fs.writeFileSync(pwFile, `${crypto.randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const password = fs.readFileSync(pwFile, 'utf8').trim();
  const user = 'temporal';
  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    log(`PostgreSQL: initdb in ${data}${osUser ? ` (as the user ${osUser.name}: PostgreSQL does not run as root)` : ''}`);
    const initPw = path.join(pgDir, 'initdb-password');
    fs.writeFileSync(initPw, `${password}\n`, { mode: 0o600 });
    if (osUser) fs.chownSync(initPw, osUser.uid, osUser.gid);
    const [cmd, args] = asPg(path.join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${initPw}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
    fs.rmSync(initPw, { force: true });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
  }
  const logFile = path.join(dir, 'logs', 'postgres.log');
  const [cmd, args] = asPg(path.join(binDir, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'jit=off', // the JIT module (and its LLVM) is not unpacked
    '-c',
    'max_connections=100',
  ]);
  const child = spawnLogged(cmd, args, logFile, env);
  const client = async (tool: string, toolArgs: string[]) =>
    (await run(path.join(binDir, tool), toolArgs, { env: { ...env, PGPASSWORD: password }, timeout: 30_000 })).stdout;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited with code ${child.exitCode}; see ${logFile}`);
    try {
      await client('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port)]);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s; see ${logFile}`);
      await sleep(200);
    }
  }
  // SIGINT is PostgreSQL's "fast" shutdown: it ends the sessions and stops cleanly.
  return { child, port, user, password, version: pg.PG_VERSION!, client, stop: () => stopChild(child, 30_000, 'SIGINT') };
}

// ---- Temporal -----------------------------------------------------------------------------------

/** The Temporal server's static configuration: PostgreSQL for persistence and (advanced) visibility. */
function temporalConfig(o: { ports: TemporalPorts; pg: Postgres; dynamicConfig: string; shards: number }): string {
  const store = (db: string, maxConns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "127.0.0.1:${o.pg.port}"
        connectProtocol: tcp
        user: ${o.pg.user}
        password: "${o.pg.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const svc = (grpc: number, membership: number, http?: number) =>
    `\n    rpc:\n      grpcPort: ${grpc}\n      membershipPort: ${membership}\n      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  const p = o.ports;
  return `# Written by scripts/cluster/topology.ts: one Temporal server process, all four services.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${o.shards}
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:${svc(p.frontend, p.membership.frontend, p.http)}
  history:${svc(p.history, p.membership.history)}
  matching:${svc(p.matching, p.membership.matching)}
  worker:${svc(p.worker, p.membership.worker)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${p.frontend}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${o.dynamicConfig}"
  pollInterval: 10s
`;
}

interface Temporal extends Started {
  address: string;
  version: string;
}

/** Creates the two databases and brings their schemas to this server version, with Temporal's own SQL tool. */
async function setupSchemas(ts: Record<string, string>, pg: Postgres, log: (m: string) => void): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pg.port), '-u', pg.user, '--pw', pg.password];
  const sql = async (db: string, args: string[]) => {
    try {
      await run(ts.TEMPORAL_SQL_TOOL!, [...base, '--db', db, ...args], { timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed: ${(e.stderr || e.stdout || e.message).slice(-2000)}`);
    }
  };
  for (const [db, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const exists = (
      await pg.client('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        pg.user,
        '-d',
        'postgres',
        '-tAc',
        `select 1 from pg_database where datname = '${db}'`,
      ])
    ).trim();
    if (exists !== '1') {
      log(`Temporal: creating the database ${db} and its schema (temporal-sql-tool)`);
      await sql(db, ['create-database']);
      await sql(db, ['setup-schema', '-v', '0.0']);
    }
    // Brings an existing schema up to this server version; nothing to do when it is current.
    await sql(db, ['update-schema', '-d', path.join(ts.TEMPORAL_SCHEMA_DIR!, 'postgresql', 'v12', schema, 'versioned')]);
  }
}

async function startTemporalServer(o: { dir: string; pg: Postgres; ports: TemporalPorts; log: (m: string) => void }): Promise<Temporal> {
  const ts = readEnvFile('temporal-server.env', 'scripts/cluster/install-temporal-server.sh');
  await setupSchemas(ts, o.pg, o.log);
  const tdir = path.join(o.dir, 'temporal');
  fs.mkdirSync(tdir, { recursive: true });
  const dynamicConfig = path.join(tdir, 'dynamicconfig.yaml');
  // Workflow ids are <kind>-<ulid>; the default limit (1000) is fine, this is only the place for tuning.
  fs.writeFileSync(dynamicConfig, 'limit.maxIDLength:\n  - value: 255\n');
  const configFile = path.join(tdir, 'config.yaml');
  // The shard count is fixed for the life of a database; 4 suits one node with two cores.
  fs.writeFileSync(configFile, temporalConfig({ ports: o.ports, pg: o.pg, dynamicConfig, shards: 4 }), { mode: 0o600 });
  const logFile = path.join(o.dir, 'logs', 'temporal.log');
  const child = spawnLogged(ts.TEMPORAL_SERVER_BIN!, ['--config-file', configFile, '--allow-no-auth', 'start'], logFile);
  await waitForPort(o.ports.frontend, 120_000, child);
  return {
    child,
    address: `127.0.0.1:${o.ports.frontend}`,
    version: ts.TEMPORAL_SERVER_VERSION!,
    stop: () => stopChild(child, 30_000),
  };
}

/** Namespace `default` and the app's search attributes, with the Temporal CLI (as docker-compose's temporal-setup). */
async function setupNamespace(
  cliBin: string,
  address: string,
  namespace: string,
  retention: string,
  log: (m: string) => void,
): Promise<void> {
  const cli = (args: string[]) => run(cliBin, [...args, '--address', address], { timeout: 30_000 });
  const retry = async <T>(what: string, fn: () => Promise<T>, timeoutMs = 90_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${what}: ${(err as { stderr?: string }).stderr || (err as Error).message}`);
        await sleep(500);
      }
    }
  };
  await retry('Temporal did not become healthy', () => cli(['operator', 'cluster', 'health']));
  const exists = await cli(['operator', 'namespace', 'describe', '--namespace', namespace]).then(
    () => true,
    () => false,
  );
  if (!exists) {
    log(`Temporal: creating the namespace ${namespace} (retention ${retention})`);
    await retry(`could not create the namespace ${namespace}`, () =>
      cli(['operator', 'namespace', 'create', '--namespace', namespace, '--retention', retention]).catch((err) => {
        if (/already/i.test(String((err as { stderr?: string }).stderr))) return null;
        throw err;
      }),
    );
  }
  const listed = (
    await retry('could not list search attributes', () => cli(['operator', 'search-attribute', 'list', '--namespace', namespace]))
  ).stdout;
  const wanted = SEARCH_ATTRIBUTES.map((s) => s.split('=') as [string, string]).filter(
    ([name]) => !new RegExp(`\\b${name}\\b`).test(listed),
  );
  if (wanted.length) {
    log(`Temporal: registering the search attributes ${wanted.map(([n]) => n).join(', ')}`);
    await retry('could not create the search attributes', () =>
      cli([
        'operator',
        'search-attribute',
        'create',
        '--namespace',
        namespace,
        ...wanted.flatMap(([name, type]) => ['--name', name, '--type', type]),
      ]),
    );
  }
  // The services cache namespaces (refreshed every 2 s): wait until a query by the attributes
  // works, then one more refresh, so the first workflow that sets them is not refused.
  const probe = SEARCH_ATTRIBUTES.map((s) => `${s.split('=')[0]} = 'probe'`).join(' AND ');
  await retry('the search attributes did not become usable', () => cli(['workflow', 'count', '--namespace', namespace, '--query', probe]));
  await sleep(2_500);
}

// ---- the proxy ----------------------------------------------------------------------------------

/** Round-robin TCP proxy in front of the APIs (a load balancer / Service); skips a backend that refuses. */
function startProxy(port: number, backends: number[]): Promise<net.Server> {
  let next = 0;
  const server = net.createServer((client) => {
    client.pause();
    const tryBackend = (left: number) => {
      const target = backends[next++ % backends.length]!;
      const upstream = net.connect(target, '127.0.0.1');
      upstream.once('connect', () => {
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.once('error', () => (left > 1 ? tryBackend(left - 1) : client.destroy()));
    };
    tryBackend(backends.length);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// ---- the whole cluster --------------------------------------------------------------------------

export interface Cluster {
  dir: string;
  postgres: { port: number; version: string };
  temporal: { address: string; version: string; ports: TemporalPorts };
  ferret: { port: number; uri: string };
  workers: AppProcess[];
  apis: AppProcess[];
  proxyPort: number | null;
  /** Seconds per phase of the start. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const log = o.log ?? ((m: string) => console.log(`[cluster] ${m}`));
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    timings[name] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };
  fs.mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
  const tools = readTools();
  const started: Started[] = [];
  const apps: AppProcess[] = [];
  let proxy: net.Server | null = null;
  const stop = async () => {
    if (proxy) await new Promise((r) => proxy!.close(r));
    await Promise.all(apps.filter((a) => a.kind === 'api').map((a) => a.stop()));
    await Promise.all(apps.filter((a) => a.kind === 'worker').map((a) => a.stop()));
    for (const s of [...started].reverse()) await s.stop();
  };
  try {
    const temporalPorts = await chooseTemporalPorts(o.fresh ? undefined : (o.temporalPort ?? 7233));
    const pgPort = o.fresh ? await freePort() : await requirePort(o.postgresPort ?? 55432, 'PostgreSQL', 'CLUSTER_PG_PORT');
    const ferretPort = o.fresh ? await freePort() : await requirePort(o.ferretPort ?? 27018, 'FerretDB', 'CLUSTER_FERRETDB_PORT');
    const apiPorts = o.fresh
      ? [await freePort(), await freePort()]
      : [
          await requirePort(o.apiPorts?.[0] ?? 3001, 'API 1', 'CLUSTER_API_PORTS'),
          await requirePort(o.apiPorts?.[1] ?? 3002, 'API 2', 'CLUSTER_API_PORTS'),
        ];
    const proxyPort =
      o.proxyPort === null ? null : o.fresh ? await freePort() : await requirePort(o.proxyPort ?? 3000, 'the proxy', 'PORT');

    const pg = await startPostgres(o.dir, pgPort, log);
    started.push(pg);
    log(`PostgreSQL ${pg.version} on 127.0.0.1:${pg.port}`);
    phase('postgres');
    const temporal = await startTemporalServer({ dir: o.dir, pg, ports: temporalPorts, log });
    started.push(temporal);
    const namespace = o.appEnv?.TEMPORAL_NAMESPACE ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
    await setupNamespace(tools.TEMPORAL_CLI, temporal.address, namespace, o.retention ?? '720h', log);
    log(`Temporal server ${temporal.version} on ${temporal.address} (persistence and visibility in PostgreSQL)`);
    phase('temporal');
    const ferretDir = path.join(o.dir, 'ferretdb');
    const ferret = await startFerretDb({
      bin: tools.FERRETDB_BIN,
      port: ferretPort,
      dataDir: ferretDir,
      logFile: path.join(o.dir, 'logs', 'ferretdb.log'),
    });
    track(ferret.child);
    started.push(ferret);
    const mongodbUri = `mongodb://127.0.0.1:${ferretPort}/eenvoud`;
    log(`FerretDB on 127.0.0.1:${ferretPort}`);
    phase('ferretdb');

    // The worker bundle is copied into the cluster's folder, so a build or test run that replaces
    // dist/ meanwhile cannot pull it away from a restarting worker.
    const bundle = path.join(o.dir, 'workflow-bundle.js');
    const built = path.join(DIST, 'workflow-bundle.js');
    if (process.env.WORKFLOW_BUNDLE) fs.copyFileSync(process.env.WORKFLOW_BUNDLE, bundle);
    else if (fs.existsSync(built)) fs.copyFileSync(built, bundle);
    else {
      log('bundling the workflows (no dist/workflow-bundle.js)');
      const { bundleWorkflowCode } = await import('@temporalio/worker');
      fs.writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') })).code);
    }
    const publicBaseUrl = `http://127.0.0.1:${proxyPort ?? apiPorts[0]}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      MONGODB_URI: mongodbUri,
      HOST: '127.0.0.1',
      DATA_DIR: o.dir,
      WORKFLOW_BUNDLE: bundle,
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? publicBaseUrl,
      ...o.appEnv,
    };
    const workerCount = o.workers ?? 2;
    for (let i = 1; i <= workerCount; i++)
      apps.push(new AppProcess(`worker-${i}`, 'worker', env, path.join(o.dir, 'logs', `worker-${i}.log`), log, null));
    apiPorts.forEach((port, i) =>
      apps.push(
        new AppProcess(`api-${i + 1}`, 'api', { ...env, PORT: String(port) }, path.join(o.dir, 'logs', `api-${i + 1}.log`), log, port),
      ),
    );
    await Promise.all(apps.map((a) => a.start()));
    log(`${workerCount} workers polling, 2 APIs on ${apiPorts.join(' and ')}`);
    phase('app');
    if (proxyPort) proxy = await startProxy(proxyPort, apiPorts);
    return {
      dir: o.dir,
      postgres: { port: pg.port, version: pg.version },
      temporal: { address: temporal.address, version: temporal.version, ports: temporalPorts },
      ferret: { port: ferretPort, uri: mongodbUri },
      workers: apps.filter((a) => a.kind === 'worker'),
      apis: apps.filter((a) => a.kind === 'api'),
      proxyPort,
      timings,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
