// The release check on the cluster (`npm run cluster -- --check`): request lifecycles through
// both API processes, 8 at a time, with an Idempotency-Key on every POST; on the way a worker
// and an API process are SIGKILLed (and started again, as a Deployment would); then an invoice
// run. Afterwards it checks the records: nothing lost, nothing doubled, every entry billed once
// and every invoice adding up. Modelled on scripts/chaos.ts (same client, same record checks).
import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requestWorkflowId } from '../../contracts';
import { dutchDate } from '../../domain/dates';
import { amountForMinutes, roundMinutes, type RoundingRule } from '../../domain/money';
import { MAX_MINUTES_PER_DAY } from '../../domain/time';
import { verifyChain, type ChainedEvent } from '../../lib/audit-chain';
import { connectDatabase } from '../../models/connect';
import { billingProblems } from '../billing-check';
import { driveLifecycle, type SendStep } from '../request-lifecycle';
import type { Cluster } from './topology';

export interface CheckOptions {
  lifecycles: number;
  concurrency: number;
  workerKills: number;
  apiKills: number;
  /** Where the result goes (JSON); default bench/results/cluster.json. */
  out: string | null;
}

export function checkOptions(argv: string[]): CheckOptions {
  const o: CheckOptions = { lifecycles: 100, concurrency: 8, workerKills: 1, apiKills: 1, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a whole number`);
      return n;
    };
    if (a === '--lifecycles') o.lifecycles = next();
    else if (a === '--concurrency') o.concurrency = Math.max(1, next());
    else if (a === '--worker-kills') o.workerKills = next();
    else if (a === '--api-kills') o.apiKills = next();
    else if (a === '--out') o.out = argv[++i] ?? null;
    else throw new Error(`unknown option ${a} (options: --lifecycles N --concurrency N --worker-kills N --api-kills N --out FILE)`);
  }
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now();
const percentile = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : 0;

export interface CheckMeta {
  startSeconds: number;
  startPhases: Record<string, number>;
  builds: Record<string, unknown>;
}

export async function runCheck(cluster: Cluster, o: CheckOptions, meta: CheckMeta): Promise<boolean> {
  const log = (m: string) => console.log(`[check ${new Date().toISOString().slice(11, 19)}] ${m}`);
  const tag = `C${Date.now().toString(36)}`; // marks this run's requests (titles, idempotency keys)
  const bases = cluster.apis.map((a) => `http://127.0.0.1:${a.port}`);

  // ---- the client: round robin over both APIs; a failed try goes to the other one ----------
  const serverErrors: string[] = [];
  const latencies: number[] = [];
  const perApi = bases.map(() => 0);
  let switchedApi = 0; // calls answered by another API than the one that failed them
  let rr = 0;
  async function call(
    method: string,
    p: string,
    token: string | null,
    body?: object,
    key?: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read loosely
  ): Promise<{ status: number; body: any }> {
    const started = now();
    const deadline = started + 240_000;
    let api = rr++ % bases.length;
    let failedOn: number | null = null;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(bases[api] + p, {
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
        if (res.status >= 500) serverErrors.push(`${method} ${p} on ${bases[api]}: ${res.status} ${text.slice(0, 200)}`);
        const retry = res.status >= 500 || res.status === 429 || (res.status === 409 && parsed?.code === 'idempotency_key_in_progress');
        if (!retry) {
          perApi[api]! += 1;
          if (failedOn !== null && failedOn !== api) switchedApi += 1;
          latencies.push(now() - started);
          return { status: res.status, body: parsed };
        }
      } catch {
        // The API process is away (killed) or the call timed out: the other one, same key.
        failedOn = api;
        api = (api + 1) % bases.length;
      }
      if (now() > deadline) throw new Error(`gave up on ${method} ${p}`);
      await sleep(Math.min(2_000, 200 * (attempt + 1)));
    }
  }

  const tokens = new Map<string, string>();
  const token = async (user: string) => {
    if (!tokens.has(user)) tokens.set(user, (await call('POST', '/dev/token', null, { userId: user })).body.token);
    return tokens.get(user)!;
  };

  // ---- the lifecycles (the nine steps of tests/support/story.ts) ----------------------------
  const ledger = new Map<string, Set<string>>(); // requestId -> entry ids the client was given
  const lifecycleMs: number[] = [];
  let completed = 0;
  let stuck = 0;
  const failures: string[] = [];

  async function lifecycle(i: number): Promise<void> {
    const t = now();
    const send: SendStep = async (step, p, user, body, expected) => {
      const res = await call('POST', p, await token(user), body, `${tag}-${i}-${step}`);
      if (res.status !== expected) throw new Error(`lifecycle ${i} ${step}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body;
    };
    await driveLifecycle(i, send, {
      title: `Cluster ${tag} ${i}`,
      entryMinutes: [3, 4],
      onSubmitted: (id) => ledger.set(id, new Set()),
      onEntry: (id, entryId) => ledger.get(id)!.add(entryId),
    });
    completed += 1;
    lifecycleMs.push(now() - t);
  }

  // ---- the kills, at points of progress ----------------------------------------------------
  const kills: { what: string; at: string; inFlightLifecycles: number; backAfterMs: number }[] = [];
  let active = 0;
  async function kill(kind: 'worker' | 'api', k: number) {
    const group = kind === 'worker' ? cluster.workers : cluster.apis;
    const victim = group[k % group.length]!;
    const killedAt = now();
    log(`SIGKILL ${victim.name} (pid ${victim.child?.pid}) with ${active} lifecycles in flight; the other ${kind} carries on`);
    victim.kill('SIGKILL');
    const back = await victim.waitReady(killedAt);
    kills.push({ what: victim.name, at: new Date(killedAt).toISOString(), inFlightLifecycles: active, backAfterMs: back - killedAt });
    log(`${victim.name} back after ${back - killedAt} ms`);
  }
  const faults: { at: number; run: () => Promise<void> }[] = [];
  for (let k = 0; k < o.workerKills; k++) faults.push({ at: (k + 1) / (o.workerKills + 1) - 0.15, run: () => kill('worker', k) });
  for (let k = 0; k < o.apiKills; k++) faults.push({ at: (k + 1) / (o.apiKills + 1) + 0.1, run: () => kill('api', k) });
  faults.sort((a, b) => a.at - b.at);

  log(`${o.lifecycles} lifecycles, ${o.concurrency} at a time, over ${bases.join(' and ')}`);
  const t0 = now();
  let next = 0;
  const progress = setInterval(() => log(`${completed} of ${o.lifecycles} lifecycles completed`), 30_000);
  const runners = Array.from({ length: o.concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= o.lifecycles) return;
      active += 1;
      await lifecycle(i)
        .catch((err) => {
          stuck += 1;
          failures.push((err as Error).message);
        })
        .finally(() => (active -= 1));
    }
  });
  const driver = (async () => {
    for (const f of faults) {
      while (completed + stuck < f.at * o.lifecycles) await sleep(100);
      await f.run();
    }
  })();
  await Promise.all([...runners, driver]);
  clearInterval(progress);
  const lifecycleSeconds = (now() - t0) / 1000;
  log(`${completed} of ${o.lifecycles} lifecycles completed in ${lifecycleSeconds.toFixed(1)} s`);

  // ---- the invoice run ---------------------------------------------------------------------
  const finance = await token('dor-finance');
  const period = dutchDate(Date.now()).slice(0, 7);
  const runStart = now();
  const started = await call('POST', '/api/invoice-runs', finance, { period }, `${tag}-invoice-run`);
  if (started.status !== 202) failures.push(`invoice run: ${started.status} ${JSON.stringify(started.body).slice(0, 300)}`);
  log(`invoice run ${period} started (${started.body?.workflowId})`);
  let run: { done?: boolean; failed?: boolean; status?: string; invoiceIds?: string[] } | null = null;
  for (const deadline = now() + 300_000; now() < deadline; await sleep(500)) {
    run = (await call('GET', `/api/invoice-runs/${period}`, finance)).body;
    if (run?.done && run.status !== 'RUNNING') break;
  }
  const invoiceRunSeconds = (now() - runStart) / 1000;
  if (!run?.done || run.failed) failures.push(`invoice run did not complete: ${JSON.stringify(run).slice(0, 300)}`);
  log(`invoice run ${run?.status ?? 'unknown'} after ${invoiceRunSeconds.toFixed(1)} s: ${run?.invoiceIds?.length ?? 0} invoices`);

  // ---- the records -------------------------------------------------------------------------
  const { models, close } = await connectDatabase(cluster.ferret.uri);
  const ids = [...ledger.keys()];
  const requests = await models.Request.find({ title: { $regex: `^Cluster ${tag} ` } }).lean();
  const perTitle = new Map<string, number>();
  for (const r of requests) perTitle.set(r.title, (perTitle.get(r.title) ?? 0) + 1);
  const submittedTwice = [...perTitle.values()].filter((n) => n > 1).length + requests.filter((r) => !ledger.has(r._id)).length;
  const notCompleted = requests.filter((r) => ledger.has(r._id) && r.status !== 'completed').length + (o.lifecycles - ids.length);
  const entries = await models.TimeEntry.find({ requestId: { $in: ids } }).lean();
  let lost = 0;
  let doubled = 0;
  for (const [id, expected] of ledger) {
    const found = new Set(entries.filter((e) => e.requestId === id).map((e) => e._id));
    for (const e of expected) if (!found.has(e)) lost += 1;
    for (const e of found) if (!expected.has(e)) doubled += 1;
  }
  const { claims, billedWrong, markedWrong } = await billingProblems(
    models,
    entries.map((e) => e._id),
  );

  // Every invoice of the run adds up: each line's minutes are its entries' minutes after the
  // agreement's rounding, its amount is minutes x rate, the invoice is the sum of its lines.
  const agreements = new Map((await models.Agreement.find().lean()).map((a) => [a._id, a]));
  const invoices = await models.Invoice.find({ _id: { $in: run?.invoiceIds ?? [] } }).lean();
  const claimOf = new Map(claims.map((c) => [c._id, c]));
  const entryById = new Map(entries.map((e) => [e._id, e]));
  let invoiceWrong = 0;
  const invoiceProblems: string[] = [];
  let billedMinutesOurs = 0;
  let billedCentsOurs = 0;
  for (const inv of invoices) {
    const problems: string[] = [];
    const claim = claimOf.get(inv._id);
    if (!claim) problems.push('no billing claim');
    const claimed = (claim?.entries ?? []) as { _id: string; requestId: string; agreementId: string; minutes: number }[];
    const perRequest = new Map<string, { minutes: number; count: number }>();
    for (const e of claimed) {
      const rule = (agreements.get(e.agreementId)?.roundingRule ?? 'none') as RoundingRule;
      const r = perRequest.get(e.requestId) ?? { minutes: 0, count: 0 };
      r.minutes += roundMinutes(e.minutes, rule);
      r.count += 1;
      perRequest.set(e.requestId, r);
      const own = entryById.get(e._id);
      if (own && own.minutes !== e.minutes) problems.push(`entry ${e._id}: billed ${e.minutes} min, registered ${own.minutes}`);
    }
    const lineSums = new Map<string, { minutes: number; count: number }>();
    let net = 0;
    for (const l of inv.lines) {
      const s = lineSums.get(l.requestId!) ?? { minutes: 0, count: 0 };
      s.minutes += l.minutes!;
      s.count += l.entryCount!;
      lineSums.set(l.requestId!, s);
      if (l.amountCents !== amountForMinutes(l.minutes!, l.rateCentsPerHour!))
        problems.push(`line ${l.requestId}: ${l.amountCents} ct for ${l.minutes} min at ${l.rateCentsPerHour} ct/h`);
      net += l.amountCents!;
      if (ledger.has(l.requestId!)) {
        billedMinutesOurs += l.minutes!;
        billedCentsOurs += l.amountCents!;
      }
    }
    for (const [rid, want] of perRequest) {
      const got = lineSums.get(rid);
      if (!got || got.minutes !== want.minutes || got.count !== want.count)
        problems.push(`request ${rid}: lines ${JSON.stringify(got)}, entries ${JSON.stringify(want)}`);
    }
    for (const rid of lineSums.keys()) if (!perRequest.has(rid)) problems.push(`request ${rid}: a line without entries`);
    const vat = inv.vat.reduce((s, v) => s + (v.vatCents ?? 0), 0);
    if (inv.netCents !== net) problems.push(`net ${inv.netCents} ct, lines add up to ${net}`);
    if (inv.vatCents !== vat || inv.grossCents !== inv.netCents + inv.vatCents)
      problems.push(`vat ${inv.vatCents} / gross ${inv.grossCents} do not add up`);
    if (problems.length) {
      invoiceWrong += 1;
      invoiceProblems.push(`${inv.number ?? inv._id}: ${problems.slice(0, 3).join('; ')}`);
    }
  }
  // Our lifecycles' hours, as the invoices billed them, against the entries themselves.
  let expectedMinutesOurs = 0;
  for (const e of entries)
    expectedMinutesOurs += roundMinutes(e.minutes, (agreements.get(e.agreementId)?.roundingRule ?? 'none') as RoundingRule);
  const minutesMismatch = expectedMinutesOurs === billedMinutesOurs ? 0 : 1;
  if (minutesMismatch)
    invoiceProblems.push(`our requests: ${billedMinutesOurs} min billed, ${expectedMinutesOurs} min registered (rounded)`);

  const days = new Map<string, number>();
  for (const e of await models.TimeEntry.find({ correction: { $ne: true } }).lean())
    days.set(`${e.userId}:${e.date}`, (days.get(`${e.userId}:${e.date}`) ?? 0) + e.minutes);
  const ledgerWrong = [...days.values()].filter((m) => m > MAX_MINUTES_PER_DAY).length + (await models.KeyLock.countDocuments());
  const numbers = await models.InvoiceNumber.find().lean();
  let numberProblems = 0;
  const bySeries = new Map<string, number[]>();
  for (const n of numbers) bySeries.set(n.series, [...(bySeries.get(n.series) ?? []), n.seq]);
  for (const seqs of bySeries.values()) [...seqs].sort((a, b) => a - b).forEach((s, k) => (numberProblems += s === k + 1 ? 0 : 1));
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

  // ---- Temporal's view, through its visibility store in PostgreSQL ---------------------------
  const connection = await Connection.connect({ address: cluster.temporal.address });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  let visibilityWrong = ids.length;
  for (const deadline = now() + 30_000; ; await sleep(1_000)) {
    let ok = 0;
    for (let k = 0; k < ids.length; k += 50) {
      const chunk = ids.slice(k, k + 50).map((id) => `'${requestWorkflowId(id)}'`);
      const { count } = await client.workflow.count(`WorkflowId IN (${chunk.join(', ')}) AND EenvoudStatus = 'completed'`);
      ok += count;
    }
    visibilityWrong = ids.length - ok;
    if (visibilityWrong === 0 || now() > deadline) break;
  }
  const failedWorkflows = (
    await client.workflow.count(`ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'`)
  ).count;
  await connection.close();

  // ---- the table ---------------------------------------------------------------------------
  const rows: [string, number][] = [
    ['lifecycles not completed', notCompleted + stuck],
    ['requests submitted twice', submittedTwice],
    ['time entries lost', lost],
    ['time entries doubled', doubled],
    ['entries billed other than once', billedWrong],
    ['entries marked invoiced other than billed', markedWrong],
    ['invoices not adding up to their entries', invoiceWrong + minutesMismatch],
    ['person-days over 24 h, or locks left', ledgerWrong],
    ['gaps or duplicates in invoice numbers', numberProblems],
    ['duplicate mails', duplicateMails],
    ['audit trails broken or out of order', auditBroken],
    ['requests not "completed" in visibility', visibilityWrong],
    ['workflows failed, terminated, timed out', failedWorkflows],
    ['HTTP 5xx answers', serverErrors.length],
  ];
  const restarts = [...cluster.workers, ...cluster.apis].reduce((s, a) => s + a.restarts, 0);
  const rate = completed / lifecycleSeconds;
  console.log(
    `\nCluster check: Temporal ${cluster.temporal.version} on PostgreSQL ${cluster.postgres.version}, FerretDB, ${cluster.workers.length} workers, ${cluster.apis.length} APIs`,
  );
  console.log(
    `${o.lifecycles} lifecycles, ${o.concurrency} at a time; kills: ${kills.map((k) => `${k.what} (back after ${(k.backAfterMs / 1000).toFixed(1)} s)`).join(', ') || 'none'}`,
  );
  console.log(
    `${requests.length} requests, ${entries.length} entries, ${invoices.length} invoices in the run (${numbers.length} invoice numbers), ${mails.length} mails`,
  );
  for (const [label, n] of rows) console.log(`  ${label.padEnd(42)} ${String(n).padStart(5)}`);
  console.log(
    `  cluster start ${meta.startSeconds.toFixed(1)} s; lifecycles ${lifecycleSeconds.toFixed(1)} s (${rate.toFixed(2)} per s, lifecycle p50 ${(percentile(lifecycleMs, 50) / 1000).toFixed(1)} s, p95 ${(percentile(lifecycleMs, 95) / 1000).toFixed(1)} s); invoice run ${invoiceRunSeconds.toFixed(1)} s`,
  );
  console.log(
    `  calls: ${latencies.length}, p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms; answered by API 1 / API 2: ${perApi.join(' / ')}; ${switchedApi} answered by the other API after a failed try`,
  );
  console.log(`  our requests billed: ${billedMinutesOurs} min, EUR ${(billedCentsOurs / 100).toFixed(2)}`);
  for (const f of failures.slice(0, 10)) console.log(`  failure: ${f}`);
  for (const p of invoiceProblems.slice(0, 10)) console.log(`  invoice: ${p}`);
  for (const e of serverErrors.slice(0, 10)) console.log(`  5xx: ${e}`);
  const ok = rows.every(([, n]) => n === 0) && failures.length === 0;

  const result = {
    date: new Date().toISOString(),
    ok,
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpuCount: os.cpus().length,
      totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
    },
    topology: {
      temporalServer: cluster.temporal.version,
      postgres: cluster.postgres.version,
      workers: cluster.workers.length,
      apis: cluster.apis.length,
    },
    builds: meta.builds,
    options: o,
    seconds: {
      clusterStart: meta.startSeconds,
      startPhases: meta.startPhases,
      lifecycles: lifecycleSeconds,
      invoiceRun: invoiceRunSeconds,
    },
    lifecycles: {
      completed,
      perSecond: Math.round(rate * 100) / 100,
      p50Ms: percentile(lifecycleMs, 50),
      p95Ms: percentile(lifecycleMs, 95),
    },
    calls: {
      count: latencies.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      perApi,
      answeredByTheOtherApi: switchedApi,
    },
    kills,
    restarts,
    records: {
      requests: requests.length,
      entries: entries.length,
      invoices: invoices.length,
      invoiceNumbers: numbers.length,
      mails: mails.length,
    },
    billed: { minutes: billedMinutesOurs, cents: billedCentsOurs },
    checks: Object.fromEntries(rows),
    failures: [...failures, ...invoiceProblems, ...serverErrors].slice(0, 20),
  };
  const out = o.out ?? path.resolve(__dirname, '..', '..', '..', 'bench', 'results', 'cluster.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Formatted as the repository's Prettier does, so `prettier --check .` stays clean.
  let text = `${JSON.stringify(result, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    text = await prettier.format(text, { ...(await prettier.resolveConfig(out)), filepath: out });
  } catch {
    // Prettier is a dev dependency; without it the plain JSON will do.
  }
  fs.writeFileSync(out, text);
  console.log(`  result: ${path.relative(process.cwd(), out)}`);
  console.log(ok ? 'CHECK PASSED' : 'CHECK FAILED');
  return ok;
}
