// Benchmark (not a test): where the time of one API step goes.
//
// On the embedded servers (Temporal dev server, FerretDB), with the product's worker and API
// in this process (same code, same options as worker/create-worker.ts and server/http.ts), one
// step at a time (no concurrency), for "assign" and "time entry":
//   - the step end to end over HTTP (POST /api/requests/:id/assign, /time-entries);
//   - the same step on a twin request in its parts, each called the way the API calls it and
//     timed with performance.now(): the token check (JWT, then the user read), the read before
//     the Update (the state query, the reviewers, the rules, the assignee check), the Update
//     round trip, and the answer's JSON;
//   - inside the Update: each local activity (timed by a wrapper around the product's
//     activities) and each database command in it (MongoDB driver command monitoring), so the
//     rest of the round trip is Temporal and the workflow task.
// No product code changes: the hooks are the activity wrapper and the driver's events.
// Prints a table and writes bench/results/step-breakdown.json.
//
//   npm run bench:breakdown
//   BENCH_BREAKDOWN_N=20 npm run bench:breakdown
//
// Options (environment):
//   BENCH_BREAKDOWN_N       repetitions of each step on each path, default 50
//   BENCH_BREAKDOWN_WARMUP  repetitions first, not measured, default 5
//   BENCH_BREAKDOWN_FLOOR   0: skip the bare-workflow floor (one Update, one local activity, one write)
//   BENCH_SQLITE_PRAGMAS    the Temporal dev server's SQLite pragmas (default as npm start; none: none)
//   BENCH_LOG_LEVEL         the API's LOG_LEVEL, default info (as production; lines go to a file)
//   BENCH_BREAKDOWN_OUT     where the JSON goes, default bench/results/step-breakdown.json
import fs from 'node:fs';
import path from 'node:path';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import mongoose, { type mongo } from 'mongoose';
import { createDirectory } from '../app/core/directory';
import { parseInput } from '../app/core/input';
import { query, update } from '../app/core/temporal';
import { ACTION_STATE_FIELDS } from '../app/requests';
import { ACTION_SCHEMAS } from '../app/requests/schemas';
import { createTokenService } from '../api/auth';
import { assign, getRequestState, logTime, requestWorkflowId, type RequestState } from '../contracts';
import { dutchDate } from '../domain/dates';
import { isParty, needsReviewers, requestRefusal } from '../domain/lifecycle';
import type { Actor } from '../domain/roles';
import { bareLifecycleWorkflow, bareSteps, type BareActivities } from './bare-workflow';
import { startInProcess } from './in-process';
import { benchLog, benchSqlitePragmas, envInt, load1, machineInfo, summary, writeResult, type Summary, runBench } from './common';

const STEPS = ['assign', 'logTime'] as const;
type Step = (typeof STEPS)[number];
const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

// ---- what the database and the local activities did, and when ------------------------------

interface DbCall {
  label: string;
  start: number;
  ms: number;
}

/** Every command the driver sends, with its collection and duration (from sent to answered). */
function monitorCommands(client: ReturnType<mongoose.Connection['getClient']>): DbCall[] {
  const calls: DbCall[] = [];
  const pending = new Map<number, { label: string; start: number }>();
  client.on('commandStarted', (e: mongo.CommandStartedEvent) => {
    const command = e.command as Record<string, unknown>;
    const target = e.commandName === 'getMore' ? command.collection : command[e.commandName];
    pending.set(e.requestId, {
      label: typeof target === 'string' ? `${target}.${e.commandName}` : e.commandName,
      start: performance.now(),
    });
  });
  const done = (e: mongo.CommandSucceededEvent | mongo.CommandFailedEvent, failed: boolean) => {
    const p = pending.get(e.requestId);
    if (!p) return;
    pending.delete(e.requestId);
    // Our own clock: the driver's e.duration is in whole milliseconds.
    calls.push({ label: failed ? `${p.label} (failed)` : p.label, start: p.start, ms: performance.now() - p.start });
  };
  client.on('commandSucceeded', (e: mongo.CommandSucceededEvent) => done(e, false));
  client.on('commandFailed', (e: mongo.CommandFailedEvent) => done(e, true));
  return calls;
}

interface ActivityCall {
  name: string;
  start: number;
  end: number;
}

