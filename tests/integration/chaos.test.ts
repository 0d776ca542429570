// The crash run in small (npm run chaos is the full one): 20 lifecycles through the HTTP API of
// a system running as separate processes, while the worker is SIGKILLed twice (once in an
// invoice run), the API once, and the database is frozen and killed. Nothing may be stuck,
// lost, doubled, billed twice, over the cap, out of sequence, mailed twice or answered with 5xx.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', 'dist', 'scripts', 'chaos.js');

test('a small crash run loses nothing and answers every call without a 5xx', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-chaos-test-')), 'chaos.json');
  const args = ['--lifecycles', '20', '--worker-kills', '2', '--api-kills', '1', '--db-freeze-seconds', '3', '--out', out];
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    // The suite's workflow bundle: the run's worker processes need not build their own.
    env: { ...process.env, WORKFLOW_BUNDLE: process.env.EENVOUD_TEST_BUNDLE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) console.log(output.slice(-6_000));
  expect(code).toBe(0);

  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  // Every fault happened: a run without them proves nothing.
  expect(result.faults).toEqual({ workerKills: 2, apiKills: 1, dbFrozen: 1, dbKilled: 1 });
  expect(result.completed).toBe(20);
  expect(result.entries).toBe(40);
  expect(result.invoiceNumbers).toBeGreaterThan(0);
  expect(result.failures).toEqual([]);
  for (const [check, count] of Object.entries(result.rows)) expect([check, count]).toEqual([check, 0]);
  // Calls were in flight at the worker kill during the lifecycles, and were answered.
  expect(result.recovery.calls + result.recovery.disturbedCalls).toBeGreaterThan(0);
}, 600_000);
