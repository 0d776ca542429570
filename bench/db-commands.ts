// Benchmark (not a test): the database commands of one request lifecycle, step by step.
//
// On the embedded servers, with the product's worker and API in this process (bench/in-process.ts),
// N lifecycles of the nine API steps (scripts/request-lifecycle.ts), one step at a time. Each
// database command is counted by step and by collection and command; a command sent while one
// of the product's activities runs is the worker's, any other one the API's. Every command is
// a round trip and work in the database and in both clients, so this count is the lever the
// lifecycle benchmark points at (its floor: one write per step). The count does not depend on
// the machine, unlike the timings. Prints a table, writes bench/results/db-commands.json.
//
//   npm run bench:commands
//
// Options (environment):
//   BENCH_COMMANDS_N      lifecycles counted, default 10 (after one not counted)
//   BENCH_COMMANDS_OUT    where the JSON goes, default bench/results/db-commands.json
import fs from 'node:fs';
import path from 'node:path';
import type { mongo } from 'mongoose';
import { createTokenService } from '../api/auth';
import { driveLifecycle, LIFECYCLE_STEPS, LIFECYCLE_USERS, type SendStep } from '../scripts/request-lifecycle';
import { benchLog, benchSqlitePragmas, envInt, load1, machineInfo, writeResult, runBench } from './common';
import { startInProcess } from './in-process';

const ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
type Side = 'api' | 'worker';

async function main() {
  const n = envInt('BENCH_COMMANDS_N', 10, 1);
  const out = process.env.BENCH_COMMANDS_OUT ?? path.join(ROOT, 'bench', 'results', 'db-commands.json');
  const loadAtStart = load1();
  const log = benchLog('commands');

  // Activities running now (the worker's commands are the ones sent while one runs).
  let inActivity = 0;
  const system = await startInProcess({
    name: 'commands',
    logLevel: 'warn',
    sqlitePragmas: benchSqlitePragmas(),
    log,
    wrapActivities: (activities) =>
      Object.fromEntries(
        Object.entries(activities).map(([name, fn]) => [
          name,
          async (...args: unknown[]) => {
            inActivity += 1;
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            } finally {
              inActivity -= 1;
            }
          },
        ]),
      ) as typeof activities,
  });
  let ok = false;
  try {
    const { config, conn, application, base } = system;
    const counts = new Map<string, number>();
    let step: string | null = null;
    conn.getClient().on('commandStarted', (e: mongo.CommandStartedEvent) => {
      if (!step) return;
      const command = e.command as Record<string, unknown>;
      const target = e.commandName === 'getMore' ? command.collection : command[e.commandName];
      const side: Side = inActivity > 0 ? 'worker' : 'api';
      const key = `${step}|${side}|${typeof target === 'string' ? `${target}.` : ''}${e.commandName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });

    const tokens = createTokenService(config);
    const tokenOf = new Map<string, string>();
    for (const u of LIFECYCLE_USERS) tokenOf.set(u, await tokens.issue(await application.identity.signIn(u)));
    const send =
      (counting: boolean): SendStep =>
      async (s, p, user, body, expected) => {
        if (counting) step = s;
        const res = await fetch(`${base}${p}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokenOf.get(user)!}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status !== expected) throw new Error(`${s}: ${res.status} ${text.slice(0, 300)}`);
        // The step's writes are done when it is answered; a moment more for anything it set off.
        await new Promise((r) => setTimeout(r, 50));
        step = null;
        return JSON.parse(text);
      };
    // One lifecycle first, not counted: caches and connections as in a running system.
    await driveLifecycle(0, send(false), { title: 'Opwarmen' });
    log(`${n} lifecycles, one step at a time …`);
    for (let i = 1; i <= n; i++) await driveLifecycle(i, send(true), { title: `Telling ${i}` });

    const per = (v: number) => Math.round((v / n) * 100) / 100;
    const steps = LIFECYCLE_STEPS.map((s) => {
      const of = (side: Side) =>
        Object.fromEntries(
          [...counts]
            .filter(([k]) => k.startsWith(`${s}|${side}|`))
            .map(([k, v]) => [k.split('|')[2]!, per(v)])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
        ) as Record<string, number>;
      const api = of('api');
      const worker = of('worker');
      const sum = (o: Record<string, number>) => Math.round(Object.values(o).reduce((x, y) => x + y, 0) * 100) / 100;
      return { step: s, api: sum(api), worker: sum(worker), apiCommands: api, workerCommands: worker };
    });
    const total = (side: 'api' | 'worker') => Math.round(steps.reduce((x, s) => x + s[side], 0) * 100) / 100;
    const byCommand = new Map<string, number>();
    for (const [k, v] of counts) byCommand.set(k.split('|')[2]!, (byCommand.get(k.split('|')[2]!) ?? 0) + v);

    console.log(`\nDatabase commands per request lifecycle (${n} lifecycles of 9 steps, one step at a time)`);
    console.log(`${'step'.padEnd(14)}${'API'.padStart(6)}${'worker'.padStart(8)}  worker's commands`);
    for (const s of steps)
      console.log(
        `${s.step.padEnd(14)}${String(s.api).padStart(6)}${String(s.worker).padStart(8)}  ${Object.entries(s.workerCommands)
          .map(([c, v]) => (v === 1 ? c : `${c} ×${v}`))
          .join(', ')}`,
      );
    console.log(
      `${'lifecycle'.padEnd(14)}${String(total('api')).padStart(6)}${String(total('worker')).padStart(8)}  = ${total('api') + total('worker')}`,
    );
    console.log(
      `by command: ${[...byCommand]
        .sort((a, b) => b[1] - a[1])
        .map(([c, v]) => `${c} ${per(v)}`)
        .join(', ')}`,
    );
    await writeResult(out, {
      date: new Date().toISOString(),
      machine: machineInfo(loadAtStart),
      options: { n },
      units: 'database commands per lifecycle (per step: per request); api: sent outside the activities, worker: inside them',
      perLifecycle: { api: total('api'), worker: total('worker'), total: Math.round((total('api') + total('worker')) * 100) / 100 },
      byCommand: Object.fromEntries([...byCommand].sort((a, b) => b[1] - a[1]).map(([c, v]) => [c, per(v)])),
      steps,
    });
    console.log(`written: ${path.relative(process.cwd(), out)}`);
    ok = true;
  } finally {
    await system.stop(ok);
  }
}

runBench(main);
