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

test('when one buyer cannot be invoiced, then the invoices made beside it stay issued and only that buyer waits for the next run', async () => {
  const buyers = ['PAP', 'HIA', 'SLI'];
  const ids: Record<string, string> = {};
  for (const buyer of buyers) {
    const requester = await env.token(`${buyer.toLowerCase()}-requester`);
    ids[buyer] = await requestUpTo(env, t, 'awaiting_acceptance', { requester, title: `Advies ${buyer}` });
    await env.api('POST', `/api/requests/${ids[buyer]}/accept-result`, { token: requester, body: {} });
  }
  const service = (await env.models.Service.findById('DOR-LEERPLICHT').lean())!;
  const agreementOf = async (buyer: string) =>
    (await env.models.Agreement.findOne({ provider: 'DOR', buyer, serviceIds: 'DOR-LEERPLICHT' }).lean())!;
  const hia = await agreementOf('HIA');
  // Only HIA's hours have no rate (the service's starts in 2099; PAP and SLI have their own),
  // and HIA comes first: a run that made one invoice at a time would stop before the others.
  await env.models.Service.updateOne({ _id: service._id }, { $set: { rates: [{ validFrom: '2099-01-01', rateCentsPerHour: 9_000 }] } });
  for (const buyer of ['PAP', 'SLI'])
    await env.models.Agreement.updateOne({ _id: (await agreementOf(buyer))._id }, { $set: { rateCentsPerHour: 9_000 } });
  await env.models.Agreement.updateOne({ _id: hia._id }, { $set: { rateCentsPerHour: null } });
  const numbersBefore = await env.models.InvoiceNumber.countDocuments();

  await expect(run()).rejects.toThrow();
  const failed = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).describe();
  await recordHistory(env, failed.workflowId, 'invoice-run-one-buyer-failed-others-issued', failed.runId);
  // Made side by side: PAP's and SLI's invoices were issued, with the next numbers and no gap.
  const issued = await env.models.Invoice.find({ buyer: { $in: buyers }, status: 'issued' }).lean();
  expect(issued.map((i) => i.buyer).sort()).toEqual(['PAP', 'SLI']);
  expect(issued.map((i) => i.grossCents)).toEqual([9_000, 9_000]); // one hour at € 90, outside the scope of VAT (O)
  const seqs = (await env.models.InvoiceNumber.find().sort({ seq: 1 }).lean()).map((n) => n.seq);
  expect(seqs).toEqual(Array.from({ length: numbersBefore + 2 }, (_, i) => i + 1));
  // Their claims stand; HIA's was given back, and its hours are approved, not invoiced.
  expect((await env.models.BillingClaim.find({ buyer: { $in: buyers } }).lean()).map((c) => c.buyer).sort()).toEqual(['PAP', 'SLI']);
  expect((await billedEntries(env, { requestId: ids.HIA })).map((e) => e.status)).toEqual(['approved']);
  expect(await env.models.RunLock.countDocuments()).toBe(0);
  // The run's page lists what it made by number, whichever was finished first.
  const page = await (await signedIn(env, 'dor-finance')).get(`/factuurrun/${currentPeriod()}`);
  const listed = [...page.html.matchAll(/<a href="\/facturen\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  expect(listed).toEqual(issued.map((i) => i.number).sort());

  await env.models.Service.updateOne({ _id: service._id }, { $set: { rates: service.rates } });
  await env.models.Agreement.updateOne({ _id: hia._id }, { $set: { rateCentsPerHour: hia.rateCentsPerHour } });
  const result = await run();
  expect(result.invoicesMade).toBe(1);
  const hiaInvoices = await env.models.Invoice.find({ buyer: 'HIA', status: 'issued' }).lean();
  expect(hiaInvoices).toHaveLength(1);
  expect((await billedEntries(env, { buyer: { $in: buyers } })).map((e) => [e.buyer, e.status, e.invoiceId]).sort()).toEqual(
    buyers.map((b) => [b, 'invoiced', b === 'HIA' ? hiaInvoices[0]!._id : issued.find((i) => i.buyer === b)!._id]).sort(),
  );
});
