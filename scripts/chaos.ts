// `npm run chaos`: a crash run. The whole system runs as separate processes (Temporal dev
// server, FerretDB, a worker, the API) while a client drives request lifecycles through the
// HTTP API, 8 at a time, with an Idempotency-Key on every POST and retries on every failure;
// meanwhile the worker is SIGKILLed and restarted, the API too, the database is frozen and
// later killed and restarted; then an invoice run with a worker kill in it. Afterwards it
// checks the records and prints a table: everything must be zero. Exit code 1 otherwise.
//
//   npm run chaos                                   # 200 lifecycles, 5 worker kills, 1 API kill, DB frozen 10 s, DB killed
//   npm run chaos -- --lifecycles 20 --worker-kills 2 --api-kills 0 --db-freeze-seconds 0 --no-db-kill
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { bundleWorkflowCode } from '@temporalio/worker';
import { verifyChain, type ChainedEvent } from '../lib/audit-chain';
import { dutchDate } from '../domain/dates';
import { MAX_MINUTES_PER_DAY } from '../domain/time';
import { connectDatabase } from '../models/connect';
import { billingProblems } from './billing-check';
import { driveLifecycle, type SendStep } from './request-lifecycle';
import { freePort, readTools, startFerretDb, startTemporal, stopChild, waitForPort, WORKER_NODE_FLAGS, type Started } from './servers';

const DIST = path.resolve(__dirname, '..');

interface Options {
  lifecycles: number;
  concurrency: number;
  workerKills: number;
  apiKills: number;
  dbFreezeSeconds: number;
  dbKill: boolean;
  /** Where the result goes (JSON); default bench/results/chaos.json. */
  out: string | null;
}

