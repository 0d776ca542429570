// Benchmark (not a test): request lifecycles through the HTTP API against the engine's floor.
//
// Eenvoud: N requests, C at a time, each through the nine API steps of a request (submit,
// accept intake, approve quote, assign, two time entries, submit result, four-eyes review,
// accept), with the worker and the API as processes of their own, as in production (npm start),
// on the embedded Temporal dev server and FerretDB.
// The floor: the same nine steps as Updates of a bare workflow (bench/bare-workflow.ts), each
// running one local activity that writes one document, on the same servers and database, with
// its worker in this process.
// Also: GET /api/requests (one page) against a bare find of the same collection.
// Prints a table and writes bench/results/lifecycle.json.
//
//   npm run bench:lifecycle
//   BENCH_N=200 BENCH_CONCURRENCY=8 npm run bench:lifecycle
//   BENCH_SQLITE_PRAGMAS=none npm run bench:lifecycle      # SQLite's own settings, not npm start's
//   npm run bench:lifecycle -- --n 16 --concurrency 4
//
// Options (environment, or the flags in brackets):
//   BENCH_N (--n)                     lifecycles measured on each side, default 40
//   BENCH_CONCURRENCY (--concurrency) lifecycles at a time, default 8
//   BENCH_WARMUP (--warmup)           lifecycles run first on each side and not measured, default = concurrency
//   BENCH_LIST_REPEATS                list calls (and bare finds) measured, default 50
//   BENCH_SQLITE_PRAGMAS              the Temporal dev server's SQLite pragmas, comma-separated; "" or none: none;
//                                     default as npm start (TEMPORAL_SQLITE_PRAGMAS, else WAL + synchronous=NORMAL)
//   BENCH_TEMPORAL_DB                 file (default, as npm start) or memory (the dev server's default)
//   BENCH_IDEMPOTENCY_KEYS            1: send an Idempotency-Key on every POST (as the chaos run does)
//   BENCH_LOG_LEVEL                   LOG_LEVEL of the worker and the API, default info (as production)
//   BENCH_LIFECYCLE_OUT               where the JSON goes, default bench/results/lifecycle.json
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { requestWorkflowId } from '../contracts';
import { driveLifecycle, LIFECYCLE_BUYERS, LIFECYCLE_STAFF, LIFECYCLE_USERS, type SendStep } from '../scripts/request-lifecycle';
import { MAX_MINUTES_PER_DAY } from '../domain/time';
import { connectDatabase } from '../models/connect';
import { seedDemoData } from '../models/demo-data';
import {
  freePort,
  parseSqlitePragmas,
  readTools,
  startFerretDb,
  startTemporal,
  stopChild,
  temporalSqlitePragmas,
  waitForPort,
  WORKER_NODE_FLAGS,
  type Started,
} from '../scripts/servers';
import { BARE_STEPS, bareLifecycleWorkflow, bareSteps, type BareActivities, type BareStep } from './bare-workflow';
import { cpuOf, writeResult, runBench } from './common';

const DIST = path.resolve(__dirname, '..');
const STEPS = BARE_STEPS;
type Step = BareStep;

interface Options {
  n: number;
  concurrency: number;
  warmup: number;
  listRepeats: number;
  sqlitePragmas: string[];
  temporalDb: 'file' | 'memory';
  idempotencyKeys: boolean;
  logLevel: string;
  out: string;
}

