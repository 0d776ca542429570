// Cancelling an invoice run while it makes invoices: it stops between invoices. Every invoice it
// issued has its invoice workflow, no claim is left without an issued invoice, the lock is
// free, and the next run bills the remaining hours once, with numbers that leave no gap. A
// cancel after the last invoice was made stops nothing: the run completes.
import { getInvoiceRunProgress, invoiceRunWorkflowId, invoiceWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

// Slowed activities, so that a cancel lands while invoices are being made (invoices after the
// first one) or after the last one (the lock's release).
const delayMs = { laterInvoices: 0, releaseRunLock: 0 };
let invoicesBegun = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Activity = (...args: unknown[]) => Promise<unknown>;

beforeAll(async () => {
  env = await createTestEnv({
    wrapActivities: (activities) => {
      const a = activities as unknown as Record<string, Activity>;
      return {
        ...activities,
        createInvoiceForBuyer: async (...args: unknown[]) => {
          if (invoicesBegun++ > 0) await sleep(delayMs.laterInvoices);
          return a.createInvoiceForBuyer!(...args);
        },
        releaseRunLock: async (...args: unknown[]) => {
          await sleep(delayMs.releaseRunLock);
          return a.releaseRunLock!(...args);
        },
      };
    },
  });
  t = await storyTokens(env);
});
afterAll(() => env.close());

/** Accepted work of these buyers, ready to be billed by DOR. */
async function acceptedWork(buyers: string[]) {
  for (const b of buyers) {
    const requester = await env.token(`${b.toLowerCase()}-requester`);
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { requester });
    await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester, body: {} });
  }
}

function startRun() {
  return env.client.workflow.start('invoiceRunWorkflow', {
    workflowId: invoiceRunWorkflowId('DOR', currentPeriod()),
    taskQueue: env.taskQueue,
    args: [
      {
        provider: 'DOR',
        period: currentPeriod(),
        issueDate: today(),
        startedBy: { userId: 'dor-finance', org: 'DOR', roles: ['provider_finance'] },
      },
    ],
  });
}

test('when a run is cancelled after its first invoice, then what it made is whole and the next run bills the rest once', async () => {
  const buyers = ['ZWN', 'PAP', 'HIA', 'SLI', 'ALB', 'GRA'];
  await acceptedWork(buyers);
  // The first invoice is quick, the others take seconds: the cancel lands while four are being
  // made (the first lane already took the fifth buyer), before the sixth is begun.
  Object.assign(delayMs, { laterInvoices: 3_000, releaseRunLock: 0 });
  invoicesBegun = 0;
  const handle = await startRun();
  const workflowId = handle.workflowId;
  await waitFor(
    'the first invoice',
    () => env.models.Invoice.countDocuments({ status: 'issued' }),
    (n) => n >= 1,
  );
  await handle.cancel();
  const outcome = await handle.result().then(
    () => 'completed',
    () => 'cancelled',
  );
  delayMs.laterInvoices = 0;
  expect(outcome).toBe('cancelled');
  // The invoices being made were finished; the rest was not begun.
  const issuedFirst = await env.models.Invoice.countDocuments({ kind: 'invoice', status: { $ne: 'draft' } });
  expect(issuedFirst).toBe(invoicesBegun);
  expect(issuedFirst).toBeLessThan(buyers.length);

  // What the cancelled run leaves: issued invoices with their workflows, claims only for those.
  expect(await env.models.RunLock.countDocuments()).toBe(0);
  expect(await env.models.Invoice.countDocuments({ status: 'draft' })).toBe(0);
  for (const claim of await env.models.BillingClaim.find().lean()) {
    const invoice = await env.models.Invoice.findById(claim._id).lean();
    expect(invoice?.status).toBe('issued');
    const described = await env.client.workflow.getHandle(invoiceWorkflowId(claim._id)).describe();
    expect(described.status.name).toBe('RUNNING');
  }

  // The next run bills every remaining hour, once; the numbers run on without a gap.
  const res = await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  expect(res.status).toBe(202);
  await env.client.workflow.getHandle(workflowId).result();
  const entries = await billedEntries(env);
  expect(entries.filter((e) => e.status === 'invoiced')).toHaveLength(buyers.length);
  expect(await env.models.Invoice.countDocuments({ kind: 'invoice' })).toBe(buyers.length);
  const seqs = (await env.models.InvoiceNumber.find().lean()).map((n) => n.seq as number).sort((a, b) => a - b);
  expect(seqs).toEqual(buyers.map((_, i) => i + 1));
}, 120_000);

test('a cancel that comes after the last invoice was made stops nothing: the run completes and its entries are marked', async () => {
  await acceptedWork(['ZWN', 'PAP']);
  Object.assign(delayMs, { laterInvoices: 0, releaseRunLock: 3_000 });
  const handle = await startRun();
  // Both invoices issued; the run is giving back its lock (slowly) when the cancel comes.
  await waitFor(
    'both invoices',
    async () => (await handle.query(getInvoiceRunProgress)).invoicesMade,
    (n) => n >= 2,
  );
  await handle.cancel();
  const progress = await handle.result();
  delayMs.releaseRunLock = 0;
  expect(progress).toMatchObject({ phase: 'done', invoicesMade: 2 });
  expect(await env.models.RunLock.countDocuments()).toBe(0);
  // The marking workflow ran: the billed entries are invoiced, their claims marked.
  const invoiceIds = progress.invoiceIds as string[];
  await waitFor(
    'the entries marked invoiced',
    () => env.models.TimeEntry.countDocuments({ invoiceId: { $in: invoiceIds }, status: 'invoiced' }),
    (n) => n === 2,
  );
  expect(await env.models.BillingClaim.find({ _id: { $in: invoiceIds } }).distinct('state')).toEqual(['marked']);
  await recordHistory(env, handle.workflowId, 'invoice-run-cancelled-after-last-invoice', handle.firstExecutionRunId);
}, 120_000);
