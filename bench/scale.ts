// Benchmark (not a test): does the worker stay flat as requests that wait on people pile up?
//
// Opens requests through the HTTP API (each a real request workflow, submitted and waiting on
// its intake, with its SLA timer running), up to each size in turn (default 1,000 then 10,000),
// and at each size:
//   - the worker's resident memory (RSS), after opening them and after a restart;
//   - the worker's start-up: a new worker process is spawned (the old one stopped, as a deploy
//     does) and timed until it polls ("worker started") and until a first Update on a waiting
//     request it never saw completes;
//   - the first action on waiting requests the worker has not cached (accept intake, over HTTP);
//   - step latency of a few whole lifecycles (the nine API steps of bench/lifecycle.ts).
// The goal: flat, within 20 % from the first size to the last. Worker and API are processes of
// their own, as in production (npm start), on the embedded Temporal dev server and FerretDB.
// Prints the figures and the ratios, writes bench/results/scale.json (scale-100-500.json and so
// on for other sizes).
//
//   npm run bench:scale                              # 1,000 and 10,000 (hours on FerretDB v1: opening slows
//                                                    # as requests pile up; 1,000 take about 3 min)
//   BENCH_SCALE_SIZES=100,500 npm run bench:scale    # a quick run
//
// Options (environment):
//   BENCH_SCALE_SIZES             open requests at each measurement, ascending, default 1000,10000
//   BENCH_SCALE_OPEN_CONCURRENCY  submissions at a time while opening, default 8 (as bench/lifecycle.ts and the
//                                 chaos run; see workerLogErrors in the result)
//   BENCH_SCALE_LIFECYCLES        lifecycles measured at each size, default 10 (after 2 warm-up)
//   BENCH_SCALE_CONCURRENCY       lifecycles at a time, default 1 (latency, not throughput)
//   BENCH_SCALE_WAITING_ACTIONS   first actions on waiting requests at each size, default 10
//   BENCH_SQLITE_PRAGMAS          the Temporal dev server's SQLite pragmas (default as npm start; none: none)
//   BENCH_LOG_LEVEL               LOG_LEVEL of the worker and the API, default info (as production)
//   BENCH_WORKER_NODE_FLAGS       the worker's Node flags, space-separated, default WORKER_NODE_FLAGS (npm start's)
//   BENCH_SCALE_OUT               where the JSON goes
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { acceptIntake, requestWorkflowId } from '../contracts';
import { driveLifecycle, LIFECYCLE_BUYERS, LIFECYCLE_STAFF, LIFECYCLE_USERS, type SendStep } from '../scripts/request-lifecycle';
import type { Actor } from '../domain/roles';
import { MAX_MINUTES_PER_DAY } from '../domain/time';
import { connectDatabase } from '../models/connect';
import { seedDemoData } from '../models/demo-data';
import {
  freePort,
  readTools,
  startFerretDb,
  startTemporal,
  stopChild,
  waitForPort,
  WORKER_NODE_FLAGS,
  type Started,
} from '../scripts/servers';
import { BARE_STEPS, type BareStep } from './bare-workflow';
import { benchLog, benchSqlitePragmas, envInt, load1, machineInfo, rssMbOf, summary, writeResult, type Summary, runBench } from './common';

const DIST = path.resolve(__dirname, '..');
const ROOT = path.resolve(DIST, fs.existsSync(path.join(DIST, 'package.json')) ? '' : '..');
const STEPS = BARE_STEPS;
type Step = BareStep;
const DEFAULT_SIZES = [1_000, 10_000];

const ENTRY_MINUTES = [1, 2] as const;

