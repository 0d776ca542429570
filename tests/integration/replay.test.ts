// Determinism: every recorded history replays against the current workflow code.
// A change that would break running workflows fails here; guard it with patched().
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import * as workflows from '../../workflows';
import { HISTORY_DIR } from '../support/histories';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const files = fs.readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json'));
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, f), 'utf8'));
const typeOf = (json: any): string => json.events[0].workflowExecutionStartedEventAttributes.workflowType.name;

test('there is a recorded history for every workflow type', () => {
  const recorded = new Set(files.map((f) => typeOf(load(f))));
  for (const type of Object.keys(workflows)) expect(recorded).toContain(type);
});

test('the lifecycle scenarios are all recorded', () => {
  const names = files.map((f) => f.replace(/\.json$/, ''));
  expect(names).toEqual(
    expect.arrayContaining([
      'request-happy-path',
      'request-rework',
      'request-budget-extension',
      'request-cancelled',
      'request-sla-breach',
      'request-standing-before-continue-as-new',
      'request-standing-after-continue-as-new',
      'invoice-run-worker-killed',
    ]),
  );
});

test('every recorded history replays without non-determinism', async () => {
  async function* histories() {
    for (const f of files) yield { workflowId: f, history: load(f) };
  }
  const results: { id: string; error: unknown }[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.EENVOUD_TEST_BUNDLE! } }, histories())) {
    results.push({ id: r.workflowId, error: r.error ?? null });
  }
  expect(results).toHaveLength(files.length);
  expect(results.filter((r) => r.error)).toEqual([]);
});
