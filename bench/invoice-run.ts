// Benchmark (not a test): one invoice run over 25k, 50k and 100k approved time entries for
// 7 buyers, 2 providers and 2,000 requests, on the embedded Temporal dev server and FerretDB.
// Prints the run's wall time, the floor, their ratio, and the worker's peak RSS. The floor is
// the faster of two plain reads of the same approved entries: a $group aggregation in the
// database, and a streaming read (cursor) of only the needed fields, summed in this process;
// both are printed. The worker runs as its own process, as in production. For the first size
// (BENCH_NEXT_MONTH: which sizes) it then runs the month after, as many new entries with the
// first month's invoices behind them: a run must not grow with the invoices it leaves behind.
// Writes bench/results/invoice-run.json.
import { workflowType } from '../contracts/workflow-names';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { invoiceRunWorkflowId } from '../contracts';
import { connectDatabase } from '../models/connect';
import { demoAgreements, demoOrganisations, demoServices, demoUsers } from '../models/demo-data';
import { claimsMarked } from '../scripts/billing-check';
import { freePort, readTools, startFerretDb, startTemporal, stopChild, WORKER_NODE_FLAGS } from '../scripts/servers';

const SIZES = (process.env.BENCH_SIZES ?? '25000,50000,100000').split(',').map(Number);
const BUYERS = ['ZWN', 'PAP', 'HIA', 'SLI', 'ALB', 'GRA', 'DOR'];
const PROVIDERS = ['DOR', 'DBC'];
const REQUESTS = 2_000;
const PERIOD = '2026-10';
const NEXT_PERIOD = '2026-11';
/** Sizes that also run the month after, with the first month's invoices behind them. */
const NEXT_MONTH_SIZES = (process.env.BENCH_NEXT_MONTH ?? String(SIZES[0])).split(',').filter(Boolean).map(Number);

interface Result {
  entries: number;
  runMs: number;
  groupMs: number;
  streamMs: number;
  floorMs: number;
  floorKind: 'group' | 'stream';
  ratio: number;
  idleMb: number;
  peakMb: number;
  invoices: number;
  phases: Record<string, number>;
  nextMonth: {
    runMs: number;
    floorMs: number;
    floorKind: 'group' | 'stream';
    ratio: number;
    markMs: number;
    vsFirstMonth: number;
    invoices: number;
  } | null;
}
/** Entries per batch of the streamed floor read. */
const STREAM_BATCH = Number(process.env.BENCH_STREAM_BATCH ?? 5_000);
/** The worker's Node flags, space-separated (e.g. --cpu-prof); default npm start's. */
const WORKER_FLAGS = process.env.BENCH_WORKER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? WORKER_NODE_FLAGS;