/** The product's activities, each call's start and end recorded (the local activities included). */
function timedActivities<T extends Record<string, unknown>>(acts: T, into: ActivityCall[]): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    out[name] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        into.push({ name, start, end: performance.now() });
      }
    };
  }
  return out as T;
}

/** Named timings of one repetition; sub-parts are indented by their name ("  ", "    "). */
type Parts = Map<string, number>;

/** The local activities that ran within [t0, t1], and the database commands of each, in order. */
function insideUpdate(parts: Parts, acts: ActivityCall[], db: DbCall[], t0: number, t1: number): number {
  let laTotal = 0;
  const seenActivity = new Map<string, number>();
  for (const a of acts.filter((x) => x.start >= t0 && x.end <= t1)) {
    const k = (seenActivity.get(a.name) ?? 0) + 1;
    seenActivity.set(a.name, k);
    const la = a.end - a.start;
    laTotal += la;
    const name = `  local activity ${a.name}${k > 1 ? ` #${k}` : ''}`;
    parts.set(name, la);
    const seen = new Map<string, number>();
    let inDb = 0;
    for (const c of db.filter((x) => x.start >= a.start && x.start <= a.end)) {
      const n = (seen.get(c.label) ?? 0) + 1;
      seen.set(c.label, n);
      // Named after the activity too when it is not the main one: the names are the table's keys.
      parts.set(`    db ${c.label}${n > 1 ? ` #${n}` : ''}${a.name === 'recordRequest' ? '' : ` (${a.name})`}`, c.ms);
      inDb += c.ms;
    }
    parts.set(`    ${a.name}: outside the database (CPU, driver)`, Math.max(0, la - inDb));
  }
  return laTotal;
}

// ---- the run -------------------------------------------------------------------------------

interface StepResult {
  http: Summary;
  /** Database commands the API sent for one HTTP step (outside the local activities), p50. */
  httpApiDbCommands: number;
  parts: { name: string; summary: Summary; shareOfHttpP50: number }[];
  sumOfPartsP50: number;
  /** End to end minus the sum of the parts (p50s): HTTP, Express, logging, the event loop. */
  httpOverheadP50: number;
}

async function main(): Promise<void> {
  const n = envInt('BENCH_BREAKDOWN_N', 50, 1);
  const warmup = envInt('BENCH_BREAKDOWN_WARMUP', 5);
  const withFloor = process.env.BENCH_BREAKDOWN_FLOOR !== '0';
  const sqlitePragmas = benchSqlitePragmas();
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const out = process.env.BENCH_BREAKDOWN_OUT ?? path.join(ROOT, 'bench', 'results', 'step-breakdown.json');
  const loadAtStart = load1();
  const log = benchLog('breakdown');

  // The product's worker and API in this process, with its activities timed.
  const acts: ActivityCall[] = [];
  const system = await startInProcess({
    name: 'breakdown',
    logLevel,
    sqlitePragmas,
    log,
    wrapActivities: (activities) => timedActivities(activities as never, acts) as typeof activities,
  });
  const { config, conn, models, client, application, base } = system;
  let ok = false;
  try {
    const db = monitorCommands(conn.getClient());

    const tokens = createTokenService(config);
    const directory = createDirectory(models);
    const users = ['zwn-requester', 'dor-coordinator', 'dor-staff', 'dor-staff-2'];
    const actors = new Map<string, Actor>();
    const tokenOf = new Map<string, string>();
    for (const u of users) {
      const actor = await application.identity.signIn(u);
      actors.set(u, actor);
      tokenOf.set(u, await tokens.issue(actor));
    }
    const actor = (u: string) => actors.get(u)!;

    /** A request accepted with its quote approved: ready to be assigned. */
    const openAccepted = async (title: string): Promise<string> => {
      const s = await application.requests.submit(actor('zwn-requester'), { serviceId: 'DOR-LEERPLICHT', title });
      const id = s.requestId;
      await application.requests.act(actor('dor-coordinator'), id, 'acceptIntake', { estimateMinutes: 6000 });
      await application.requests.act(actor('zwn-requester'), id, 'approveQuote', {});
      return id;
    };
    const today = dutchDate(Date.now());
    // Two staff members take turns: a person's day holds fewer entries (the day cap reads them all).
    const staffOf = (i: number) => (i % 2 ? 'dor-staff-2' : 'dor-staff');
    const bodyOf = (step: Step, i: number): { user: string; path: string; body: Record<string, unknown> } =>
      step === 'assign'
        ? { user: 'dor-coordinator', path: 'assign', body: { assignee: staffOf(i) } }
        : { user: staffOf(i), path: 'time-entries', body: { date: today, minutes: 1, description: `Werk ${i}` } };

    const httpStep = async (step: Step, id: string, i: number): Promise<Parts> => {
      const { user, path: p, body } = bodyOf(step, i);
      const t0 = performance.now();
      const res = await fetch(`${base}/api/requests/${id}/${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenOf.get(user)!}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      const t1 = performance.now();
      if (res.status !== (step === 'assign' ? 200 : 201)) throw new Error(`HTTP ${step}: ${res.status} ${text.slice(0, 300)}`);
      const inActs = acts.filter((a) => a.start >= t0 && a.end <= t1);
      const apiDb = db.filter((c) => c.start >= t0 && c.start <= t1 && !inActs.some((a) => c.start >= a.start && c.start <= a.end));
      return new Map([
        ['http', t1 - t0],
        ['apiDb', apiDb.length],
      ]);
    };

    /** The step in its parts, each as the API does it (app/requests act(), api/auth.ts). */
    const partsStep = async (step: Step, id: string, i: number): Promise<Parts> => {
      const parts: Parts = new Map();
      const time = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
        const t0 = performance.now();
        const v = await work();
        parts.set(name, performance.now() - t0);
        return v;
      };
      const { user, body } = bodyOf(step, i);
      const claims = await time('token: JWT verify (HS256)', () => tokens.verify(tokenOf.get(user)!));
      const who = await time('token: actor (users.findById)', () => application.identity.sessionActor(claims.userId, claims.org));
      if (!who) throw new Error(`no actor for ${user}`);
      const handle = client.workflow.getHandle(requestWorkflowId(id));
      // As app/requests actionState(): the read model by _id, the workflow's state only for the
      // actions whose rules need the reviewers.
      const s = needsReviewers(step)
        ? await time('read: state query (Temporal, worker)', () => query(client, handle, getRequestState, 'request'))
        : ((await time('read: the request (read model, findById)', () =>
            models.Request.findById(id).select(ACTION_STATE_FIELDS).lean(),
          )) as unknown as RequestState);
      // As app/requests act(): the reviewers only for the actions whose rules need them.
      const reviewers = needsReviewers(step)
        ? await time('read: reviewers (users.find)', async () =>
            (await directory.usersWithRole(s.provider, ['reviewer'])).map((u) => u._id),
          )
        : [];
      const input = await time('rules + input (CPU)', () => {
        if (!isParty(s, who)) throw new Error('no party');
        const refusal = requestRefusal(step, { ...s, reviewers }, who);
        if (refusal) throw refusal;
        return parseInput(ACTION_SCHEMAS[step], body) as Record<string, unknown>;
      });
      if (step === 'assign')
        await time('read: assignee check (users, services findById)', async () => {
          await models.User.findById(String(input.assignee)).lean();
          await models.Service.findById(s.serviceId).lean();
        });
      const u0 = performance.now();
      const result =
        step === 'assign'
          ? await update(handle, assign, { ...(input as { assignee: string }), actor: who }, 'request')
          : await update(handle, logTime, { ...(input as { date: string; minutes: number; description: string }), actor: who }, 'request');
      const u1 = performance.now();
      parts.set('Update round trip', u1 - u0);
      const la = insideUpdate(parts, acts, db, u0, u1);
      parts.set('  Temporal + workflow task (round trip - local activities)', u1 - u0 - la);
      // The server's clock splits the rest: the workflow task as the worker held it, and the server around it.
      const task = lastWorkflowTaskMs((await handle.fetchHistory()).events ?? []);
      if (task !== null) {
        parts.set('    workflow task on the worker, without its local activities', Math.max(0, task - la));
        parts.set('    Temporal server, gRPC, queues (round trip - workflow task)', Math.max(0, u1 - u0 - task));
      }
      await time('answer: JSON.stringify', () => JSON.stringify(result as RequestState));
      return parts;
    };

    const rounds = async (count: number, label: string) => {
      const http: Record<Step, Parts[]> = { assign: [], logTime: [] };
      const byParts: Record<Step, Parts[]> = { assign: [], logTime: [] };
      for (let i = 0; i < count; i++) {
        const a = await openAccepted(`${label} ${i} http`);
        const b = await openAccepted(`${label} ${i} parts`);
        for (const step of STEPS) {
          // Alternating order, so neither path always goes first.
          if (i % 2) {
            http[step].push(await httpStep(step, a, i));
            byParts[step].push(await partsStep(step, b, i));
          } else {
            byParts[step].push(await partsStep(step, b, i));
            http[step].push(await httpStep(step, a, i));
          }
        }
        acts.length = 0;
        db.length = 0;
      }
      return { http, byParts };
    };

    log(`${warmup} warm-up repetitions, then ${n}: assign and time entry, over HTTP and in parts, one at a time …`);
    if (warmup) await rounds(warmup, 'Warm-up');
    const measured = await rounds(n, 'Breakdown');

    const results = {} as Record<Step, StepResult>;
    for (const step of STEPS) {
      const httpMs = measured.http[step].map((p) => p.get('http')!);
      const http = summary(httpMs);
      // Every name in the order first seen; a part missing from a repetition counts as absent.
      const names: string[] = [];
      for (const p of measured.byParts[step]) for (const k of p.keys()) if (!names.includes(k)) names.push(k);
      const ordered = orderParts(names);
      const parts = ordered.map((name) => {
        const s = summary(measured.byParts[step].flatMap((p) => (p.has(name) ? [p.get(name)!] : [])));
        return { name, summary: s, shareOfHttpP50: http.p50 ? Math.round((s.p50 / http.p50) * 1000) / 10 : 0 };
      });
      const top = parts.filter((p) => !p.name.startsWith(' '));
      const sumOfPartsP50 = Math.round(top.reduce((a, p) => a + p.summary.p50, 0) * 10) / 10;
      const apiDb = measured.http[step].map((p) => p.get('apiDb')!).sort((a, b) => a - b);
      results[step] = {
        http,
        httpApiDbCommands: apiDb[Math.floor(apiDb.length / 2)] ?? 0,
        parts,
        sumOfPartsP50,
        httpOverheadP50: Math.round((http.p50 - sumOfPartsP50) * 10) / 10,
      };
    }

    // ---- the floor: one Update of a bare workflow, one local activity, one write ---------------
    let floor: { updateRoundTrip: Summary; localActivityWrite: Summary } | null = null;
    if (withFloor) {
      log('floor: bundling the bare workflow …');
      const quiet = () => undefined;
      const { code } = await bundleWorkflowCode({
        workflowsPath: require.resolve('./bare-workflow'),
        logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
      });
      const bare = conn.db!.collection<{ _id: string } & Record<string, unknown>>('bench_bare_breakdown');
      const writeMs: number[] = [];
      const activities: BareActivities = {
        async bareRecord({ id, step, status, version, actor: who, data }) {
          const l0 = performance.now();
          const at = new Date().toISOString();
          if (step === 'submit') await bare.insertOne({ _id: id, status, version, actor: who, data: data ?? null, updatedAt: at });
          else await bare.updateOne({ _id: id }, { $set: { status, version, actor: who, [`steps.${step}`]: data ?? {}, updatedAt: at } });
          if (step === 'assign') writeMs.push(performance.now() - l0);
        },
      };
      const bareConnection = await NativeConnection.connect({ address: config.temporalAddress });
      const bareWorker = await Worker.create({
        connection: bareConnection,
        taskQueue: 'bench-bare-breakdown',
        workflowBundle: { code },
        activities,
      });
      const bareRunning = bareWorker.run();
      try {
        const rtt: number[] = [];
        for (let i = 0; i < n + warmup; i++) {
          const workflowId = `bare-breakdown-${i}`;
          await client.workflow.executeUpdateWithStart(bareSteps.submit, {
            args: [{ actor: 'zwn-requester' }],
            startWorkflowOperation: new WithStartWorkflowOperation(bareLifecycleWorkflow, {
              workflowId,
              taskQueue: 'bench-bare-breakdown',
              args: [workflowId],
              workflowIdConflictPolicy: 'FAIL',
            }),
          });
          const handle = client.workflow.getHandle(workflowId);
          for (const step of ['acceptIntake', 'approveQuote'] as const)
            await handle.executeUpdate(bareSteps[step], { args: [{ actor: 'x' }] });
          const t0 = performance.now();
          await handle.executeUpdate(bareSteps.assign, { args: [{ actor: 'dor-coordinator', data: { assignee: 'dor-staff' } }] });
          if (i >= warmup) rtt.push(performance.now() - t0);
          await handle.terminate('bench done');
        }
        floor = { updateRoundTrip: summary(rtt), localActivityWrite: summary(writeMs.slice(warmup)) };
      } finally {
        bareWorker.shutdown();
        await bareRunning.catch(() => undefined);
        await bareConnection.close();
      }
    }

    // ---- the table ---------------------------------------------------------------------------
    const machine = machineInfo(loadAtStart);
    const f = (v: number, w = 8) => v.toFixed(1).padStart(w);
    console.log(
      `\nStep breakdown: ${n} repetitions of each step on each path (after ${warmup} warm-up), one at a time; ` +
        `Temporal dev server (SQLite file${sqlitePragmas.length ? `, ${sqlitePragmas.join(', ')}` : ''}) and FerretDB/SQLite; ` +
        `worker and API in this process`,
    );
    console.log(
      `machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.totalMemMb} MB, Node ${machine.node}; ` +
        `load average (1 min) ${machine.loadAverage1m.atStart} at start, ${machine.loadAverage1m.atEnd} at end`,
    );
    for (const step of STEPS) {
      const r = results[step];
      console.log(
        `\n${step === 'assign' ? 'assign' : 'time entry (logTime)'}${''.padEnd(62 - (step === 'assign' ? 6 : 20))}p50      p95     mean   % of HTTP p50`,
      );
      console.log(`${'HTTP end to end'.padEnd(62)}${f(r.http.p50)} ${f(r.http.p95)} ${f(r.http.mean)}    100`);
      for (const p of r.parts)
        console.log(
          `${`  ${p.name}`.padEnd(62)}${f(p.summary.p50)} ${f(p.summary.p95)} ${f(p.summary.mean)}  ${String(p.shareOfHttpP50).padStart(5)}`,
        );
      console.log(`${'  sum of the parts (p50s)'.padEnd(62)}${f(r.sumOfPartsP50)}`);
      console.log(`${'  HTTP, Express, logging, other (end to end - sum, p50)'.padEnd(62)}${f(r.httpOverheadP50)}`);
      console.log(`  database commands the API sent per HTTP step (outside the local activities): ${r.httpApiDbCommands}`);
    }
    if (floor)
      console.log(
        `\nfloor (bare workflow, assign): Update round trip p50 ${floor.updateRoundTrip.p50} ms (p95 ${floor.updateRoundTrip.p95}), ` +
          `its local activity (one updateOne) p50 ${floor.localActivityWrite.p50} ms`,
      );

    const result = {
      date: new Date().toISOString(),
      machine,
      options: { n, warmup, sqlitePragmas, logLevel, concurrency: 1, inProcess: ['worker', 'api'] },
      units: 'ms; parts indented by two spaces are inside the part above them',
      steps: results,
      floor,
    };
    await writeResult(out, result);
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
    ok = true;
  } finally {
    await system.stop(ok);
  }
}

/** How long the last workflow task ran (started to completed, by the server's clock), in ms. */
type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

function lastWorkflowTaskMs(events: HistoryEvent[]): number | null {
  const ms = (e: HistoryEvent | undefined) =>
    e?.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : null;
  let completed = events.length - 1;
  while (completed >= 0 && !events[completed]!.workflowTaskCompletedEventAttributes) completed--;
  const startedId = events[completed]?.workflowTaskCompletedEventAttributes?.startedEventId;
  const started = events.find((e) => startedId !== undefined && startedId !== null && Number(e.eventId) === Number(startedId));
  const [a, b] = [ms(started), ms(events[completed])];
  return a !== null && b !== null ? b - a : null;
}

/** The parts in the order of a step: the Update's insides under it, in the order they ran. */
function orderParts(names: string[]): string[] {
  const top = names.filter((x) => !x.startsWith(' '));
  const inside = names.filter((x) => x.startsWith(' '));
  const temporal = inside.filter((x) => /Temporal|workflow task/.test(x));
  const rest = inside.filter((x) => !temporal.includes(x));
  const at = top.indexOf('Update round trip');
  return [...top.slice(0, at + 1), ...rest, ...temporal, ...top.slice(at + 1)];
}

runBench(main);
