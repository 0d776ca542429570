// A run that fails for good (here: no rate for the hours' date) gives its hours back: they do
// not look invoiced, the lock is free, and the next run bills them once the rate is fixed.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { signedIn } from '../support/web-client';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

async function run() {
  const res = await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  expect(res.status).toBe(202);
  return env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
}

test('when a run fails for good, then its claims are released and a later run bills the hours once', async () => {
  const id = await requestUpTo(env, t, 'awaiting_acceptance');
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester, body: {} });
  const service = (await env.models.Service.findById('DOR-LEERPLICHT').lean())!;
  const agreements = await env.models.Agreement.find({ provider: 'DOR' }).lean();
  // No rate covers today: the catalogue's only version starts in 2099 and no agreement has its own.
  await env.models.Service.updateOne({ _id: service._id }, { $set: { rates: [{ validFrom: '2099-01-01', rateCentsPerHour: 9_000 }] } });
  await env.models.Agreement.updateMany({ provider: 'DOR' }, { $set: { rateCentsPerHour: null } });

  await expect(run()).rejects.toThrow();
  const failed = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).describe();
  expect(failed.status.name).toBe('FAILED');
  await recordHistory(env, invoiceRunWorkflowId('DOR', currentPeriod()), 'invoice-run-failed-claims-released', failed.runId);
  expect(await env.models.BillingClaim.countDocuments()).toBe(0);
  expect(await env.models.Invoice.countDocuments()).toBe(0);
  expect(await env.models.RunLock.countDocuments()).toBe(0);
  expect((await billedEntries(env, { requestId: id })).every((e) => e.status === 'approved')).toBe(true);
  // The run page says so, instead of showing a run that is still busy.
  const finance = await signedIn(env, 'dor-finance');
  const page = await finance.get(`/factuurrun/${currentPeriod()}`);
  expect(page.html).toContain('Mislukt:');
  expect(page.html).toContain('data-done="true"');

  await env.models.Service.updateOne({ _id: service._id }, { $set: { rates: service.rates } });
  for (const a of agreements) await env.models.Agreement.updateOne({ _id: a._id }, { $set: { rateCentsPerHour: a.rateCentsPerHour } });
  const result = await run();
  expect(result.invoicesMade).toBe(1);
  const entries = await billedEntries(env, { requestId: id });
  expect(entries.every((e) => e.status === 'invoiced')).toBe(true);
  expect(await env.models.InvoiceNumber.countDocuments()).toBe(1);
});
