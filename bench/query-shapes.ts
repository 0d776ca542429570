// Benchmark aid (not a test): which database commands a request's lifecycle sends, and which of
// them FerretDB's SQLite backend must answer by reading the whole collection.
//
// FerretDB v1 on SQLite pushes a filter down to SQLite only when it is exactly {_id: value};
// every other filter (and any sort) is answered by decoding every document of the collection in
// FerretDB, so its cost grows with the collection. This runs N lifecycles (the nine API steps,
// as bench:lifecycle) with the worker and the API in this process, records every command with
// the driver's command events, and prints per command shape: how often per lifecycle, the time,
// and whether it can be pushed down.
//
//   npm run bench:queries
//   BENCH_N=40 npm run bench:queries
//   BENCH_QUERIES_OPEN=500 npm run bench:queries    # first 500 submitted requests that wait
import fs from 'node:fs';
import path from 'node:path';
import type { mongo } from 'mongoose';
import { dutchDate } from '../domain/dates';
import { startInProcess } from './in-process';
import { benchLog, benchSqlitePragmas, envInt, writeResult } from './common';

const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
const BUYERS = ['zwn', 'pap', 'hia', 'sli', 'alb', 'gra'];
const STAFF = ['dor-staff', 'dor-staff-2'];

interface Shape {
  shape: string;
  pushdown: boolean;
  count: number;
  ms: number;
}

