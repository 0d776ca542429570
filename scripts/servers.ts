// Starts the embedded servers (Temporal dev server, FerretDB) as child processes.
// Used by `npm start` and by the Jest global setup.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

export interface Tools {
  TEMPORAL_CLI: string;
  TEMPORAL_TEST_SERVER: string;
  FERRETDB_BIN: string;
}

/** Paths written by scripts/install-tools.sh. */
export function readTools(): Tools {
  const file = path.join(ROOT, '.tools', 'tools.env');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/install-tools.sh (npm start and npm test do)`);
  const entries = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  return Object.fromEntries(entries) as unknown as Tools;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

function spawnLogged(bin: string, args: string[], logFile: string | null): ChildProcess {
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  // detached: a process group of its own, so Ctrl-C in the terminal reaches us first
  // and we stop children in order.
  return spawn(bin, args, { stdio: ['ignore', out, out], detached: true });
}

/** Stops a child with a signal (SIGTERM by default; PostgreSQL's fast shutdown is SIGINT), killing it after the timeout. */
export function stopChild(child: ChildProcess, timeoutMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export const SEARCH_ATTRIBUTES = ['EenvoudBuyer=Keyword', 'EenvoudProvider=Keyword', 'EenvoudStatus=Keyword', 'EenvoudAssignee=Keyword'];

/**
 * The SQLite pragmas of the embedded Temporal dev server's file store. WAL with
 * synchronous=NORMAL syncs at checkpoints instead of on every commit: a committed transaction
 * survives a crash of the process (kill -9), only a power loss or OS crash may lose the last
 * ones. Production runs Temporal on PostgreSQL (npm run cluster), not on this store.
 */
export const DEFAULT_TEMPORAL_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=WAL', 'synchronous=NORMAL'];

/**
 * The SQLite pragmas of the embedded FerretDB, added to its own (busy_timeout, journal_mode=WAL,
 * auto_vacuum). synchronous=NORMAL, as for Temporal: in WAL mode a commit then waits for no
 * fsync; it survives a crash of the process, a power loss may lose the last ones.
 */
export const DEFAULT_FERRETDB_SQLITE_PRAGMAS: readonly string[] = ['synchronous=NORMAL'];

/** The pragmas for the embedded FerretDB: FERRETDB_SQLITE_PRAGMAS when set (empty: none), else the default. */
export function ferretDbSqlitePragmas(env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env.FERRETDB_SQLITE_PRAGMAS;
  return value === undefined ? [...DEFAULT_FERRETDB_SQLITE_PRAGMAS] : parseSqlitePragmas(value, 'FERRETDB_SQLITE_PRAGMAS');
}

/** Parses a comma-separated pragma list ("journal_mode=WAL,synchronous=NORMAL"); "" or "none": none. */
export function parseSqlitePragmas(value: string, name = 'TEMPORAL_SQLITE_PRAGMAS'): string[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const pragmas = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of pragmas)
    if (!/^[a-z_]+=[A-Za-z0-9_-]+$/.test(p)) throw new Error(`${name}: "${p}" is not a pragma=value (e.g. journal_mode=WAL)`);
  return pragmas;
}

/** The pragmas for the embedded store: TEMPORAL_SQLITE_PRAGMAS when set (empty: none), else the default. */
export function temporalSqlitePragmas(env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env.TEMPORAL_SQLITE_PRAGMAS;
  return value === undefined ? [...DEFAULT_TEMPORAL_SQLITE_PRAGMAS] : parseSqlitePragmas(value);
}

export async function startTemporal(opts: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  logFile: string | null;
  namespaces?: string[];
  /**
   * SQLite pragmas for the dev server's store ("journal_mode=WAL"), each as --sqlite-pragma.
   * Default: temporalSqlitePragmas() for a file store (as npm start), none in memory.
   */
  sqlitePragmas?: string[];
}): Promise<Started> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  for (const ns of opts.namespaces ?? []) args.push('--namespace', ns);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const p of opts.sqlitePragmas ?? (opts.dbFile ? temporalSqlitePragmas() : [])) args.push('--sqlite-pragma', p);
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', sa);
  const child = spawnLogged(opts.cli, args, opts.logFile);
  await waitForPort(opts.port, 60_000, child);
  return { child, stop: () => stopChild(child) };
}

export async function startFerretDb(opts: {
  bin: string;
  port: number;
  dataDir: string;
  logFile: string | null;
  /** SQLite pragmas as name=value; default ferretDbSqlitePragmas() (as npm start). */
  sqlitePragmas?: string[];
}): Promise<Started> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = ['--listen-addr', `127.0.0.1:${opts.port}`, '--data-dir', opts.dataDir];
  // The wrapper takes SQLite's DSN form, name(value).
  for (const p of opts.sqlitePragmas ?? ferretDbSqlitePragmas()) args.push('--sqlite-pragma', p.replace(/^([a-z_]+)=(.*)$/, '$1($2)'));
  const child = spawnLogged(opts.bin, args, opts.logFile);
  await waitForPort(opts.port, 30_000, child);
  return { child, stop: () => stopChild(child) };
}

export { ROOT };

/**
 * V8 flags for the worker process: a bounded old generation and small semi-spaces make V8
 * collect garbage early instead of growing, which keeps a 100,000-entry invoice run well under
 * 300 MB resident (measured with `npm run bench`). docker-compose.yml uses the same flags.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'];