/** VmHWM: the process's peak resident set so far; VmRSS: its resident set now. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-bench-'));
  const [tPort, mPort] = [await freePort(), await freePort()];
  console.log(`starting Temporal dev server and FerretDB in ${dir} …`);
  const temporal = await startTemporal({ cli: tools.TEMPORAL_CLI, port: tPort, logFile: path.join(dir, 'temporal.log') });
  const ferret = await startFerretDb({
    bin: tools.FERRETDB_BIN,
    port: mPort,
    dataDir: path.join(dir, 'ferretdb'),
    logFile: path.join(dir, 'ferretdb.log'),
  });
  // Ctrl-C stops the servers too (they run in their own process groups).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void Promise.all([temporal.stop(), ferret.stop()]).finally(() => process.exit(130)));
  }
  const connection = await Connection.connect({ address: `127.0.0.1:${tPort}` });
  const client = new Client({ connection });
  const results: Result[] = [];

  try {
    for (const size of SIZES) {
      const uri = `mongodb://127.0.0.1:${mPort}/bench_${size}`;
      const { models, close } = await connectDatabase(uri);
      process.stdout.write(`\n${size.toLocaleString('nl-NL')} entries: seeding… `);
      await models.Organisation.insertMany(demoOrganisations());
      await models.User.insertMany(demoUsers());
      await models.Service.insertMany(demoServices());
      const agreements = demoAgreements('2025-01-01', '2027-12-31');
      for (const b of BUYERS.filter((x) => x !== 'DOR' && x !== 'ZWN')) {
        agreements.push({
          ...agreements[0]!,
          _id: `DVO-${b}-DBC`,
          buyer: b,
          provider: 'DBC',
          serviceIds: ['DBC-LEERPLICHT'],
          orderReference: `${b}-DBC`,
        });
      }
      agreements.push({
        ...agreements[0]!,
        _id: 'DVO-ZWN-DBC',
        buyer: 'ZWN',
        provider: 'DBC',
        serviceIds: ['DBC-LEERPLICHT'],
        orderReference: 'ZWN-DBC',
      });
      agreements.push({
        ...agreements[0]!,
        _id: 'DVO-DOR-DBC',
        buyer: 'DOR',
        provider: 'DBC',
        serviceIds: ['DBC-LEERPLICHT'],
        orderReference: 'DOR-DBC',
      });
      await models.Agreement.insertMany(agreements);
      const agreementOf = (buyer: string, provider: string) => agreements.find((a) => a.buyer === buyer && a.provider === provider)!;

      // 2,000 requests over the buyer-provider pairs that have an agreement
      const pairs = PROVIDERS.flatMap((p) => BUYERS.filter((b) => b !== p).map((b) => [b, p] as const));
      const requests = Array.from({ length: REQUESTS }, (_, i) => {
        const [buyer, provider] = pairs[i % pairs.length]!;
        const a = agreementOf(buyer, provider);
        return {
          _id: `R${String(i).padStart(5, '0')}`,
          buyer,
          provider,
          serviceId: a.serviceIds[0]!,
          agreementId: a._id,
          title: `Opdracht ${i}`,
          status: 'completed',
          version: 1,
          submittedAt: '2026-10-01T08:00:00Z',
          updatedAt: '2026-10-31T08:00:00Z',
        };
      });
      await models.Request.insertMany(requests);
      /** Approved entries of one month, spread over the requests; ids from `first` on. */
      async function seedMonth(month: string, first: number): Promise<void> {
        for (let start = 0; start < size; start += 5_000) {
          const docs = [];
          for (let i = start; i < Math.min(size, start + 5_000); i++) {
            const r = requests[i % REQUESTS]!;
            docs.push({
              _id: `${r._id}-${first + i}`,
              requestId: r._id,
              agreementId: r.agreementId,
              buyer: r.buyer,
              provider: r.provider,
              userId: 'bench',
              date: `${month}-${String((i % 28) + 1).padStart(2, '0')}`,
              minutes: 15 + (i % 97),
              description: 'bench',
              status: 'approved',
              createdAt: `${month}-28T08:00:00Z`,
            });
          }
          await models.TimeEntry.insertMany(docs, { ordered: false });
        }
      }

      /** The floor: the faster of two plain reads of the approved entries (the month's, unbilled). */
      async function floor(): Promise<{ groupMs: number; streamMs: number; floorMs: number; floorKind: 'group' | 'stream' }> {
        // (a) one plain aggregation over the same entries in the same database.
        const f0 = performance.now();
        const grouped = await models.TimeEntry.aggregate<{ minutes: number; n: number }>([
          { $match: { status: 'approved' } },
          {
            $group: {
              _id: { provider: '$provider', buyer: '$buyer', requestId: '$requestId' },
              minutes: { $sum: '$minutes' },
              n: { $sum: 1 },
            },
          },
        ]);
        const groupMs = performance.now() - f0;
        // (b) the same entries streamed with only the needed fields, summed here.
        const s0 = performance.now();
        const sums = new Map<string, { minutes: number; n: number }>();
        const cursor = models.TimeEntry.collection
          .find({ status: 'approved' }, { projection: { _id: 0, provider: 1, buyer: 1, requestId: 1, minutes: 1 } })
          .batchSize(STREAM_BATCH);
        for await (const e of cursor) {
          const key = `${e.provider}|${e.buyer}|${e.requestId}`;
          const sum = sums.get(key);
          if (sum) {
            sum.minutes += e.minutes as number;
            sum.n += 1;
          } else sums.set(key, { minutes: e.minutes as number, n: 1 });
        }
        const streamMs = performance.now() - s0;
        // Both read the same: the same groups and minutes, every entry. (The $group's entry count
        // is not compared: FerretDB 1.24 answers 0 for the second $sum of a $group.)
        const minutes = (xs: Iterable<{ minutes: number }>) => [...xs].reduce((t, g) => t + g.minutes, 0);
        const streamed = [...sums.values()].reduce((t, g) => t + g.n, 0);
        if (grouped.length !== sums.size || minutes(grouped) !== minutes(sums.values()) || streamed !== size) {
          throw new Error(
            `floors differ: $group ${grouped.length} groups, ${minutes(grouped)} min; stream ${sums.size} groups, ${minutes(sums.values())} min, ${streamed} entries`,
          );
        }
        return { groupMs, streamMs, floorMs: Math.min(groupMs, streamMs), floorKind: streamMs < groupMs ? 'stream' : 'group' };
      }

      /** Every entry so far billed exactly once: on one billing claim, and counted on the invoices. */
      async function checkBilledOnce(expected: number): Promise<void> {
        const claimed = (await models.BillingClaim.find().select({ entryIds: 1 }).lean()).flatMap((c) => c.entryIds);
        const onInvoices = (await models.Invoice.find({ kind: 'invoice' }).select({ lines: 1 }).lean())
          .flatMap((i) => i.lines)
          .reduce((s, l) => s + (l.entryCount ?? 0), 0);
        if (new Set(claimed).size !== expected || claimed.length !== expected || onInvoices !== expected) {
          throw new Error(
            `expected ${expected} entries billed once, found ${claimed.length} claimed (${new Set(claimed).size} distinct), ${onInvoices} on invoices`,
          );
        }
      }

      /** Both providers' runs of one period at once; their wall time and where it went. */
      async function runMonth(period: string, issueDate: string) {
        const ids = PROVIDERS.map((provider) => `${invoiceRunWorkflowId(provider, period)}-${size}`);
        const r0 = performance.now();
        const runs = await Promise.all(
          PROVIDERS.map((provider, i) =>
            client.workflow.execute(workflowType('invoiceRunWorkflow'), {
              workflowId: ids[i]!,
              taskQueue,
              args: [{ provider, period, issueDate, startedBy: { userId: 'bench', org: provider, roles: [] } }],
            }),
          ),
        );
        const runMs = performance.now() - r0;
        const invoices = runs.reduce((s, r) => s + (r as { invoicesMade: number }).invoicesMade, 0);
        return { runMs, invoices, phases: await runPhases(client, ids) };
      }

      await seedMonth(PERIOD, 0);
      const { groupMs, streamMs, floorMs, floorKind } = await floor();

      const taskQueue = `bench-${size}`;
      const worker = spawn(process.execPath, [...WORKER_FLAGS, path.join(__dirname, '..', 'worker', 'main.js')], {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
          MONGODB_URI: uri,
          TASK_QUEUE: taskQueue,
          SEED_DEMO_DATA: 'false',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // The worker is ready once it logs that it started; its memory then is the baseline.
      await new Promise<void>((resolve, reject) => {
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        worker.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('worker started')) resolve();
        });
      });
      const idleMb = rssMb(worker.pid!, 'VmRSS');
      process.stdout.write('running… ');
      const { runMs, invoices, phases } = await runMonth(PERIOD, '2026-11-01');
      const peakMb = rssMb(worker.pid!);
      await checkBilledOnce(size);

      // The month after, with this month's invoices behind it: the run should cost the same.
      let nextMonth: Result['nextMonth'] = null;
      if (NEXT_MONTH_SIZES.includes(size)) {
        // After the run, its marking workflow gives the billed entries the status 'invoiced'.
        const m0 = performance.now();
        if (!(await claimsMarked(models, 600_000, 200))) throw new Error('the billed entries were not marked within 10 minutes');
        const markMs = performance.now() - m0;
        process.stdout.write(`marked in ${(markMs / 1000).toFixed(2)} s after the run; the next month… `);
        await seedMonth(NEXT_PERIOD, size);
        const next = { ...(await floor()), ...(await runMonth(NEXT_PERIOD, '2026-12-01')) };
        await checkBilledOnce(2 * size);
        nextMonth = { ...next, markMs, ratio: next.runMs / next.floorMs, vsFirstMonth: next.runMs / runMs };
      }
      await stopChild(worker);
      results.push({
        entries: size,
        runMs,
        groupMs,
        streamMs,
        floorMs,
        floorKind,
        ratio: runMs / floorMs,
        idleMb,
        peakMb,
        invoices,
        phases,
        nextMonth,
      });
      console.log(
        `done: run ${(runMs / 1000).toFixed(2)} s, floor ${(floorMs / 1000).toFixed(2)} s (${floorKind}; $group ${(groupMs / 1000).toFixed(2)} s, stream ${(streamMs / 1000).toFixed(2)} s), ${invoices} invoices`,
      );
      console.log(
        `  wall time in the runs (summed over both): ${Object.entries(phases)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
          .join(', ')}`,
      );
      if (nextMonth)
        console.log(
          `  the next month, ${size.toLocaleString('nl-NL')} more entries after this month's were invoiced: run ${(nextMonth.runMs / 1000).toFixed(2)} s, floor ${(nextMonth.floorMs / 1000).toFixed(2)} s, ratio ${nextMonth.ratio.toFixed(2)}, ${nextMonth.vsFirstMonth.toFixed(2)}x the first month's run`,
        );
      await models.Request.db.dropDatabase();
      await close();
    }
  } finally {
    await connection.close();
    await temporal.stop();
    await ferret.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log('\nInvoice run benchmark (2 providers, 7 buyers, 2,000 requests; FerretDB/SQLite, Temporal dev server)');
  console.log(
    'entries   run (s)  $group (s)  stream (s)  floor (s)  floor is  ratio  worker RSS idle (MB)  worker peak RSS (MB)  ms per 1k entries',
  );
  for (const r of results) {
    console.log(
      `${String(r.entries).padStart(7)}  ${(r.runMs / 1000).toFixed(2).padStart(8)}  ${(r.groupMs / 1000).toFixed(2).padStart(10)}  ${(r.streamMs / 1000).toFixed(2).padStart(10)}  ${(r.floorMs / 1000).toFixed(2).padStart(9)}  ${r.floorKind.padStart(8)}  ${r.ratio.toFixed(2).padStart(5)}  ${String(r.idleMb).padStart(20)}  ${String(r.peakMb).padStart(20)}  ${(r.runMs / (r.entries / 1000)).toFixed(1).padStart(17)}`,
    );
  }
  console.log('floor: the faster of the $group aggregation and the streamed read summed in the process; ratio = run / floor');
  for (const r of results.filter((x) => x.nextMonth)) {
    const n = r.nextMonth!;
    console.log(
      `the month after, ${r.entries} more entries with the first month's ${r.entries} invoiced: run ${(n.runMs / 1000).toFixed(2)} s, floor ${(n.floorMs / 1000).toFixed(2)} s, ratio ${n.ratio.toFixed(2)}; ${n.vsFirstMonth.toFixed(2)}x the first month's run (entries marked invoiced ${(n.markMs / 1000).toFixed(2)} s after that run)`,
    );
  }
  console.log('goals (issue 14): ratio <= 2, peak RSS < 250 MB, time linear in entries (ms per 1k entries about constant)');

  const cpus = os.cpus();
  const out = path.join(__dirname, '..', '..', 'bench', 'results', 'invoice-run.json');
  const ms = (v: number) => Math.round(v);
  const result = {
    date: new Date().toISOString(),
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
    },
    setup: { providers: PROVIDERS.length, buyers: BUYERS.length, requests: REQUESTS, streamBatchSize: STREAM_BATCH },
    units: 'times in ms, memory in MB; ratio = run / floor, floor = the faster of the $group and the stream',
    results: results.map((r) => ({
      entries: r.entries,
      runMs: ms(r.runMs),
      groupMs: ms(r.groupMs),
      streamMs: ms(r.streamMs),
      floorMs: ms(r.floorMs),
      floorKind: r.floorKind,
      ratio: Math.round(r.ratio * 100) / 100,
      workerIdleRssMb: r.idleMb,
      workerPeakRssMb: r.peakMb,
      msPer1kEntries: Math.round((r.runMs / (r.entries / 1000)) * 10) / 10,
      invoices: r.invoices,
      phasesMs: Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k, ms(v)])),
      nextMonth: r.nextMonth && {
        runMs: ms(r.nextMonth.runMs),
        floorMs: ms(r.nextMonth.floorMs),
        floorKind: r.nextMonth.floorKind,
        ratio: Math.round(r.nextMonth.ratio * 100) / 100,
        markedAfterRunMs: ms(r.nextMonth.markMs),
        vsFirstMonth: Math.round(r.nextMonth.vsFirstMonth * 100) / 100,
        invoices: r.nextMonth.invoices,
      },
    })),
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${path.relative(process.cwd(), out)}`);
}

/**
 * Where the runs' time went, from their histories: the wall time in which at least one
 * activity of a type ran (scheduled to completed; a run makes invoices side by side), in which
 * a child workflow was being started (initiated to started), and the rest (workflow tasks,
 * waits). Summed over the runs.
 */
async function runPhases(client: Client, workflowIds: string[]): Promise<Record<string, number>> {
  const phases: Record<string, number> = {};
  const add = (k: string, ms: number) => (phases[k] = (phases[k] ?? 0) + ms);
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
    const byId = new Map(events.map((e) => [Number(e.eventId), e]));
    const intervals = new Map<string, [number, number][]>();
    const interval = (k: string, from: number, to: number) => intervals.set(k, [...(intervals.get(k) ?? []), [from, to]]);
    for (const e of events) {
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const scheduled = byId.get(Number(done.scheduledEventId))!;
        interval(scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? 'activity', at(scheduled), at(e));
      }
      const started = e.childWorkflowExecutionStartedEventAttributes;
      if (started) interval('startChild', at(byId.get(Number(started.initiatedEventId))!), at(e));
    }
    for (const [k, list] of intervals) add(k, covered(list));
    add('workflow tasks and waits', at(events[events.length - 1]!) - at(events[0]!) - covered([...intervals.values()].flat()));
  }
  return phases;
}

/** The length of the union of intervals. */
function covered(list: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...list].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
