// Invoicing between municipalities and reconciliation by the buyer's finance.
import { parse } from 'csv-parse/sync';
import { invoiceRunWorkflowId, invoiceWorkflowId, type InvoiceState } from '../../contracts';
import { previousPeriod } from '../../domain/dates';
import { ensureInvoiceSchedules } from '../../lib/schedules';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
let zwnFinance: string;

const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });

/** A completed request with the given minutes; returns its id. */
async function completed(minutes: number[], opts: { requester?: string; estimateMinutes?: number } = {}) {
  const id = await requestUpTo(env, t, 'in_progress', { requester: opts.requester, estimateMinutes: opts.estimateMinutes ?? 600 });
  for (const m of minutes) await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: m, description: 'Werk' });
  await post(`/api/requests/${id}/submit-result`, t.staff, { reference: 'R', notes: '' });
  await post(`/api/requests/${id}/review`, t.reviewer, { approved: true });
  await post(`/api/requests/${id}/accept-result`, opts.requester ?? t.requester);
  return id;
}

async function runPeriod(period = currentPeriod()) {
  const res = await post('/api/invoice-runs', t.finance, { period });
  expect(res.status).toBe(202);
  return env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
}

describe('reconciliation of an invoice', () => {
  let invoiceId: string;
  let requestA: string;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await storyTokens(env);
    zwnFinance = await env.token('zwn-finance');
    requestA = await completed([60, 60], { estimateMinutes: 120 });
    await completed([30]);
    const result = await runPeriod();
    invoiceId = result.invoiceIds[0]!;
  });
  afterAll(() => env.close());

  test('when an invoice is made, then it lives on as a workflow and each line is matched to its budget', async () => {
    const state: InvoiceState = await env.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).query('getInvoiceState');
    expect(state).toMatchObject({ status: 'issued', outstandingCents: 18_750 + 4_688, grossCents: 18_750 + 4_688 }); // 120 min and 30 min at 93.75
    const rec = await env.api('GET', `/api/invoices/${invoiceId}/reconciliation`, { token: zwnFinance });
    expect(rec.status).toBe(200);
    expect(rec.body.lines.map((l: { requestId: string; match: string }) => [l.requestId === requestA, l.match])).toEqual(
      expect.arrayContaining([
        [true, 'matched'],
        [false, 'matched'],
      ]),
    );
  });

  test('when a run has issued its invoices, then their entries are marked invoiced after it, and no claim is left open', async () => {
    const claim = await waitFor(
      'the claim to be marked',
      () => env.models.BillingClaim.findById(invoiceId).lean(),
      (c) => c?.state === 'marked',
    );
    const entries = await env.models.TimeEntry.find({ _id: { $in: claim!.entryIds } }).lean();
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => [e.status, e.invoiceId])).toEqual(entries.map(() => ['invoiced', invoiceId]));
    // What a reader sees is what it saw before the marking: the same invoice per entry.
    const seen = await billedEntries(env, { _id: { $in: claim!.entryIds } });
    expect(seen.map((e) => [e.status, e.invoiceId])).toEqual(entries.map(() => ['invoiced', invoiceId]));
    expect(await env.models.BillingClaim.countDocuments({ provider: 'DOR', state: 'open' })).toBe(0);
    // The run started it as it ended, under an id made of the run's own id.
    const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).describe();
    const marking = env.client.workflow.getHandle(`mark-invoiced-${run.runId}`);
    expect(await marking.result()).toEqual({ entriesMarked: 3 });
    await recordHistory(env, run.workflowId, 'invoice-run-marks-entries-after');
    await recordHistory(env, marking.workflowId, 'invoice-run-entries-marked');
  });

  test('when the buyer disputes a line and the provider credits part of it, then a credit note references the invoice', async () => {
    const lineNo = (await env.models.Invoice.findById(invoiceId).lean())!.lines.findIndex((l) => l.requestId === requestA) + 1;
    expect((await post(`/api/invoices/${invoiceId}/lines/${lineNo}/dispute`, zwnFinance, {})).status).toBe(400);
    const disputed = await post(`/api/invoices/${invoiceId}/lines/${lineNo}/dispute`, zwnFinance, { reason: 'Een uur te veel' });
    expect(disputed.body).toMatchObject({ status: 'disputed', disputedCents: 18_750 });
    // Only the provider's finance resolves; more than the line is refused.
    expect((await post(`/api/invoices/${invoiceId}/lines/${lineNo}/resolve`, zwnFinance, { creditCents: 100 })).status).toBe(403);
    expect((await post(`/api/invoices/${invoiceId}/lines/${lineNo}/resolve`, t.finance, { creditCents: 18_751 })).status).toBe(400);
    const resolved = await post(`/api/invoices/${invoiceId}/lines/${lineNo}/resolve`, t.finance, { creditCents: 9_375 });
    expect(resolved.body).toMatchObject({ creditedCents: 9_375, outstandingCents: 18_750 + 4_688 - 9_375 });
    const note = await env.models.Invoice.findOne({ kind: 'credit_note', creditedInvoiceId: invoiceId }).lean();
    const invoice = (await env.models.Invoice.findById(invoiceId).lean())!;
    expect(note).toMatchObject({
      grossCents: 9_375,
      buyer: 'ZWN',
      creditedInvoiceNumber: invoice.number,
      status: 'issued',
      reason: 'Een uur te veel',
    });
    const seq = (n: string) => Number(n.slice(-5));
    expect(seq(note!.number!)).toBe(seq(invoice.number!) + 1);
    expect(invoice.status).toBe('issued'); // the other line is still open
  });

  test('when a payment is larger than what is outstanding, then 400 and nothing changes; paid in parts, the last one registered by the provider as received, it ends in paid', async () => {
    const before = (await env.models.Invoice.findById(invoiceId).lean())!;
    const tooMuch = await post(`/api/invoices/${invoiceId}/payments`, zwnFinance, {
      amountCents: before.outstandingCents + 1,
      date: today(),
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.field).toBe('amountCents');
    expect((await env.models.Invoice.findById(invoiceId).lean())!.paidCents).toBe(0);
    expect((await post(`/api/invoices/${invoiceId}/payments`, t.finance, { amountCents: 100, date: today() })).status).toBe(403);
    const part = await post(`/api/invoices/${invoiceId}/payments`, zwnFinance, { amountCents: 5_000, date: today(), reference: 'BNG-1' });
    expect(part.status).toBe(201);
    expect(part.body.outstandingCents).toBe(before.outstandingCents - 5_000);
    // The rest reaches the provider without an invoice number: its finance registers the receipt by hand.
    const receipt = { amountCents: before.outstandingCents - 5_000, date: today(), reference: 'BNG-2' };
    expect((await post(`/api/invoices/${invoiceId}/receipts`, zwnFinance, receipt)).status).toBe(403);
    expect(
      (await post(`/api/invoices/${invoiceId}/receipts`, t.finance, { ...receipt, amountCents: receipt.amountCents + 1 })).status,
    ).toBe(400);
    const rest = await post(`/api/invoices/${invoiceId}/receipts`, t.finance, receipt);
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ status: 'paid', outstandingCents: 0 });
    const final: InvoiceState = await env.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).result();
    expect(final.payments.map((p) => p.reference)).toEqual(['BNG-1', 'BNG-2']);
    expect((await post(`/api/invoices/${invoiceId}/payments`, zwnFinance, { amountCents: 1, date: today() })).status).toBe(409);
    await recordHistory(env, invoiceWorkflowId(invoiceId), 'invoice-disputed-credited-paid');
  });

  test('when another municipality disputes the invoice, then 404', async () => {
    const pap = await env.token('pap-finance');
    expect((await post(`/api/invoices/${invoiceId}/lines/1/dispute`, pap, { reason: 'x' })).status).toBe(404);
    expect((await env.api('GET', `/api/invoices/${invoiceId}/reconciliation`, { token: pap })).status).toBe(404);
  });

  test('when balances are asked, then invoiced, credited, paid and outstanding agree, also as CSV', async () => {
    const res = await env.api('GET', '/api/balances', { token: zwnFinance });
    const invoice = (await env.models.Invoice.findById(invoiceId).lean())!;
    expect(res.body).toEqual([
      {
        creditor: 'DOR',
        debtor: 'ZWN',
        invoicedCents: invoice.grossCents,
        creditedCents: 9_375,
        paidCents: invoice.grossCents - 9_375,
        outstandingCents: 0,
      },
    ]);
    // Netting: ZWN sees its own net position and its own transfers only (here: all paid).
    const netting = await env.api('GET', '/api/netting', { token: zwnFinance });
    expect(netting.body).toMatchObject({
      org: 'ZWN',
      netPositionCents: 0,
      transfers: [],
      explanation: { owedToUsCents: 0, weOweCents: 0 },
    });
    expect((await env.api('GET', '/api/netting', { token: t.requester })).status).toBe(403);
    const csv = await fetch(`${env.baseUrl}/api/balances.csv`, { headers: { authorization: `Bearer ${zwnFinance}` } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = parse(await csv.text()) as string[][];
    expect(rows[0]).toEqual(['crediteur', 'debiteur', 'gefactureerd', 'gecrediteerd', 'betaald', 'openstaand']);
    expect(rows[1]).toEqual([
      'DOR',
      'ZWN',
      (invoice.grossCents / 100).toFixed(2),
      '93.75',
      ((invoice.grossCents - 9_375) / 100).toFixed(2),
      '0.00',
    ]);
    const exp = await fetch(`${env.baseUrl}/api/exports/invoices.csv`, { headers: { authorization: `Bearer ${zwnFinance}` } });
    const lines = parse(await exp.text(), { columns: true }) as Record<string, string>[];
    expect(lines.filter((l) => l.soort === 'Factuur')).toHaveLength(2);
    expect(lines.filter((l) => l.soort === 'Creditnota')[0]).toMatchObject({ bedrag: '93.75', totaal: '93.75' });
  });

  test('when a correction is booked, then it is a new approved entry that the next run bills', async () => {
    const res = await post(`/api/invoices/${invoiceId}/corrections`, t.finance, {
      requestId: requestA,
      date: today(),
      minutes: 30,
      description: 'Nagekomen overleg',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'approved', minutes: 30 });
    expect(
      (
        await post(`/api/invoices/${invoiceId}/corrections`, zwnFinance, {
          requestId: requestA,
          date: today(),
          minutes: 30,
          description: 'x',
        })
      ).status,
    ).toBe(403);
    const again = await runPeriod();
    expect(again.invoicesMade).toBe(1);
    const next = (await env.models.Invoice.findById(again.invoiceIds[0]).lean())!;
    expect(next.lines).toEqual([expect.objectContaining({ requestId: requestA, minutes: 30, amountCents: 4_688 })]);
  });
});

