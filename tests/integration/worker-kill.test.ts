// The worker process is killed with SIGKILL (no graceful shutdown) at several points of an
// invoice run, and a new worker process takes over each time. No invoice number is skipped
// or repeated and no hour is billed twice.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';

const WORKER = path.join(__dirname, '..', '..', 'dist', 'worker', 'main.js');
let env: TestEnv;
let t: StoryTokens;

beforeAll(async () => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm test compiles it (npx tsc -p tsconfig.build.json)`);
  env = await createTestEnv();
  t = await storyTokens(env);
}, 120_000);
afterAll(() => env.close());

function startWorkerProcess(taskQueue: string): ChildProcess {
  return spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.config.temporalAddress,
      TEMPORAL_NAMESPACE: env.config.TEMPORAL_NAMESPACE,
      MONGODB_URI: env.config.mongodbUri,
      TASK_QUEUE: taskQueue,
      SEED_DEMO_DATA: 'false',
      INVOICE_SCHEDULES: 'false',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
}

test('when the worker process is killed at three points of a run, then the run still ends with every hour billed once and no gap in the numbers', async () => {
  // Six buyers with approved hours: six invoices, so there are several points to kill at.
  const buyers = ['ZWN', 'PAP', 'HIA', 'SLI', 'ALB', 'GRA'];
  for (const b of buyers) {
    const requester = await env.token(`${b.toLowerCase()}-requester`);
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { requester });
    await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester, body: {} });
  }
  const entries = await env.models.TimeEntry.countDocuments({ status: 'approved' });
  expect(entries).toBe(buyers.length);

  // The run goes to a task queue that only the killable worker processes poll.
  const queue = `${env.taskQueue}-killable`;
  let worker = startWorkerProcess(queue);
  const handle = await env.client.workflow.start('invoiceRunWorkflow', {
    workflowId: invoiceRunWorkflowId('DOR', currentPeriod()),
    taskQueue: queue,
    args: [
      {
        provider: 'DOR',
        period: currentPeriod(),
        issueDate: today(),
        startedBy: { userId: 'dor-finance', org: 'DOR', roles: ['provider_finance'] },
      },
    ],
  });
  for (const invoicesBeforeKill of [1, 3, 5]) {
    await waitFor(
      `${invoicesBeforeKill} invoices`,
      () => env.models.Invoice.countDocuments({ kind: 'invoice' }),
      (n) => n >= invoicesBeforeKill,
      90_000,
    );
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    worker = startWorkerProcess(queue);
  }
  try {
    const result = (await handle.result()) as { invoicesMade: number };
    expect(result.invoicesMade).toBe(buyers.length);
  } finally {
    worker.kill('SIGKILL');
  }

  const invoices = await env.models.Invoice.find({ kind: 'invoice' }).lean();
  expect(invoices.map((i) => i.buyer).sort()).toEqual([...buyers].sort());
  expect(invoices.every((i) => i.status !== 'draft' && i.lines.length === 1 && i.grossCents === 9_375)).toBe(true);
  const seqs = (await env.models.InvoiceNumber.find().lean()).map((n) => n.seq as number).sort((a, b) => a - b);
  expect(seqs).toEqual(buyers.map((_, i) => i + 1));
  const billed = await billedEntries(env);
  expect(billed.filter((e) => e.status === 'invoiced')).toHaveLength(buyers.length);
}, 240_000);
