// The worker dies half-way through a request; a new worker (empty cache: it replays the
// history) takes over. Nothing is lost and nothing is done twice.
import { requestActivities } from '../../activities/requests';
import { invoiceRunWorkflowId, SYSTEM_ACTOR } from '../../contracts';
import { createViews } from '../../lib/views';
import { createTestEnv, PUBLIC_BASE_URL, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import {
  currentPeriod,
  requestUpTo,
  billedEntries,
  STORY_AMOUNT_CENTS,
  STORY_BILLED_MINUTES,
  STORY_ENTRIES,
  storyTokens,
  today,
  workflowState,
} from '../support/story';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

test('when the worker stops half-way and a new one starts, then the request completes with one invoice line and the right hours', async () => {
  const t = await storyTokens(env);
  const { body } = await env.api('POST', '/api/requests', {
    token: t.requester,
    body: { serviceId: 'DOR-LEERPLICHT', title: 'Herijking verzuimprotocol' },
  });
  const id: string = body.requestId;
  await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: 600 } });
  await env.api('POST', `/api/requests/${id}/approve-quote`, { token: t.requester, body: {} });
  await env.api('POST', `/api/requests/${id}/assign`, { token: t.coordinator, body: { assignee: 'dor-staff' } });
  const first = await env.api('POST', `/api/requests/${id}/time-entries`, { token: t.staff, body: { date: today(), ...STORY_ENTRIES[0] } });
  expect(first.status).toBe(201);

  // The worker goes away. The next registration is accepted by the API but waits for a worker.
  await env.stopWorker();
  const pending = env.api('POST', `/api/requests/${id}/time-entries`, { token: t.staff, body: { date: today(), ...STORY_ENTRIES[1] } });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await env.models.TimeEntry.countDocuments({ requestId: id })).toBe(1);

  await env.startWorker();
  const second = await pending;
  expect(second.status).toBe(201);
  expect((await workflowState(env, id)).loggedMinutes).toBe(95 + 133);

  await env.api('POST', `/api/requests/${id}/submit-result`, { token: t.staff, body: { reference: 'DMS-2026-5120', notes: '' } });
  await env.stopWorker();
  await env.startWorker();
  await env.api('POST', `/api/requests/${id}/review`, { token: t.reviewer, body: { approved: true } });
  const accepted = await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester, body: {} });
  expect(accepted.body.status).toBe('completed');

  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();

  const entries = await env.models.TimeEntry.find({ requestId: id }).lean();
  expect(entries.map((e) => e.minutes).sort()).toEqual([133, 95]);
  const invoices = await env.models.Invoice.find({}).lean();
  expect(invoices).toHaveLength(1);
  expect(invoices[0]!.lines).toHaveLength(1);
  expect(invoices[0]!.lines[0]).toMatchObject({ minutes: STORY_BILLED_MINUTES, amountCents: STORY_AMOUNT_CENTS });
  const audit = await env.models.AuditEvent.find({ subject: `request-${id}` }).lean();
  expect(audit.filter((e) => e.action === 'logTime')).toHaveLength(2);
  expect(new Set(audit.map((e) => e.seq)).size).toBe(audit.length);
  await recordHistory(env, `request-${id}`, 'request-worker-restarts');
});