/** A command's shape: collection, command, the filter's keys and the sort's keys (no values). */
function shapeOf(e: mongo.CommandStartedEvent): { shape: string; pushdown: boolean } | null {
  const c = e.command as Record<string, unknown>;
  const name = e.commandName;
  if (['hello', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo'].includes(name)) return null;
  const coll = name === 'getMore' ? String(c.collection) : String(c[name]);
  const keys = (f: unknown) =>
    f && typeof f === 'object'
      ? Object.keys(f as object)
          .sort()
          .join(',')
      : '';
  const filters: { filter: string; sort: string }[] = [];
  if (name === 'find') filters.push({ filter: keys(c.filter), sort: keys(c.sort) });
  else if (name === 'update') for (const u of (c.updates as { q: unknown }[]) ?? []) filters.push({ filter: keys(u.q), sort: '' });
  else if (name === 'delete') for (const d of (c.deletes as { q: unknown }[]) ?? []) filters.push({ filter: keys(d.q), sort: '' });
  else if (name === 'findAndModify') filters.push({ filter: keys(c.query), sort: keys(c.sort) });
  else if (name === 'count') filters.push({ filter: keys(c.query), sort: '' });
  else if (name === 'aggregate') filters.push({ filter: 'pipeline', sort: '' });
  const pushdown = name === 'insert' || (filters.length > 0 && filters.every((f) => f.filter === '_id' && !f.sort));
  const detail = filters.map((f) => `{${f.filter}}${f.sort ? ` sort {${f.sort}}` : ''}`).join(' ');
  return { shape: `${coll}.${name} ${detail}`.trim(), pushdown };
}

async function main(): Promise<void> {
  const n = envInt('BENCH_N', 20, 1);
  const concurrency = envInt('BENCH_CONCURRENCY', 4, 1);
  const waiting = envInt('BENCH_QUERIES_OPEN', 0);
  const log = benchLog('queries');
  const system = await startInProcess({ name: 'queries', logLevel: 'warn', sqlitePragmas: benchSqlitePragmas(), log });
  const { conn, base } = system;
  let ok = false;
  try {
    let recording = false;
    const shapes = new Map<string, Shape>();
    const pending = new Map<number, { shape: string; pushdown: boolean; start: number }>();
    const client0 = conn.getClient();
    client0.on('commandStarted', (e: mongo.CommandStartedEvent) => {
      const s = recording ? shapeOf(e) : null;
      if (s) pending.set(e.requestId, { ...s, start: performance.now() });
    });
    client0.on('commandSucceeded', (e: mongo.CommandSucceededEvent) => {
      const p = pending.get(e.requestId);
      if (!p) return;
      pending.delete(e.requestId);
      const s = shapes.get(p.shape) ?? { shape: p.shape, pushdown: p.pushdown, count: 0, ms: 0 };
      s.count++;
      s.ms += performance.now() - p.start;
      shapes.set(p.shape, s);
    });

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read loosely
    const call = async (p: string, token: string | null, body: object): Promise<{ status: number; body: any }> => {
      const res = await fetch(base + p, {
        method: 'POST',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const tokens = new Map<string, string>();
    for (const user of [...BUYERS.map((b) => `${b}-requester`), ...STAFF, 'dor-coordinator', 'dor-reviewer'])
      tokens.set(user, (await call('/dev/token', null, { userId: user })).body.token);
    const lifecycle = async (i: number) => {
      const req = tokens.get(`${BUYERS[i % BUYERS.length]}-requester`)!;
      const staffId = STAFF[i % STAFF.length]!;
      const post = async (p: string, token: string, body: object) => {
        const r = await call(p, tokens.get(token) ?? token, body);
        if (r.status >= 300) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        return r.body;
      };
      const { requestId: id } = await post('/api/requests', req, { serviceId: 'DOR-LEERPLICHT', title: `Vraag ${i}` });
      await post(`/api/requests/${id}/accept-intake`, 'dor-coordinator', { estimateMinutes: 600 });
      await post(`/api/requests/${id}/approve-quote`, req, {});
      await post(`/api/requests/${id}/assign`, 'dor-coordinator', { assignee: staffId });
      const today = dutchDate(Date.now());
      await post(`/api/requests/${id}/time-entries`, staffId, { date: today, minutes: 1, description: 'Werk 0' });
      await post(`/api/requests/${id}/time-entries`, staffId, { date: today, minutes: 2, description: 'Werk 1' });
      await post(`/api/requests/${id}/submit-result`, staffId, { reference: `DMS-${i}`, notes: '' });
      await post(`/api/requests/${id}/review`, 'dor-reviewer', { approved: true });
      await post(`/api/requests/${id}/accept-result`, req, {});
    };
    const runAll = async (count: number, offset: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) await lifecycle(offset + next++);
        }),
      );
    };
    if (waiting) {
      log(`opening ${waiting} requests that wait for intake …`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < waiting) {
            const i = next++;
            const r = await call('/api/requests', tokens.get(`${BUYERS[i % BUYERS.length]}-requester`)!, {
              serviceId: 'DOR-LEERPLICHT',
              title: `Wacht ${i}`,
            });
            if (r.status !== 201) throw new Error(`open ${i}: ${r.status}`);
          }
        }),
      );
    }
    log(`warm-up: ${concurrency} lifecycles`);
    await runAll(concurrency, 0);
    await new Promise((r) => setTimeout(r, 3_000));
    recording = true;
    log(`${n} lifecycles, ${concurrency} at a time, every command recorded …`);
    await runAll(n, 1000);
    await new Promise((r) => setTimeout(r, 3_000)); // the mail dispatcher's round
    recording = false;

    const rows = [...shapes.values()].sort((a, b) => b.ms - a.ms);
    const total = rows.reduce((a, r) => a + r.ms, 0);
    console.log(
      `\nper lifecycle: ${(rows.reduce((a, r) => a + r.count, 0) / n).toFixed(1)} commands, ${(total / n).toFixed(1)} ms in the database`,
    );
    console.log('per lifecycle  ms/call  pushdown  shape');
    for (const r of rows)
      console.log(
        `${(r.count / n).toFixed(1).padStart(13)}  ${(r.ms / r.count).toFixed(1).padStart(7)}  ${(r.pushdown ? 'yes' : 'SCAN').padEnd(8)}  ${r.shape}`,
      );
    await writeResult(process.env.BENCH_QUERIES_OUT ?? path.join(ROOT, 'bench', 'results', 'query-shapes.json'), {
      options: { n, concurrency, waiting },
      perLifecycle: rows.map((r) => ({ ...r, perLifecycle: +(r.count / n).toFixed(2), msPerCall: +(r.ms / r.count).toFixed(2) })),
    });
    ok = true;
  } finally {
    await system.stop(ok);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
