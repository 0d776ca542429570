// Cancelling an invoice run while it makes invoices: it stops between invoices. Every invoice it
// issued has its invoice workflow, no claim is left without an issued invoice, the lock is
// free, and the next run bills the remaining hours once, with numbers that leave no gap.
import { invoiceRunWorkflowId, invoiceWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

test('when a run is cancelled after its first invoice, then what it made is whole and the next run bills the rest once', async () => {
  const buyers = ['ZWN', 'PAP', 'HIA', 'SLI', 'ALB', 'GRA'];
  for (const b of buyers) {
    const requester = await env.token(`${b.toLowerCase()}-requester`);
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { requester });
    await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester, body: {} });
  }
  const workflowId = invoiceRunWorkflowId('DOR', currentPeriod());
  const handle = await env.client.workflow.start('invoiceRunWorkflow', {
    workflowId,
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
  const issuedFirst = await env.models.Invoice.countDocuments({ kind: 'invoice', status: { $ne: 'draft' } });
  if (outcome === 'cancelled') expect(issuedFirst).toBeLessThan(buyers.length);

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