test('when the worker is killed during an invoice run, then resuming leaves no gap, no duplicate and no hour billed twice', async () => {
  // Three buyers with approved hours: the run makes three invoices, one activity each.
  const coordinator = await env.token('dor-coordinator');
  const staff = await env.token('dor-staff');
  const reviewer = await env.token('dor-reviewer');
  for (const buyer of ['PAP', 'HIA', 'SLI']) {
    const requester = await env.token(`${buyer.toLowerCase()}-requester`);
    const { body } = await env.api('POST', '/api/requests', {
      token: requester,
      body: { serviceId: 'DOR-LEERPLICHT', title: `Advies ${buyer}` },
    });
    const id = body.requestId;
    await env.api('POST', `/api/requests/${id}/accept-intake`, { token: coordinator, body: { estimateMinutes: 300 } });
    await env.api('POST', `/api/requests/${id}/approve-quote`, { token: requester, body: {} });
    await env.api('POST', `/api/requests/${id}/assign`, { token: coordinator, body: { assignee: 'dor-staff' } });
    await env.api('POST', `/api/requests/${id}/time-entries`, { token: staff, body: { date: today(), minutes: 60, description: 'Werk' } });
    await env.api('POST', `/api/requests/${id}/submit-result`, { token: staff, body: { reference: `R-${buyer}`, notes: '' } });
    await env.api('POST', `/api/requests/${id}/review`, { token: reviewer, body: { approved: true } });
    const done = await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester, body: {} });
    expect(done.body.status).toBe('completed');
  }
  const before = await env.models.InvoiceNumber.countDocuments();

  // Kill the worker as soon as the run has made its first invoice.
  const finance = await env.token('dor-finance');
  const period = currentPeriod();
  await env.client.workflow
    .getHandle(invoiceRunWorkflowId('DOR', period))
    .terminate('reset for this test')
    .catch(() => undefined);
  await env.api('POST', '/api/invoice-runs', { token: finance, body: { period } });
  const deadline = Date.now() + 20_000;
  while ((await env.models.Invoice.countDocuments({ buyer: { $in: ['PAP', 'HIA', 'SLI'] } })) === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await env.stopWorker();
  const madeBeforeCrash = await env.models.Invoice.countDocuments({ buyer: { $in: ['PAP', 'HIA', 'SLI'] } });
  expect(madeBeforeCrash).toBeGreaterThanOrEqual(1);
  await env.startWorker();
  const result = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  expect(result.invoicesMade).toBe(3);

  const invoices = await env.models.Invoice.find({ buyer: { $in: ['PAP', 'HIA', 'SLI'] } }).lean();
  expect(invoices).toHaveLength(3);
  expect(invoices.every((i) => i.status === 'issued' && i.grossCents === 9_375)).toBe(true);
  const numbers = (await env.models.InvoiceNumber.find().sort({ seq: 1 }).lean()).map((n) => n.seq);
  expect(numbers).toEqual(Array.from({ length: before + 3 }, (_, i) => i + 1));
  const entries = await billedEntries(env, { buyer: { $in: ['PAP', 'HIA', 'SLI'] } });
  expect(entries.every((e) => e.status === 'invoiced')).toBe(true);
  // The three invoices were made at the same time: one workflow task scheduled all three.
  const history = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).fetchHistory();
  const scheduledBy = (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createInvoiceForBuyer')
    .map((e) => Number(e.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId));
  expect(scheduledBy).toHaveLength(3);
  expect(new Set(scheduledBy).size).toBe(1);
  await recordHistory(env, invoiceRunWorkflowId('DOR', period), 'invoice-run-worker-killed');
});

test('a late write of an older version puts the newer read model back, and the first write of a request creates it', async () => {
  const t = await storyTokens(env);
  const id = await requestUpTo(env, t, 'in_progress', { title: 'Volgorde van schrijven' });
  const state = await workflowState(env, id);
  const acts = requestActivities({ models: env.models, views: createViews(), slaTimeScale: 1, publicBaseUrl: PUBLIC_BASE_URL });
  const record = (s: typeof state) =>
    acts.recordRequest({
      state: s,
      submittedBy: 'zwn-requester',
      submittedAt: new Date().toISOString(),
      // An event the trail already has: its append is a no-op.
      event: { seq: 1, action: 'submit', actor: SYSTEM_ACTOR, at: new Date().toISOString(), reason: null, before: null, after: null },
    });
  // An attempt of an earlier write that arrives late.
  await record({ ...state, version: state.version - 1, status: 'accepted', assignee: null });
  expect(await env.models.Request.findById(id).select({ version: 1, status: 1, assignee: 1 }).lean()).toEqual({
    _id: id,
    version: state.version,
    status: 'in_progress',
    assignee: state.assignee,
  });
  // A request's first write inserts its read model.
  await record({ ...state, requestId: `${id}-NIEUW` });
  expect(await env.models.Request.findById(`${id}-NIEUW`).select({ version: 1, status: 1 }).lean()).toEqual({
    _id: `${id}-NIEUW`,
    version: state.version,
    status: 'in_progress',
  });
});