function options(argv: string[]): Options {
  const o: Options = { lifecycles: 200, concurrency: 8, workerKills: 5, apiKills: 1, dbFreezeSeconds: 10, dbKill: true, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => Number(argv[++i]);
    if (a === '--lifecycles') o.lifecycles = next();
    else if (a === '--concurrency') o.concurrency = next();
    else if (a === '--worker-kills') o.workerKills = next();
    else if (a === '--api-kills') o.apiKills = next();
    else if (a === '--db-freeze-seconds') o.dbFreezeSeconds = next();
    else if (a === '--no-db-kill') o.dbKill = false;
    else if (a === '--out') o.out = argv[++i] ?? null;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now();
const percentile = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : 0;

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-chaos-'));
  const log = (m: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const [temporalPort, mongoPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const started: Started[] = [];
  log(`servers in ${dir}`);
  started.push(
    await startTemporal({
      cli: tools.TEMPORAL_CLI,
      port: temporalPort,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
    }),
  );
  const ferretDir = path.join(dir, 'ferretdb');
  let ferret = await startFerretDb({
    bin: tools.FERRETDB_BIN,
    port: mongoPort,
    dataDir: ferretDir,
    logFile: path.join(dir, 'ferretdb.log'),
  });
  const bundle = process.env.WORKFLOW_BUNDLE ?? path.join(dir, 'workflow-bundle.js');
  if (!process.env.WORKFLOW_BUNDLE)
    fs.writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') })).code);
  const mongodbUri = `mongodb://127.0.0.1:${mongoPort}/eenvoud_chaos`;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DEV_AUTH: 'true',
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    MONGODB_URI: mongodbUri,
    TASK_QUEUE: 'chaos',
    INVOICE_SCHEDULES: 'false',
    SEED_DEMO_DATA: 'true',
    RATE_LIMIT_PER_MINUTE: '1000000',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WORKFLOW_BUNDLE: bundle,
  };

  // ---- processes ---------------------------------------------------------------------------
  let worker: ChildProcess | null = null;
  let workerReadyAt = 0;
  function startWorker(): Promise<number> {
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, path.join(DIST, 'worker', 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    const out = fs.createWriteStream(path.join(dir, 'worker.log'), { flags: 'a' });
    child.stderr!.pipe(out);
    return new Promise((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        out.write(`${line}\n`);
        if (line.includes('"worker started"')) {
          workerReadyAt = now();
          resolve(workerReadyAt);
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`worker exited (${signal ?? code}) before it started`)));
    });
  }
  let api: ChildProcess | null = null;
  async function startApi(): Promise<void> {
    const out = fs.openSync(path.join(dir, 'api.log'), 'a');
    api = spawn(process.execPath, [path.join(DIST, 'server', 'main.js')], { env, stdio: ['ignore', out, out] });
    await waitForPort(apiPort, 60_000, api);
  }
  await startWorker();
  await startApi();
  log(`worker and API up (API on ${apiPort})`);

  // ---- the client --------------------------------------------------------------------------
  const base = `http://127.0.0.1:${apiPort}`;
  const serverErrors: string[] = [];
  /** A call of the client; `disturbed` when one of its tries met another fault (API away, 5xx, 429). */
  interface Mark {
    started: number;
    label: string;
    disturbed: boolean;
  }
  const inFlight = new Set<Mark>();
  /** Calls in flight when a worker was killed, with the time the new worker was ready. */
  const atKill = new Map<Mark, { readyAt: number | null }>();
  const recoveries: number[] = [];
  let disturbedAtKill = 0;
  const slowRecoveries: string[] = [];
  let stuck = 0;

  /** A call retried until it gets an answer that is not a failure of ours (same key every time). */
  async function call(
    method: string,
    p: string,
    token: string | null,
    body?: object,
    key?: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read loosely
  ): Promise<{ status: number; body: any }> {
    const mark: Mark = { started: now(), label: `${method} ${p}`, disturbed: false };
    inFlight.add(mark);
    const deadline = now() + 240_000;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(base + p, {
            method,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: body ? JSON.stringify(body) : undefined,
            signal: AbortSignal.timeout(90_000),
          });
          const text = await res.text();
          const parsed = text ? JSON.parse(text) : null;
          if (res.status >= 500) serverErrors.push(`${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
          const retry = res.status >= 500 || res.status === 429 || (res.status === 409 && parsed?.code === 'idempotency_key_in_progress');
          if (!retry) return { status: res.status, body: parsed };
          mark.disturbed = true;
        } catch {
          // The API process is away (killed), or the call timed out: try again with the same key.
          mark.disturbed = true;
        }
        if (now() > deadline) throw new Error(`gave up on ${method} ${p}`);
        await sleep(Math.min(2_000, 200 * (attempt + 1)));
      }
    } finally {
      inFlight.delete(mark);
      // A call that was waiting when a worker died: how long after the new worker's start it
      // was answered (0 when before). Calls that also met another fault are counted apart.
      const kill = atKill.get(mark);
      if (kill) {
        atKill.delete(mark);
        if (mark.disturbed) disturbedAtKill += 1;
        else {
          const ms = Math.max(0, now() - (kill.readyAt ?? now()));
          recoveries.push(ms);
          if (ms > 3_000) slowRecoveries.push(`${mark.label}: answered ${ms} ms after the new worker started`);
        }
      }
    }
  }

  const tokens = new Map<string, string>();
  const token = async (user: string) => {
    if (!tokens.has(user)) tokens.set(user, (await call('POST', '/dev/token', null, { userId: user })).body.token);
    return tokens.get(user)!;
  };

  const ledger = new Map<string, Set<string>>(); // requestId -> entry ids the client was given
  let completed = 0;
  let [workerKillCount, apiKillCount, dbFrozenCount, dbKillCount] = [0, 0, 0, 0];

  async function lifecycle(i: number): Promise<void> {
    const send: SendStep = async (step, p, user, body, expected) => {
      const res = await call('POST', p, await token(user), body, `chaos-${i}-${step}`);
      if (res.status !== expected) throw new Error(`lifecycle ${i} ${step}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body;
    };
    await driveLifecycle(i, send, {
      title: `Chaos ${i}`,
      entryMinutes: [3, 4],
      onSubmitted: (id) => ledger.set(id, new Set()),
      onEntry: (id, entryId) => ledger.get(id)!.add(entryId),
    });
    completed += 1;
  }

  // ---- the faults, at points of progress ---------------------------------------------------
  async function killWorker(reason: string) {
    log(`SIGKILL worker (${reason}) at ${new Date().toISOString()}; ${inFlight.size} calls in flight`);
    workerKillCount += 1;
    const killedAt = now();
    const waiting = [...inFlight].map((m) => {
      const entry = { readyAt: null as number | null };
      atKill.set(m, entry);
      return entry;
    });
    worker!.kill('SIGKILL');
    await new Promise((r) => (worker!.exitCode !== null || worker!.signalCode !== null ? r(null) : worker!.once('exit', r)));
    const ready = await startWorker();
    for (const w of waiting) w.readyAt = ready;
    log(`new worker polling ${ready - killedAt} ms after the kill`);
  }
  const faults: { at: number; run: () => Promise<void>; label: string }[] = [];
  for (let k = 0; k < o.workerKills - 1; k++)
    faults.push({ at: (k + 1) / o.workerKills, label: `worker kill ${k + 1}`, run: () => killWorker(`${k + 1} of ${o.workerKills}`) });
  for (let k = 0; k < o.apiKills; k++)
    faults.push({
      at: 0.45 + k * 0.1,
      label: 'API kill',
      run: async () => {
        apiKillCount += 1;
        log('SIGKILL API');
        api!.kill('SIGKILL');
        await sleep(500);
        await startApi();
        log('API back');
      },
    });
  if (o.dbFreezeSeconds > 0)
    faults.push({
      at: 0.35,
      label: 'DB freeze',
      run: async () => {
        log(`SIGSTOP FerretDB for ${o.dbFreezeSeconds} s`);
        dbFrozenCount += 1;
        process.kill(ferret.child.pid!, 'SIGSTOP');
        await sleep(o.dbFreezeSeconds * 1000);
        process.kill(ferret.child.pid!, 'SIGCONT');
        log('SIGCONT FerretDB');
      },
    });
  if (o.dbKill)
    faults.push({
      at: 0.65,
      label: 'DB kill',
      run: async () => {
        log('SIGKILL FerretDB, then a restart on the same files');
        dbKillCount += 1;
        ferret.child.kill('SIGKILL');
        await sleep(1_000);
        ferret = await startFerretDb({
          bin: tools.FERRETDB_BIN,
          port: mongoPort,
          dataDir: ferretDir,
          logFile: path.join(dir, 'ferretdb.log'),
        });
        log('FerretDB back');
      },
    });
  faults.sort((a, b) => a.at - b.at);

  const t0 = now();
  let next = 0;
  const failures: string[] = [];
  const workers = Array.from({ length: o.concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= o.lifecycles) return;
      await lifecycle(i).catch((err) => {
        stuck += 1;
        failures.push((err as Error).message);
      });
    }
  });
  const driver = (async () => {
    for (const f of faults) {
      while (completed + stuck < f.at * o.lifecycles) await sleep(100);
      await f.run();
    }
  })();
  await Promise.all([...workers, driver]);
  const lifecycleSeconds = (now() - t0) / 1000;
  log(`${completed} of ${o.lifecycles} lifecycles done in ${lifecycleSeconds.toFixed(1)} s`);

  // ---- an invoice run with a worker kill in it ---------------------------------------------
  const finance = await token('dor-finance');
  const period = dutchDate(Date.now()).slice(0, 7);
  const run = await call('POST', '/api/invoice-runs', finance, { period }, 'chaos-invoice-run');
  if (run.status !== 202) failures.push(`invoice run: ${run.status}`);
  await sleep(300);
  if (o.workerKills > 0) await killWorker('during the invoice run');
  let progress: { done?: boolean; failed?: number } | null = null;
  for (const deadline = now() + 300_000; now() < deadline; await sleep(500)) {
    progress = (await call('GET', `/api/invoice-runs/${period}`, finance)).body;
    if (progress?.done) break;
  }
  if (!progress?.done || progress.failed) failures.push(`invoice run did not complete: ${JSON.stringify(progress).slice(0, 300)}`);

  // ---- the records -------------------------------------------------------------------------
  const { models, close } = await connectDatabase(mongodbUri);
  const ids = [...ledger.keys()];
  const requests = await models.Request.find({ _id: { $in: ids } }).lean();
  const notCompleted = requests.filter((r) => r.status !== 'completed').length + (o.lifecycles - ids.length);
  const entries = await models.TimeEntry.find({ requestId: { $in: ids } }).lean();
  let lost = 0;
  let doubled = 0;
  for (const [id, expected] of ledger) {
    const found = new Set(entries.filter((e) => e.requestId === id).map((e) => e._id));
    for (const e of expected) if (!found.has(e)) lost += 1;
    for (const e of found) if (!expected.has(e)) doubled += 1;
  }
  const { billedWrong, markedWrong } = await billingProblems(
    models,
    entries.map((e) => e._id),
  );
  const days = new Map<string, number>();
  for (const e of await models.TimeEntry.find({ correction: { $ne: true } }).lean())
    days.set(`${e.userId}:${e.date}`, (days.get(`${e.userId}:${e.date}`) ?? 0) + e.minutes);
  const ledgerWrong = [...days.values()].filter((m) => m > MAX_MINUTES_PER_DAY).length + (await models.KeyLock.countDocuments());
  const numbers = await models.InvoiceNumber.find().lean();
  let numberProblems = 0;
  const bySeries = new Map<string, number[]>();
  for (const n of numbers) bySeries.set(n.series, [...(bySeries.get(n.series) ?? []), n.seq]);
  for (const seqs of bySeries.values()) {
    const sorted = [...seqs].sort((a, b) => a - b);
    sorted.forEach((s, k) => (numberProblems += s === k + 1 ? 0 : 1));
  }
  const mails = await models.Mail.find({ requestId: { $in: ids } })
    .select({ requestId: 1, kind: 1, to: 1 })
    .lean();
  const mailCount = new Map<string, number>();
  for (const m of mails) mailCount.set(`${m.requestId}|${m.kind}|${m.to}`, (mailCount.get(`${m.requestId}|${m.kind}|${m.to}`) ?? 0) + 1);
  const duplicateMails = [...mailCount.values()].filter((c) => c > 1).length;
  let auditBroken = 0;
  for (const id of ids) {
    const events = (await models.AuditEvent.find({ subject: `request-${id}` }).lean()) as unknown as ChainedEvent[];
    if (!verifyChain(events).ok) auditBroken += 1;
  }
  await close();

  // ---- the table ---------------------------------------------------------------------------
  const rows: [string, number][] = [
    ['lifecycles stuck (not completed)', notCompleted + stuck],
    ['time entries lost', lost],
    ['time entries doubled', doubled],
    ['entries billed other than once', billedWrong],
    ['entries marked invoiced other than billed', markedWrong],
    ['person-days over 24 h, or locks left', ledgerWrong],
    ['gaps or duplicates in invoice numbers', numberProblems],
    ['duplicate mails', duplicateMails],
    ['audit trails broken or out of order', auditBroken],
    ['HTTP 5xx answers', serverErrors.length],
  ];
  console.log(
    `\nCrash run: ${o.lifecycles} lifecycles, ${o.concurrency} at a time, ${o.workerKills} worker kills, ${o.apiKills} API kills, DB frozen ${o.dbFreezeSeconds} s, DB ${o.dbKill ? 'killed' : 'not killed'}`,
  );
  console.log(`${requests.length} requests, ${entries.length} entries, ${numbers.length} invoice numbers, ${mails.length} mails`);
  for (const [label, n] of rows) console.log(`  ${label.padEnd(42)} ${String(n).padStart(5)}`);
  console.log(
    `  recovery after a worker kill: ${recoveries.length} calls in flight at a kill, answered p50 ${percentile(recoveries, 50)} ms, max ${Math.max(0, ...recoveries)} ms after the new worker started; ${recoveries.filter((ms) => ms <= 3_000).length} within the goal of 3000 ms`,
  );
  if (disturbedAtKill)
    console.log(`  (${disturbedAtKill} more calls in flight at a kill also met the API kill or the database fault; not counted)`);
  console.log(`  lifecycles took ${lifecycleSeconds.toFixed(1)} s`);
  for (const r of slowRecoveries.slice(0, 10)) console.log(`  slow: ${r}`);
  for (const f of failures.slice(0, 10)) console.log(`  failure: ${f}`);
  for (const e of serverErrors.slice(0, 10)) console.log(`  5xx: ${e}`);
  const result = {
    options: o,
    rows: Object.fromEntries(rows),
    recovery: {
      calls: recoveries.length,
      p50Ms: percentile(recoveries, 50),
      maxMs: Math.max(0, ...recoveries),
      disturbedCalls: disturbedAtKill,
    },
    lifecycleSeconds,
    completed,
    requests: requests.length,
    entries: entries.length,
    invoiceNumbers: numbers.length,
    faults: { workerKills: workerKillCount, apiKills: apiKillCount, dbFrozen: dbFrozenCount, dbKilled: dbKillCount },
    failures,
  };
  const out = o.out ?? path.join(DIST, '..', 'bench', 'results', 'chaos.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  await stopChild(api!);
  await stopChild(worker!);
  for (const s of [ferret, ...started].reverse()) await s.stop();
  // Recovery is measured and reported, not failed on: its tail depends on Temporal's own timers (README).
  const ok = rows.every(([, n]) => n === 0) && failures.length === 0;
  if (ok) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`  logs kept in ${dir}`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
