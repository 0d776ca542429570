// Benchmark aid (not a test): which database commands a request's lifecycle sends, and which of
// them FerretDB's SQLite backend must answer by reading the whole collection.
//
// FerretDB v1 on SQLite, as the installer patches it (scripts/ferretdb/ferretdb-v1.24.patch),
// passes a filter's `_id` (a value or an $in list) and its plain-string equalities on top-level
// fields to SQLite, which uses an index when one starts with that field; every other filter is
// answered by decoding every document of the collection in FerretDB, so its cost grows with the
// collection. This runs N lifecycles (the nine API steps, as bench:lifecycle) with the worker and
// the API in this process, records every command with the driver's command events, and prints
// per command shape: how often per lifecycle, the time, and how FerretDB finds the documents.
//
//   npm run bench:queries
//   BENCH_N=40 npm run bench:queries
//   BENCH_QUERIES_OPEN=500 npm run bench:queries    # first 500 submitted requests that wait
import fs from 'node:fs';
import path from 'node:path';
import type { mongo } from 'mongoose';
import { driveLifecycle, LIFECYCLE_BUYERS, LIFECYCLE_USERS, type SendStep } from '../scripts/request-lifecycle';
import { startInProcess } from './in-process';
import { benchLog, benchSqlitePragmas, envInt, writeResult, runBench } from './common';

const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

/** How FerretDB finds a command's documents: by an index (_id or a field's), by reading them all, or not at all (insert, getMore). */
type Access = 'none' | '_id index' | 'index' | 'SCAN';

interface Shape {
  shape: string;
  access: Access;
  count: number;
  ms: number;
}

/** A string JSON writes without escapes: the patch passes only those down (see the patch). */
const plainString = (v: unknown): v is string => typeof v === 'string' && JSON.stringify(v).length === v.length + 2;

/** The access the patched FerretDB gets for one filter, given the fields that lead an index. */
function accessOf(filter: unknown, leading: Set<string>): Access {
  if (!filter || typeof filter !== 'object') return 'SCAN';
  const f = filter as Record<string, unknown>;
  const id = f._id;
  const idIn = id && typeof id === 'object' ? (id as Record<string, unknown>).$in : undefined;
  if (
    typeof id === 'string' ||
    (Object.keys(id ?? {}).length === 1 &&
      Array.isArray(idIn) &&
      idIn.length > 0 &&
      idIn.length <= 500 &&
      idIn.every((v) => typeof v === 'string'))
  )
    return '_id index';
  if (Object.entries(f).some(([k, v]) => /^[A-Za-z][A-Za-z0-9]*$/.test(k) && plainString(v) && leading.has(k))) return 'index';
  return 'SCAN';
}

/** A command's shape (collection, command, the filter's keys and the sort's keys, no values) and its access. */
function shapeOf(e: mongo.CommandStartedEvent, indexes: Map<string, Set<string>>): { shape: string; access: Access } | null {
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
  const filters: { filter: unknown; sort: unknown }[] = [];
  if (name === 'find') filters.push({ filter: c.filter, sort: c.sort });
  else if (name === 'update') for (const u of (c.updates as { q: unknown }[]) ?? []) filters.push({ filter: u.q, sort: null });
  else if (name === 'delete') for (const d of (c.deletes as { q: unknown }[]) ?? []) filters.push({ filter: d.q, sort: null });
  else if (name === 'findAndModify') filters.push({ filter: c.query, sort: c.sort });
  else if (name === 'count') filters.push({ filter: c.query, sort: null });
  else if (name === 'aggregate') filters.push({ filter: (c.pipeline as { $match?: unknown }[])?.[0]?.$match, sort: null });
  const leading = indexes.get(coll) ?? new Set<string>();
  const accesses = filters.map((f) => accessOf(f.filter, leading));
  const access: Access =
    name === 'insert' || name === 'getMore'
      ? 'none'
      : accesses.includes('SCAN') || !accesses.length
        ? 'SCAN'
        : accesses.includes('index')
          ? 'index'
          : '_id index';
  const detail = filters.map((f) => `{${keys(f.filter)}}${keys(f.sort) ? ` sort {${keys(f.sort)}}` : ''}`).join(' ');
  return { shape: `${coll}.${name}${name === 'aggregate' ? ' pipeline' : ''} ${detail}`.trim(), access };
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
    const pending = new Map<number, { shape: string; access: Access; start: number }>();
    // The fields that lead an index, per collection (read before recording starts).
    const indexes = new Map<string, Set<string>>();
    const client0 = conn.getClient();
    client0.on('commandStarted', (e: mongo.CommandStartedEvent) => {
      const s = recording ? shapeOf(e, indexes) : null;
      if (s) pending.set(e.requestId, { ...s, start: performance.now() });
    });
    client0.on('commandSucceeded', (e: mongo.CommandSucceededEvent) => {
      const p = pending.get(e.requestId);
      if (!p) return;
      pending.delete(e.requestId);
      const s = shapes.get(p.shape) ?? { shape: p.shape, access: p.access, count: 0, ms: 0 };
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
    for (const user of LIFECYCLE_USERS) tokens.set(user, (await call('/dev/token', null, { userId: user })).body.token);
    const send: SendStep = async (step, p, user, body, expected) => {
      const r = await call(p, tokens.get(user)!, body);
      if (r.status !== expected) throw new Error(`${step} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return r.body;
    };
    const lifecycle = (i: number) => driveLifecycle(i, send, { title: `Vraag ${i}` });
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
            const r = await call('/api/requests', tokens.get(`${LIFECYCLE_BUYERS[i % LIFECYCLE_BUYERS.length]}-requester`)!, {
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
    for (const c of await conn.db!.listCollections().toArray())
      indexes.set(c.name, new Set((await conn.db!.collection(c.name).indexes()).map((i) => Object.keys(i.key)[0]!)));
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
    console.log('per lifecycle  ms/call  access     shape  (access: how FerretDB finds the documents; - for insert and getMore)');
    for (const r of rows)
      console.log(
        `${(r.count / n).toFixed(1).padStart(13)}  ${(r.ms / r.count).toFixed(1).padStart(7)}  ${(r.access === 'none' ? '-' : r.access).padEnd(9)}  ${r.shape}`,
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

runBench(main);