function options(argv: string[]): Options {
  const env = process.env;
  const int = (v: string | undefined, dflt: number, name: string) => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${v}`);
    return n;
  };
  let n = int(env.BENCH_N, 40, 'BENCH_N');
  let concurrency = int(env.BENCH_CONCURRENCY, 8, 'BENCH_CONCURRENCY');
  let warmup: number | null = env.BENCH_WARMUP ? int(env.BENCH_WARMUP, 0, 'BENCH_WARMUP') : null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--n') n = int(argv[++i], n, '--n');
    else if (a === '--concurrency') concurrency = int(argv[++i], concurrency, '--concurrency');
    else if (a === '--warmup') warmup = int(argv[++i], 0, '--warmup');
    else throw new Error(`unknown option ${a} (options: --n, --concurrency, --warmup; see the top of bench/lifecycle.ts)`);
  }
  if (n < 1 || concurrency < 1) throw new Error('N and the concurrency must be at least 1');
  const temporalDb = env.BENCH_TEMPORAL_DB ?? 'file';
  if (temporalDb !== 'file' && temporalDb !== 'memory') throw new Error(`BENCH_TEMPORAL_DB must be file or memory, got ${temporalDb}`);
  return {
    n,
    concurrency,
    warmup: warmup ?? concurrency,
    listRepeats: Math.max(1, int(env.BENCH_LIST_REPEATS, 50, 'BENCH_LIST_REPEATS')),
    // The same store as npm start unless told otherwise; a store in memory takes none.
    sqlitePragmas:
      env.BENCH_SQLITE_PRAGMAS !== undefined
        ? parseSqlitePragmas(env.BENCH_SQLITE_PRAGMAS, 'BENCH_SQLITE_PRAGMAS')
        : temporalDb === 'file'
          ? temporalSqlitePragmas()
          : [],
    temporalDb,
    idempotencyKeys: ['1', 'true', 'yes'].includes(env.BENCH_IDEMPOTENCY_KEYS ?? ''),
    logLevel: env.BENCH_LOG_LEVEL ?? 'info',
    out: env.BENCH_LIFECYCLE_OUT ?? path.join(DIST, '..', 'bench', 'results', 'lifecycle.json'),
  };
}

// ---- figures -------------------------------------------------------------------------------

interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentiles, in milliseconds (one decimal). */
function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : 0);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    count: s.length,
    p50: r(at(50)),
    p95: r(at(95)),
    p99: r(at(99)),
    mean: r(s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0),
    max: r(s.length ? s[s.length - 1]! : 0),
  };
}

interface SideResult {
  wallSeconds: number;
  lifecyclesPerSecond: number;
  lifecycle: Summary;
  overall: Summary;
  steps: Record<Step, Summary>;
  /** CPU seconds each process used during the measured lifecycles. */
  cpuSeconds: Record<string, number>;
}

/** Runs `count` lifecycles `concurrency` at a time; returns step timings and the wall time. */
async function drive(
  count: number,
  concurrency: number,
  offset: number,
  lifecycle: (i: number, time: <T>(step: Step, work: () => Promise<T>) => Promise<T>) => Promise<void>,
): Promise<{ wallMs: number; steps: Record<Step, number[]>; lifecycles: number[] }> {
  const steps = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const lifecycles: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const l0 = performance.now();
        await lifecycle(offset + i, async (step, work) => {
          const s0 = performance.now();
          const v = await work();
          steps[step].push(performance.now() - s0);
          return v;
        });
        lifecycles.push(performance.now() - l0);
      }
    }),
  );
  return { wallMs: performance.now() - t0, steps, lifecycles };
}

function sideResult(run: Awaited<ReturnType<typeof drive>>, n: number, cpuSeconds: Record<string, number>): SideResult {
  return {
    wallSeconds: Math.round(run.wallMs) / 1000,
    lifecyclesPerSecond: Math.round((n / (run.wallMs / 1000)) * 100) / 100,
    lifecycle: summary(run.lifecycles),
    overall: summary(STEPS.flatMap((s) => run.steps[s])),
    steps: Object.fromEntries(STEPS.map((s) => [s, summary(run.steps[s])])) as Record<Step, Summary>,
    cpuSeconds,
  };
}

// ---- the run -------------------------------------------------------------------------------

const ENTRY_MINUTES = [1, 2] as const;

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  // Other work on the machine skews the figures: the load average before and after says how much there was.
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  // Every entry is logged today; a person may log at most 24 hours a day.
  const perStaff = Math.ceil((o.n + o.warmup) / LIFECYCLE_STAFF.length) * ENTRY_MINUTES.reduce((a, b) => a + b, 0);
  if (perStaff > MAX_MINUTES_PER_DAY)
    throw new Error(`N + warm-up too large: ${perStaff} minutes a day for one staff member (at most ${MAX_MINUTES_PER_DAY})`);

  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-bench-lifecycle-'));
  const log = (m: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const [temporalPort, mongoPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const started: Started[] = [];
  const children: ChildProcess[] = [];
  let bare: { worker: Worker; running: Promise<void>; connection: NativeConnection } | null = null;
  const stopBare = async () => {
    const b = bare;
    bare = null;
    if (!b) return;
    b.worker.shutdown();
    await b.running.catch(() => undefined);
    await b.connection.close().catch(() => undefined);
  };
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      await stopBare();
      for (const c of [...children].reverse()) await stopChild(c);
      for (const s of [...started].reverse()) await s.stop();
    })());
  // Ctrl-C stops the servers too (they run in their own process groups).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopAll().finally(() => process.exit(130)));

  let ok = false;
  let connection: Connection | null = null;
  let closeDb: (() => Promise<void>) | null = null;
  try {
    log(`servers in ${dir}${o.sqlitePragmas.length ? ` (SQLite pragmas: ${o.sqlitePragmas.join(', ')})` : ''}`);
    started.push(
      await startTemporal({
        cli: tools.TEMPORAL_CLI,
        port: temporalPort,
        dbFile: o.temporalDb === 'file' ? path.join(dir, 'temporal.db') : undefined,
        logFile: path.join(dir, 'temporal.log'),
        sqlitePragmas: o.sqlitePragmas,
      }),
    );
    const ferret = await startFerretDb({
      bin: tools.FERRETDB_BIN,
      port: mongoPort,
      dataDir: path.join(dir, 'ferretdb'),
      logFile: path.join(dir, 'ferretdb.log'),
    });
    started.push(ferret);
    const temporalPid = started[0]!.child.pid;
    const ferretPid = ferret.child.pid;

    const mongodbUri = `mongodb://127.0.0.1:${mongoPort}/eenvoud_bench`;
    const database = await connectDatabase(mongodbUri);
    const models = database.models;
    closeDb = database.close;
    connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const client = new Client({ connection });
    await seedDemoData(models);

    // ---- the floor: a bare workflow, its worker in this process ----------------------------
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const db = models.Request.db.db!;
    const bareCollection = db.collection<{ _id: string } & Record<string, unknown>>('bench_bare_lifecycles');
    const activities: BareActivities = {
      async bareRecord({ id, step, status, version, actor, data }) {
        const at = new Date().toISOString();
        if (step === 'submit')
          await bareCollection.insertOne({ _id: id, status, version, actor, data: data ?? null, submittedAt: at, updatedAt: at });
        else
          await bareCollection.updateOne({ _id: id }, { $set: { status, version, actor, [`steps.${step}`]: data ?? {}, updatedAt: at } });
      },
    };
    log('bundling the bare workflow …');
    const quiet = () => undefined;
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./bare-workflow'),
      logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
    });
    const bareQueue = 'bench-bare';
    const bareConnection = await NativeConnection.connect({ address: `127.0.0.1:${temporalPort}` });
    const bareWorker = await Worker.create({
      connection: bareConnection,
      taskQueue: bareQueue,
      workflowBundle: { code },
      activities,
    });
    bare = { worker: bareWorker, running: bareWorker.run(), connection: bareConnection };

    const bareLifecycle = async (i: number, time: <T>(step: Step, work: () => Promise<T>) => Promise<T>) => {
      const workflowId = `bare-${i}`;
      const actorOf = (step: Step) =>
        ['submit', 'approveQuote', 'accept'].includes(step)
          ? `${LIFECYCLE_BUYERS[i % LIFECYCLE_BUYERS.length]}-requester`
          : step === 'review'
            ? 'dor-reviewer'
            : ['acceptIntake', 'assign'].includes(step)
              ? 'dor-coordinator'
              : LIFECYCLE_STAFF[i % LIFECYCLE_STAFF.length]!;
      await time('submit', () =>
        client.workflow.executeUpdateWithStart(bareSteps.submit, {
          args: [{ actor: actorOf('submit'), data: { serviceId: 'DOR-LEERPLICHT', title: `Bench ${i}` } }],
          startWorkflowOperation: new WithStartWorkflowOperation(bareLifecycleWorkflow, {
            workflowId,
            taskQueue: bareQueue,
            args: [workflowId],
            workflowIdConflictPolicy: 'FAIL',
          }),
        }),
      );
      const handle = client.workflow.getHandle(workflowId);
      const data: Partial<Record<Step, Record<string, string | number | boolean>>> = {
        acceptIntake: { estimateMinutes: 600 },
        assign: { assignee: LIFECYCLE_STAFF[i % LIFECYCLE_STAFF.length]! },
        logTime1: { minutes: ENTRY_MINUTES[0]!, description: 'Werk 0' },
        logTime2: { minutes: ENTRY_MINUTES[1]!, description: 'Werk 1' },
        submitResult: { reference: `DMS-${i}` },
        review: { approved: true },
      };
      for (const step of STEPS.slice(1)) {
        await time(step, () => handle.executeUpdate(bareSteps[step], { args: [{ actor: actorOf(step), data: data[step] }] }));
      }
    };

    log(`floor: ${o.warmup} warm-up lifecycles, then ${o.n}, ${o.concurrency} at a time …`);
    if (o.warmup) await drive(o.warmup, o.concurrency, 0, bareLifecycle);
    let cpu0 = { bench: process.cpuUsage(), temporal: cpuOf(temporalPid), ferretdb: cpuOf(ferretPid) };
    const floorRun = await drive(o.n, o.concurrency, o.warmup, bareLifecycle);
    const cpuBench = (c: NodeJS.CpuUsage) => Math.round((c.user + c.system) / 1e4) / 100;
    const floorCpu = {
      'bench (client + bare worker)': cpuBench(process.cpuUsage(cpu0.bench)),
      'temporal dev server': Math.round((cpuOf(temporalPid) - cpu0.temporal) * 100) / 100,
      ferretdb: Math.round((cpuOf(ferretPid) - cpu0.ferretdb) * 100) / 100,
    };
    const floor = sideResult(floorRun, o.n, floorCpu);
    const bareDone = await bareCollection.countDocuments({ status: 'completed' });
    if (bareDone !== o.n + o.warmup) throw new Error(`floor: ${bareDone} of ${o.n + o.warmup} bare lifecycles completed`);
    log(`floor: ${floor.lifecyclesPerSecond} lifecycles/s, step p50 ${floor.overall.p50} ms`);
    await stopBare();

    // ---- Eenvoud: worker and API as processes of their own -------------------------------
    const bundle = path.join(DIST, 'workflow-bundle.js');
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      DEV_AUTH: 'true',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      MONGODB_URI: mongodbUri,
      TASK_QUEUE: 'bench-eenvoud',
      INVOICE_SCHEDULES: 'false',
      SEED_DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: o.logLevel,
      ...(fs.existsSync(bundle) ? { WORKFLOW_BUNDLE: bundle } : {}),
    };
    log('starting the worker and the API …');
    // BENCH_WORKER_NODE_FLAGS: other Node flags for the worker (e.g. --cpu-prof to see where its time goes).
    const workerFlags = process.env.BENCH_WORKER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? WORKER_NODE_FLAGS;
    const worker = spawn(process.execPath, ['--enable-source-maps', ...workerFlags, path.join(DIST, 'worker', 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    const workerLog = fs.createWriteStream(path.join(dir, 'worker.log'), { flags: 'a' });
    worker.stderr!.pipe(workerLog);
    await new Promise<void>((resolve, reject) => {
      const lines = readline.createInterface({ input: worker.stdout! });
      lines.on('line', (line) => {
        workerLog.write(`${line}\n`);
        if (line.includes('"worker started"')) resolve();
      });
      worker.once('exit', (code, signal) =>
        reject(new Error(`worker exited (${signal ?? code}) before it started; see ${dir}/worker.log`)),
      );
    });
    const apiOut = fs.openSync(path.join(dir, 'api.log'), 'a');
    const api = spawn(process.execPath, ['--enable-source-maps', path.join(DIST, 'server', 'main.js')], {
      env,
      stdio: ['ignore', apiOut, apiOut],
    });
    children.push(api);
    await waitForPort(apiPort, 60_000, api);

    const base = `http://127.0.0.1:${apiPort}`;
    const call = async (
      method: string,
      p: string,
      token: string | null,
      body?: object,
      key?: string,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read loosely
    ): Promise<{ status: number; body: any }> => {
      const res = await fetch(base + p, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const tokens = new Map<string, string>();
    for (const user of LIFECYCLE_USERS) {
      const r = await call('POST', '/dev/token', null, { userId: user });
      if (r.status !== 200) throw new Error(`no token for ${user}: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(user, r.body.token);
    }
    const tokenOf = (user: string) => tokens.get(user)!;

    const eenvoudLifecycle = async (i: number, time: <T>(step: Step, work: () => Promise<T>) => Promise<T>) => {
      const send: SendStep = async (step, p, user, body, expected) => {
        const r = await time(step, () => call('POST', p, tokenOf(user), body, o.idempotencyKeys ? `bench-${i}-${step}` : undefined));
        if (r.status !== expected) throw new Error(`lifecycle ${i} ${step}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        return r.body;
      };
      await driveLifecycle(i, send, { title: `Bench ${i}`, entryMinutes: ENTRY_MINUTES });
    };

    /** Documents in each collection: what a lifecycle writes, from the counts before and after. */
    const collectionCounts = async () => {
      const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
      return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db.collection(n).countDocuments()] as const)));
    };
    const countsBefore = await collectionCounts();
    log(`Eenvoud: ${o.warmup} warm-up lifecycles, then ${o.n}, ${o.concurrency} at a time …`);
    if (o.warmup) await drive(o.warmup, o.concurrency, 0, eenvoudLifecycle);
    cpu0 = { bench: process.cpuUsage(), temporal: cpuOf(temporalPid), ferretdb: cpuOf(ferretPid) };
    const [worker0, api0] = [cpuOf(worker.pid), cpuOf(api.pid)];
    const eenvoudRun = await drive(o.n, o.concurrency, o.warmup, eenvoudLifecycle);
    const eenvoudCpu = {
      'bench (HTTP client)': cpuBench(process.cpuUsage(cpu0.bench)),
      api: Math.round((cpuOf(api.pid) - api0) * 100) / 100,
      worker: Math.round((cpuOf(worker.pid) - worker0) * 100) / 100,
      'temporal dev server': Math.round((cpuOf(temporalPid) - cpu0.temporal) * 100) / 100,
      ferretdb: Math.round((cpuOf(ferretPid) - cpu0.ferretdb) * 100) / 100,
    };
    const eenvoud = sideResult(eenvoudRun, o.n, eenvoudCpu);
    const completed = await models.Request.countDocuments({ status: 'completed' });
    if (completed !== o.n + o.warmup) throw new Error(`Eenvoud: ${completed} of ${o.n + o.warmup} requests completed in the read model`);
    log(`Eenvoud: ${eenvoud.lifecyclesPerSecond} lifecycles/s, step p50 ${eenvoud.overall.p50} ms`);
    const countsAfter = await collectionCounts();
    const documentsPerLifecycle = Object.fromEntries(
      Object.entries(countsAfter)
        .map(([n, c]) => [n, Math.round(((c - (countsBefore[n] ?? 0)) / (o.n + o.warmup)) * 100) / 100] as const)
        .filter(([, c]) => c !== 0),
    );
    const sample = (await models.Request.findOne({ status: 'completed' }).lean())!;
    const historyEvents = {
      eenvoud: (await client.workflow.getHandle(requestWorkflowId(sample._id)).fetchHistory()).events?.length ?? 0,
      floor: (await client.workflow.getHandle('bare-0').fetchHistory()).events?.length ?? 0,
    };

    // ---- the list against a bare find --------------------------------------------------------
    // The coordinator's list: every request of the provider, first page (50, newest first).
    const filter = { $or: [{ buyer: 'DOR' }, { provider: 'DOR' }] };
    const requests = models.Request.collection;
    const bareFind = () =>
      requests
        .find(filter, { projection: { searchTokens: 0 } })
        .sort({ submittedAt: -1, _id: -1 })
        .limit(50)
        .toArray();
    const listMs: number[] = [];
    const findMs: number[] = [];
    const findCountMs: number[] = [];
    let listed = 0;
    const timed = async (into: number[], work: () => Promise<unknown>) => {
      const t0 = performance.now();
      await work();
      into.push(performance.now() - t0);
    };
    const listOnce = async () => {
      const r = await call('GET', '/api/requests', tokenOf('dor-coordinator'));
      if (r.status !== 200) throw new Error(`GET /api/requests: ${r.status}`);
      listed = r.body.items.length;
    };
    for (let k = 0; k < 5; k++) await Promise.all([listOnce(), bareFind()]); // warm-up
    for (let k = 0; k < o.listRepeats; k++) {
      // Alternating order, so neither side always goes first.
      const rounds = [
        () => timed(listMs, listOnce),
        () => timed(findMs, bareFind),
        () => timed(findCountMs, () => Promise.all([bareFind(), requests.countDocuments(filter)])),
      ];
      for (const r of k % 2 ? rounds.reverse() : rounds) await r();
    }
    const list = {
      rowsPerPage: listed,
      requestsInCollection: await requests.countDocuments(),
      apiList: summary(listMs),
      bareFind: summary(findMs),
      bareFindAndCount: summary(findCountMs),
      ratioP50: Math.round((summary(listMs).p50 / Math.max(0.1, summary(findMs).p50)) * 100) / 100,
      ratioP50ToFindAndCount: Math.round((summary(listMs).p50 / Math.max(0.1, summary(findCountMs).p50)) * 100) / 100,
    };

    // ---- the table ---------------------------------------------------------------------------
    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
    const ratios = {
      lifecyclesPerSecond: ratio(floor.lifecyclesPerSecond, eenvoud.lifecyclesPerSecond),
      overall: {
        p50: ratio(eenvoud.overall.p50, floor.overall.p50),
        p95: ratio(eenvoud.overall.p95, floor.overall.p95),
        p99: ratio(eenvoud.overall.p99, floor.overall.p99),
      },
      steps: Object.fromEntries(
        STEPS.map((s) => [
          s,
          {
            p50: ratio(eenvoud.steps[s].p50, floor.steps[s].p50),
            p95: ratio(eenvoud.steps[s].p95, floor.steps[s].p95),
            p99: ratio(eenvoud.steps[s].p99, floor.steps[s].p99),
          },
        ]),
      ),
    };
    const cpus = os.cpus();
    const machine = {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      loadAverage1m: { atStart: loadAtStart[0], atEnd: Math.round(os.loadavg()[0]! * 100) / 100 },
    };

    const f = (v: number | null, w = 8, d = 1) => (v === null ? '-' : v.toFixed(d)).padStart(w);
    console.log(
      `\nLifecycle benchmark: ${o.n} lifecycles of 9 steps, ${o.concurrency} at a time (after ${o.warmup} warm-up), ` +
        `Temporal dev server (SQLite ${o.temporalDb}${o.sqlitePragmas.length ? `, ${o.sqlitePragmas.join(', ')}` : ''}) and FerretDB/SQLite`,
    );
    console.log(
      `machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.totalMemMb} MB, ${machine.os}, Node ${machine.node}; load average (1 min) ${machine.loadAverage1m.atStart} at start, ${machine.loadAverage1m.atEnd} at end`,
    );
    console.log('\n                   lifecycles/s   wall (s)   lifecycle p50 (ms)');
    for (const [name, r] of [
      ['Eenvoud (HTTP API)', eenvoud],
      ['floor (bare wf)', floor],
    ] as const)
      console.log(`${name.padEnd(19)}${f(r.lifecyclesPerSecond, 13, 2)}${f(r.wallSeconds, 11, 2)}${f(r.lifecycle.p50, 21)}`);
    console.log(`floor / Eenvoud lifecycles per second: ${ratios.lifecyclesPerSecond}x`);
    console.log('\nstep latency (ms)   Eenvoud p50      p95      p99 |  floor p50      p95      p99 |  ratio p50   p95   p99');
    for (const s of [...STEPS, 'overall'] as const) {
      const e = s === 'overall' ? eenvoud.overall : eenvoud.steps[s];
      const b = s === 'overall' ? floor.overall : floor.steps[s];
      const r = s === 'overall' ? ratios.overall : ratios.steps[s];
      console.log(
        `${s.padEnd(19)}${f(e.p50, 12)}${f(e.p95, 9)}${f(e.p99, 9)} |${f(b.p50, 11)}${f(b.p95, 9)}${f(b.p99, 9)} |${f(r.p50, 11, 2)}${f(r.p95, 6, 2)}${f(r.p99, 6, 2)}`,
      );
    }
    console.log('\nCPU seconds during the measured lifecycles');
    for (const [name, r] of [
      ['Eenvoud', eenvoud],
      ['floor', floor],
    ] as const)
      console.log(
        `  ${name.padEnd(8)} ${Object.entries(r.cpuSeconds)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')}  (wall ${r.wallSeconds.toFixed(2)} s)`,
      );
    // CPU per lifecycle, every process counted (they share the cores), and what that allows: a
    // side whose processes keep all cores busy cannot do more lifecycles per second than this.
    const budget = (r: SideResult) => {
      const perProcessMs = Object.fromEntries(Object.entries(r.cpuSeconds).map(([k, v]) => [k, Math.round((v * 1000) / o.n)]));
      const totalMs = Object.values(perProcessMs).reduce((a, b) => a + b, 0);
      return { perProcessMs, totalMs, ceilingLifecyclesPerSecond: Math.round(((machine.cpuCount * 1000) / totalMs) * 100) / 100 };
    };
    const cpuBudget = { eenvoud: budget(eenvoud), floor: budget(floor) };
    console.log(`\nCPU per lifecycle (ms) and the ceiling it sets on ${machine.cpuCount} cores`);
    for (const [name, b] of Object.entries(cpuBudget))
      console.log(
        `  ${name.padEnd(8)} ${b.totalMs} ms (${Object.entries(b.perProcessMs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}) -> at most ${b.ceilingLifecyclesPerSecond} lifecycles/s`,
      );
    console.log(
      `  a throughput ratio of 0.8 leaves Eenvoud ${Math.round(cpuBudget.floor.totalMs * 1.25)} ms per lifecycle in all; it uses ${cpuBudget.eenvoud.totalMs}`,
    );
    console.log(
      `\nper lifecycle: Temporal history events Eenvoud ${historyEvents.eenvoud}, floor ${historyEvents.floor}; ` +
        `Eenvoud's documents in the database (the floor: 1): ${Object.entries(documentsPerLifecycle)
          .map(([n, c]) => `${n} ${c}`)
          .join(', ')}`,
    );
    console.log(
      `\nGET /api/requests (${list.rowsPerPage} of ${list.requestsInCollection} requests, ${o.listRepeats} calls): p50 ${list.apiList.p50} ms, p95 ${list.apiList.p95} ms` +
        `\nbare find, same filter/sort/limit:  p50 ${list.bareFind.p50} ms, p95 ${list.bareFind.p95} ms  -> ratio p50 ${list.ratioP50}x` +
        `\nbare find + count (what a page needs): p50 ${list.bareFindAndCount.p50} ms -> ratio p50 ${list.ratioP50ToFindAndCount}x`,
    );

    const result = {
      date: new Date().toISOString(),
      machine,
      options: {
        n: o.n,
        concurrency: o.concurrency,
        warmup: o.warmup,
        listRepeats: o.listRepeats,
        temporalDb: o.temporalDb,
        sqlitePragmas: o.sqlitePragmas,
        idempotencyKeys: o.idempotencyKeys,
        logLevel: o.logLevel,
      },
      units: 'latencies in ms; ratios: Eenvoud / floor for latencies, floor / Eenvoud for lifecycles per second',
      eenvoud,
      floor,
      ratios,
      cpuBudget,
      list,
      perLifecycle: { historyEvents, eenvoudDocuments: documentsPerLifecycle, floorDocuments: 1 },
    };
    // Prettier's layout: the file is committed, and the pragmas make a short array.
    await writeResult(o.out, result);
    console.log(`\nwritten: ${path.relative(process.cwd(), o.out)}`);
    ok = true;
  } finally {
    await stopBare();
    await connection?.close().catch(() => undefined);
    await closeDb?.().catch(() => undefined);
    await stopAll();
    if (ok) fs.rmSync(dir, { recursive: true, force: true });
    else console.error(`logs kept in ${dir}`);
  }
}

runBench(main);