interface SizeResult {
  size: number;
  /** Opening the requests added since the last size. */
  opening: { requests: number; seconds: number; perSecond: number };
  workerRssMb: { afterOpening: number | null; afterRestart: number | null; afterLifecycles: number | null };
  /** The other processes, for the record: the Temporal dev server and FerretDB grow with the data. */
  serverRssMb: { temporal: number | null; ferretdb: number | null };
  storeMb: { temporal: number; ferretdb: number };
  startup: { toPollingMs: number; toFirstUpdateMs: number };
  /** The worker's own account of its start (its start log line): ms since its process began. */
  startupParts: Record<string, number>;
  /** Accept intake on waiting requests the worker has not cached: it reads their history first. */
  waitingFirstAction: Summary;
  steps: Summary;
  perStep: Record<Step, Summary>;
  loadAverage1m: number;
  /** What the worker logged as a warning or an error up to this size, by message, with counts. */
  workerProblems: Record<string, number>;
}

/** Bytes of the files under a path (a file or a directory), in MB. */
function sizeMb(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const walk = (q: string): number => {
    const st = fs.statSync(q);
    return st.isDirectory() ? fs.readdirSync(q).reduce((a, e) => a + walk(path.join(q, e)), 0) : st.size;
  };
  return Math.round((walk(p) / 1024 / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  const sizesEnv = process.env.BENCH_SCALE_SIZES;
  const sizes = sizesEnv ? sizesEnv.split(',').map((s) => Number(s.trim())) : DEFAULT_SIZES;
  if (!sizes.length || sizes.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= sizes[i - 1]!)))
    throw new Error(`BENCH_SCALE_SIZES must be ascending whole numbers, got ${sizesEnv}`);
  const openConcurrency = envInt('BENCH_SCALE_OPEN_CONCURRENCY', 8, 1);
  const lifecycles = envInt('BENCH_SCALE_LIFECYCLES', 10, 1);
  const warmup = 2;
  const concurrency = envInt('BENCH_SCALE_CONCURRENCY', 1, 1);
  const waitingActions = envInt('BENCH_SCALE_WAITING_ACTIONS', 10, 1);
  const sqlitePragmas = benchSqlitePragmas();
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const workerFlags = process.env.BENCH_WORKER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? WORKER_NODE_FLAGS;
  const full = sizes.join(',') === DEFAULT_SIZES.join(',');
  const out = process.env.BENCH_SCALE_OUT ?? path.join(ROOT, 'bench', 'results', full ? 'scale.json' : `scale-${sizes.join('-')}.json`);
  // Every entry is logged today; a person may log at most 24 hours a day.
  const perStaff = Math.ceil(((lifecycles + warmup) * sizes.length) / LIFECYCLE_STAFF.length) * ENTRY_MINUTES.reduce((a, b) => a + b, 0);
  if (perStaff > MAX_MINUTES_PER_DAY) throw new Error(`too many lifecycles: ${perStaff} minutes a day for one staff member`);
  const waitingNeeded = sizes.length * (waitingActions + 1);
  if (sizes[0]! <= waitingNeeded) throw new Error(`the first size must be more than ${waitingNeeded} (the waiting requests acted on)`);

  const loadAtStart = load1();
  const log = benchLog('scale');
  const t00 = performance.now();
  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-bench-scale-'));
  const [temporalPort, mongoPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const started: Started[] = [];
  const children = new Set<ChildProcess>();
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const c of [...children].reverse()) await stopChild(c);
      for (const s of [...started].reverse()) await s.stop();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopAll().finally(() => process.exit(130)));

  let ok = false;
  let connection: Connection | null = null;
  let closeDb: (() => Promise<void>) | null = null;
  try {
    log(`servers in ${dir} (Temporal SQLite pragmas: ${sqlitePragmas.join(', ') || 'none'})`);
    const temporalDb = path.join(dir, 'temporal.db');
    started.push(
      await startTemporal({
        cli: tools.TEMPORAL_CLI,
        port: temporalPort,
        dbFile: temporalDb,
        logFile: path.join(dir, 'temporal.log'),
        sqlitePragmas,
      }),
    );
    const ferretDir = path.join(dir, 'ferretdb');
    started.push(
      await startFerretDb({ bin: tools.FERRETDB_BIN, port: mongoPort, dataDir: ferretDir, logFile: path.join(dir, 'ferretdb.log') }),
    );
    const [temporalPid, ferretPid] = [started[0]!.child.pid, started[1]!.child.pid];
    const mongodbUri = `mongodb://127.0.0.1:${mongoPort}/eenvoud_bench`;
    const database = await connectDatabase(mongodbUri);
    closeDb = database.close;
    await seedDemoData(database.models);
    connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const client = new Client({ connection });

    const env = {
      ...process.env,
      NODE_ENV: 'development',
      DEV_AUTH: 'true',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      MONGODB_URI: mongodbUri,
      TASK_QUEUE: 'bench-scale',
      INVOICE_SCHEDULES: 'false',
      SEED_DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '100000000',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      ...(fs.existsSync(path.join(DIST, 'workflow-bundle.js')) ? { WORKFLOW_BUNDLE: path.join(DIST, 'workflow-bundle.js') } : {}),
    };
    const workerLog = fs.createWriteStream(path.join(dir, 'worker.log'), { flags: 'a' });
    // Errors and warnings the worker logs (pino level 40+, the SDK core's WARN/ERROR lines), by message.
    const workerProblems = new Map<string, number>();
    const noteProblem = (line: string) => {
      const plain = line.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''); // terminal colours
      const core = /\b(WARN|ERROR)\s+\S+:\s+(.*)$/.exec(plain);
      const pinoMsg = /"level":(?:40|50|60).*?"msg":"([^"]*)"/.exec(plain);
      const key = core ? `${core[1]} ${core[2]!.slice(0, 160)}` : pinoMsg ? `pino ${pinoMsg[1]}` : null;
      if (key) workerProblems.set(key, (workerProblems.get(key) ?? 0) + 1);
    };

    /** A worker process as npm start runs it; `polling` resolves (ms after the spawn) once it polls. */
    const spawnWorker = () => {
      const t0 = performance.now();
      const child = spawn(process.execPath, ['--enable-source-maps', ...workerFlags, path.join(DIST, 'worker', 'main.js')], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        workerLog.write(`${line}\n`);
        noteProblem(line);
      });
      let startupParts: Record<string, number> = {};
      const polling = new Promise<number>((resolve, reject) => {
        const lines = readline.createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          workerLog.write(`${line}\n`);
          noteProblem(line);
          // Logged right after worker.run(): the pollers are started.
          if (line.includes('"worker started"')) {
            try {
              startupParts = (JSON.parse(line) as { startup?: Record<string, number> }).startup ?? {};
            } catch {
              // not JSON (a pretty log): the parts stay unknown
            }
            resolve(performance.now() - t0);
          }
        });
        child.once('exit', (code, signal) =>
          reject(new Error(`worker exited (${signal ?? code}) before it started; see ${dir}/worker.log`)),
        );
      });
      return { child, t0, polling, startupParts: () => startupParts };
    };
    let worker = spawnWorker();
    await worker.polling;
    const apiOut = fs.openSync(path.join(dir, 'api.log'), 'a');
    const api = spawn(process.execPath, ['--enable-source-maps', path.join(DIST, 'server', 'main.js')], {
      env,
      stdio: ['ignore', apiOut, apiOut],
    });
    children.add(api);
    await waitForPort(apiPort, 60_000, api);

    const base = `http://127.0.0.1:${apiPort}`;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read loosely
    const call = async (method: string, p: string, token: string | null, body?: object): Promise<{ status: number; body: any }> => {
      const res = await fetch(base + p, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const tokens = new Map<string, string>();
    const actors = new Map<string, Actor>();
    for (const user of LIFECYCLE_USERS) {
      const r = await call('POST', '/dev/token', null, { userId: user });
      if (r.status !== 200) throw new Error(`no token for ${user}: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(user, r.body.token);
      actors.set(user, r.body.actor);
    }
    const tokenOf = (user: string) => tokens.get(user)!;
    const post = async (p: string, user: string, body: object, expect: number, what: string) => {
      const r = await call('POST', p, tokenOf(user), body);
      if (r.status !== expect) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body;
    };

    /** Runs `count` jobs, `concurrency` at a time. */
    const pool = async (count: number, conc: number, job: (i: number) => Promise<void>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(conc, count) }, async () => {
          for (let i = next++; i < count; i = next++) await job(i);
        }),
      );
    };

    // Requests waiting on intake; a few are set aside for the first actions after each restart.
    const waiting: string[] = [];
    let submitted = 0;
    const open = async (count: number) => {
      let reported = performance.now();
      await pool(count, openConcurrency, async () => {
        const k = submitted++;
        const buyer = `${LIFECYCLE_BUYERS[k % LIFECYCLE_BUYERS.length]}-requester`;
        const r = await post('/api/requests', buyer, { serviceId: 'DOR-LEERPLICHT', title: `Wacht ${k}` }, 201, `submit ${k}`);
        waiting.push(r.requestId);
        if (performance.now() - reported > 30_000) {
          reported = performance.now();
          log(`  ${waiting.length} open …`);
        }
      });
    };
    /** Takes waiting requests out of the pool (spread over all of it), so each is acted on once. */
    const takeWaiting = (count: number) =>
      Array.from({ length: count }, (_, k) => waiting.splice(Math.floor(((k + 0.5) / count) * (waiting.length - 1)), 1)[0]!);

    let lifecycleNo = 0;
    const lifecycle = async (time: (step: Step, ms: number) => void) => {
      const i = lifecycleNo++;
      const send: SendStep = async (step, p, user, body, expected) => {
        const t0 = performance.now();
        const r = await post(p, user, body, expected, `lifecycle ${i} ${step}`);
        time(step, performance.now() - t0);
        return r;
      };
      await driveLifecycle(i, send, { title: `Schaal ${i}`, entryMinutes: ENTRY_MINUTES });
    };

    const results: SizeResult[] = [];
    for (const size of sizes) {
      const adding = size - waiting.length;
      log(`opening ${adding} requests (to ${size} waiting), ${openConcurrency} at a time …`);
      const o0 = performance.now();
      await open(adding);
      const openSeconds = (performance.now() - o0) / 1000;
      log(`  ${size} waiting; ${Math.round(adding / openSeconds)} submissions/s`);
      // Let the last SLA timers and deadlines settle before reading the memory.
      await new Promise((r) => setTimeout(r, 2_000));
      const rssAfterOpening = rssMbOf(worker.child.pid);

      // A restart, as a deploy does: stop the worker, start a new one, act on a waiting request at once.
      log('restarting the worker …');
      await stopChild(worker.child);
      children.delete(worker.child);
      const [first, ...others] = takeWaiting(waitingActions + 1);
      worker = spawnWorker();
      const spawnedAt = worker.t0;
      await client.workflow
        .getHandle(requestWorkflowId(first!))
        .executeUpdate(acceptIntake, { args: [{ actor: actors.get('dor-coordinator')!, estimateMinutes: 600 }] });
      const toFirstUpdateMs = performance.now() - spawnedAt;
      const toPollingMs = await worker.polling;
      const startupParts = worker.startupParts();
      const rssAfterRestart = rssMbOf(worker.child.pid);
      log(`  polling after ${Math.round(toPollingMs)} ms, first Update done after ${Math.round(toFirstUpdateMs)} ms`);

      const waitingMs: number[] = [];
      for (const id of others) {
        const t0 = performance.now();
        await post(`/api/requests/${id}/accept-intake`, 'dor-coordinator', { estimateMinutes: 600 }, 200, `accept intake of waiting ${id}`);
        waitingMs.push(performance.now() - t0);
      }

      log(`${warmup} warm-up lifecycles, then ${lifecycles}, ${concurrency} at a time …`);
      await pool(warmup, concurrency, () => lifecycle(() => undefined));
      const stepMs = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
      await pool(lifecycles, concurrency, () => lifecycle((step, ms) => stepMs[step].push(ms)));

      const r: SizeResult = {
        size,
        opening: { requests: adding, seconds: Math.round(openSeconds * 10) / 10, perSecond: Math.round((adding / openSeconds) * 10) / 10 },
        workerRssMb: { afterOpening: rssAfterOpening, afterRestart: rssAfterRestart, afterLifecycles: rssMbOf(worker.child.pid) },
        serverRssMb: { temporal: rssMbOf(temporalPid), ferretdb: rssMbOf(ferretPid) },
        storeMb: { temporal: Math.round((sizeMb(temporalDb) + sizeMb(`${temporalDb}-wal`)) * 10) / 10, ferretdb: sizeMb(ferretDir) },
        startup: { toPollingMs: Math.round(toPollingMs), toFirstUpdateMs: Math.round(toFirstUpdateMs) },
        startupParts,
        waitingFirstAction: summary(waitingMs),
        steps: summary(STEPS.flatMap((s) => stepMs[s])),
        perStep: Object.fromEntries(STEPS.map((s) => [s, summary(stepMs[s])])) as Record<Step, Summary>,
        loadAverage1m: load1(),
        workerProblems: Object.fromEntries(workerProblems),
      };
      results.push(r);
      log(
        `  ${size}: worker RSS ${r.workerRssMb.afterLifecycles} MB, start-up ${r.startup.toPollingMs}/${r.startup.toFirstUpdateMs} ms, ` +
          `step p50 ${r.steps.p50} ms, p95 ${r.steps.p95} ms`,
      );
      // A long run stopped halfway still leaves the sizes it measured.
      await writeResult(out, { partial: true, date: new Date().toISOString(), sizes: results });
    }

    // ---- the table ---------------------------------------------------------------------------
    const first = results[0]!;
    const ratio = (a: number | null, b: number | null) => (a !== null && b ? Math.round((a / b) * 100) / 100 : null);
    const ratios = results.slice(1).map((r) => ({
      from: first.size,
      to: r.size,
      workerRssAfterLifecycles: ratio(r.workerRssMb.afterLifecycles, first.workerRssMb.afterLifecycles),
      workerRssAfterOpening: ratio(r.workerRssMb.afterOpening, first.workerRssMb.afterOpening),
      startupToPolling: ratio(r.startup.toPollingMs, first.startup.toPollingMs),
      startupToFirstUpdate: ratio(r.startup.toFirstUpdateMs, first.startup.toFirstUpdateMs),
      waitingFirstActionP50: ratio(r.waitingFirstAction.p50, first.waitingFirstAction.p50),
      stepP50: ratio(r.steps.p50, first.steps.p50),
      stepP95: ratio(r.steps.p95, first.steps.p95),
    }));
    const machine = machineInfo(loadAtStart);
    const wallMinutes = Math.round((performance.now() - t00) / 600) / 100;
    const col = (v: number | string | null, w = 12) => String(v ?? '-').padStart(w);
    console.log(
      `\nScale benchmark: requests waiting on intake at ${sizes.join(', ')}; ${lifecycles} lifecycles at each size ` +
        `(${concurrency} at a time, after ${warmup} warm-up); Temporal dev server (SQLite file${sqlitePragmas.length ? `, ${sqlitePragmas.join(', ')}` : ''}) and FerretDB/SQLite`,
    );
    console.log(
      `machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.totalMemMb} MB, Node ${machine.node}; load average (1 min) ` +
        `${machine.loadAverage1m.atStart} at start, ${results.map((r) => r.loadAverage1m).join(', ')} after each size; ${wallMinutes} min in all`,
    );
    const rows: [string, (r: SizeResult) => number | string | null][] = [
      ['opened (requests/s)', (r) => r.opening.perSecond],
      ['worker RSS after opening (MB)', (r) => r.workerRssMb.afterOpening],
      ['worker RSS after restart (MB)', (r) => r.workerRssMb.afterRestart],
      ['worker RSS after lifecycles (MB)', (r) => r.workerRssMb.afterLifecycles],
      ['start-up: spawn to polling (ms)', (r) => r.startup.toPollingMs],
      ['start-up: spawn to first Update (ms)', (r) => r.startup.toFirstUpdateMs],
      ...['modulesLoaded', 'databaseReady', 'seeded', 'temporalConnected', 'workerCreated', 'schedulesChecked', 'polling'].map(
        (part): [string, (r: SizeResult) => number | null] => [`  worker's own clock: ${part} (ms)`, (r) => r.startupParts[part] ?? null],
      ),
      ['waiting request, 1st action p50 (ms)', (r) => r.waitingFirstAction.p50],
      ['waiting request, 1st action p95 (ms)', (r) => r.waitingFirstAction.p95],
      ['step p50 (ms)', (r) => r.steps.p50],
      ['step p95 (ms)', (r) => r.steps.p95],
      ['Temporal dev server RSS (MB)', (r) => r.serverRssMb.temporal],
      ['FerretDB RSS (MB)', (r) => r.serverRssMb.ferretdb],
      ['Temporal store (MB)', (r) => r.storeMb.temporal],
      ['FerretDB store (MB)', (r) => r.storeMb.ferretdb],
    ];
    console.log(`\n${'waiting requests'.padEnd(40)}${results.map((r) => col(r.size)).join('')}`);
    for (const [name, get] of rows) console.log(`${name.padEnd(40)}${results.map((r) => col(get(r))).join('')}`);
    console.log('\nstep p50 (ms)'.padEnd(41) + results.map((r) => col(r.size)).join(''));
    for (const s of STEPS) console.log(`  ${s.padEnd(38)}${results.map((r) => col(r.perStep[s].p50)).join('')}`);
    for (const q of ratios) {
      const flat = (v: number | null) => (v === null ? '-' : `${v}x${v <= 1.2 ? '' : ' (over 1.2)'}`);
      console.log(
        `\n${q.from} -> ${q.to}: worker RSS ${flat(q.workerRssAfterLifecycles)}, start-up to polling ${flat(q.startupToPolling)}, ` +
          `to first Update ${flat(q.startupToFirstUpdate)}, waiting 1st action p50 ${flat(q.waitingFirstActionP50)}, ` +
          `step p50 ${flat(q.stepP50)}, p95 ${flat(q.stepP95)}  (goal: within 1.2x)`,
      );
    }

    const problems = results[results.length - 1]!.workerProblems;
    if (Object.keys(problems).length) {
      console.log('\nthe worker logged (warnings and errors, all sizes):');
      for (const [m, c] of Object.entries(problems)) console.log(`  ${String(c).padStart(6)}  ${m}`);
    }

    const result = {
      date: new Date().toISOString(),
      machine,
      wallMinutes,
      options: {
        sizes,
        openConcurrency,
        lifecycles,
        warmup,
        concurrency,
        waitingActions,
        sqlitePragmas,
        logLevel,
        workerNodeFlags: workerFlags,
      },
      units: 'ms, MB; ratios: the size over the first size (goal: at most 1.2)',
      sizes: results,
      ratios,
    };
    await writeResult(out, result);
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
    ok = true;
  } finally {
    await connection?.close().catch(() => undefined);
    await closeDb?.().catch(() => undefined);
    await stopAll();
    if (ok) fs.rmSync(dir, { recursive: true, force: true });
    else console.error(`logs kept in ${dir}`);
  }
}

runBench(main);