describe('runs, schedules and agreements invoiced per quarter', () => {
  beforeAll(async () => {
    env = await createTestEnv();
    t = await storyTokens(env);
  });
  afterAll(() => env.close());

  test('when two runs of the same period start at the same moment, then one runs and the other joins it', async () => {
    await completed([60]);
    const [a, b] = await Promise.all([
      post('/api/invoice-runs', t.finance, { period: currentPeriod() }),
      post('/api/invoice-runs', t.finance, { period: currentPeriod() }),
    ]);
    expect([a.body.alreadyRunning, b.body.alreadyRunning].sort()).toEqual([false, true]);
    expect(a.body.runId).toBe(b.body.runId);
    await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    expect(await env.models.Invoice.countDocuments({ kind: 'invoice' })).toBe(1);
    await recordHistory(env, invoiceRunWorkflowId('DOR', currentPeriod()), 'invoice-run-with-lock-and-invoice-workflows');
  });

  test('when runs of two periods of one provider overlap, then no hour is billed twice', async () => {
    await completed([60, 30]);
    const last = previousPeriod(today());
    await Promise.all([
      post('/api/invoice-runs', t.finance, { period: currentPeriod() }),
      post('/api/invoice-runs', t.finance, { period: last }),
    ]);
    await Promise.all([currentPeriod(), last].map((p) => env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', p)).result()));
    const entries = await billedEntries(env);
    const invoiced = entries.filter((e) => e.status === 'invoiced');
    const onInvoices = (await env.models.Invoice.find({ kind: 'invoice' }).lean())
      .flatMap((i) => i.lines)
      .reduce((s, l) => s + (l.entryCount ?? 0), 0);
    expect(onInvoices).toBe(invoiced.length);
    expect(invoiced).toHaveLength(entries.length);
  });

  test('when an agreement is invoiced per quarter, then a monthly run outside the quarter end leaves its hours', async () => {
    await env.models.Agreement.updateOne({ _id: 'DVO-PAP-DOR-LEERPLICHT' }, { $set: { invoiceFrequency: 'quarterly' } });
    await completed([60], { requester: await env.token('pap-requester') });
    await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    const result = await runPeriod();
    const quarterEnd = ['03', '06', '09', '12'].includes(currentPeriod().slice(5));
    expect(await env.models.Invoice.countDocuments({ buyer: 'PAP' })).toBe(quarterEnd ? 1 : 0);
    expect(result.invoicesMade).toBe(quarterEnd ? 1 : 0);
  });

  test('when a buyer pays for the service by contribution only, then hour runs leave its hours until that changes', async () => {
    await env.models.Agreement.updateOne({ _id: 'DVO-HIA-DOR-LEERPLICHT' }, { $set: { hourBilling: false } });
    const id = await completed([45], { requester: await env.token('hia-requester') });
    await runPeriod();
    expect(await env.models.Invoice.countDocuments({ buyer: 'HIA' })).toBe(0);
    expect((await billedEntries(env, { requestId: id })).map((e) => e.status)).toEqual(['approved']);

    await env.models.Agreement.updateOne({ _id: 'DVO-HIA-DOR-LEERPLICHT' }, { $set: { hourBilling: true } });
    await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    await runPeriod();
    expect(await env.models.Invoice.countDocuments({ buyer: 'HIA' })).toBe(1);
    expect((await billedEntries(env, { requestId: id })).map((e) => e.status)).toEqual(['invoiced']);
  });

  test('when the schedule fires, then the previous month is invoiced, its late hours marked', async () => {
    const created = await ensureInvoiceSchedules(env.client, env.models, env.taskQueue);
    expect(created).toEqual(['DBC', 'DOR', 'ZWN']);
    expect(await ensureInvoiceSchedules(env.client, env.models, env.taskQueue)).toEqual([]);
    // An approved entry from two months ago that was never invoiced: late in last month's run.
    const twoAgo = previousPeriod(`${previousPeriod(today())}-01`);
    const id = await completed([15], { requester: await env.token('sli-requester') });
    await env.models.TimeEntry.updateMany({ requestId: id }, { $set: { date: `${twoAgo}-15` } });
    const schedule = env.client.schedule.getHandle('invoice-schedule-DOR');
    await schedule.trigger();
    const fired = await waitFor(
      'the schedule to fire',
      () => schedule.describe(),
      (d) => d.info.recentActions.length > 0,
    );
    await env.client.workflow.getHandle(fired.info.recentActions[0]!.action.workflow.workflowId).result();
    const invoice = (await env.models.Invoice.findOne({ buyer: 'SLI' }).lean())!;
    expect(invoice.period).toBe(previousPeriod(today()));
    expect(invoice.lines).toEqual([expect.objectContaining({ requestId: id, late: true, minutes: 18 })]);
    for (const p of ['DBC', 'DOR', 'ZWN'] as const) await env.client.schedule.getHandle(`invoice-schedule-${p}`).delete();
    await recordHistory(env, fired.info.recentActions[0]!.action.workflow.workflowId, 'scheduled-invoice-run');
  });
});

describe('due dates', () => {
  beforeAll(async () => {
    // Thirty days of payment term pass in a few seconds.
    env = await createTestEnv({ slaTimeScale: 1.5e-6 });
    t = await storyTokens(env);
  });
  afterAll(() => env.close());

  test('when the due date passes, then an undisputed invoice is overdue and its buyer is told; a fully disputed one is not', async () => {
    await completed([60]);
    await completed([60], { requester: await env.token('hia-requester') });
    const result = await runPeriod();
    const invoices = await env.models.Invoice.find({ _id: { $in: result.invoiceIds } }).lean();
    const hia = invoices.find((i) => i.buyer === 'HIA')!;
    const zwn = invoices.find((i) => i.buyer === 'ZWN')!;
    await post(`/api/invoices/${hia._id}/lines/1/dispute`, await env.token('hia-finance'), { reason: 'Niet besteld' });
    await waitFor(
      'overdue',
      () => env.models.Invoice.findById(zwn._id).lean(),
      (i) => i!.overdue === true,
      30_000,
    );
    await waitFor(
      'the HIA due date',
      () => env.models.AuditEvent.countDocuments({ subject: `invoice-${hia._id}`, action: 'dueDatePassed' }),
      (n) => n === 1,
      30_000,
    );
    expect((await env.models.Invoice.findById(hia._id).lean())!.overdue).toBe(false);
    const kinds = (await env.models.Mail.find({ to: 'zwn-finance' }).lean()).map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['invoice-reminder', 'invoice-overdue']));
    expect((await env.models.Mail.find({ to: 'hia-finance', kind: 'invoice-overdue' }).lean()).length).toBe(0);
    await recordHistory(env, invoiceWorkflowId(zwn._id), 'invoice-overdue');
  });
});
