// One policy request end to end over HTTP: ZWN buys compulsory-education work from DOR.
// Every step checks the API's answer, the workflow state and the database.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import {
  currentPeriod,
  readModel,
  billedEntries,
  STORY_AMOUNT_CENTS,
  STORY_BILLED_MINUTES,
  STORY_ENTRIES,
  storyTokens,
  today,
  workflowState,
  type StoryTokens,
} from '../support/story';

let env: TestEnv;
let t: StoryTokens;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

describe('when a ZWN requester commissions DOR compulsory-education work', () => {
  let id: string;

  test('then the request goes from intake to an invoice line of hours x rate, exact to the cent', async () => {
    // 1. submit
    const submitted = await env.api('POST', '/api/requests', {
      token: t.requester,
      body: { serviceId: 'DOR-LEERPLICHT', title: 'Verzuimanalyse voortgezet onderwijs', description: 'Analyse van het verzuim 2026' },
    });
    expect(submitted.status).toBe(201);
    id = submitted.body.requestId;
    expect(submitted.body).toMatchObject({ status: 'submitted', buyer: 'ZWN', provider: 'DOR', agreementId: 'DVO-ZWN-DOR-LEERPLICHT' });
    expect((await workflowState(env, id)).status).toBe('submitted');
    expect(await readModel(env, id)).toMatchObject({ status: 'submitted', buyer: 'ZWN', provider: 'DOR', version: 1 });

    // 2. coordinator accepts with an estimate: a quote, because the service requires one
    const accepted = await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: 600 } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'quoted', estimateMinutes: 600, budgetMinutes: null });
    expect((await workflowState(env, id)).status).toBe('quoted');
    expect(await readModel(env, id)).toMatchObject({ status: 'quoted', estimateMinutes: 600 });

    // 3. requester approves the quote: that sets the budget
    const approved = await env.api('POST', `/api/requests/${id}/approve-quote`, { token: t.requester, body: {} });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'accepted', budgetMinutes: 600 });
    expect((await workflowState(env, id)).budgetMinutes).toBe(600);
    expect(await readModel(env, id)).toMatchObject({ status: 'accepted', budgetMinutes: 600 });

    // 4. coordinator assigns a staff member
    const assigned = await env.api('POST', `/api/requests/${id}/assign`, { token: t.coordinator, body: { assignee: 'dor-staff' } });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'in_progress', assignee: 'dor-staff' });
    expect((await workflowState(env, id)).assignee).toBe('dor-staff');
    expect(await readModel(env, id)).toMatchObject({ status: 'in_progress', assignee: 'dor-staff' });

    // 5. the staff member registers hours
    for (const entry of STORY_ENTRIES) {
      const logged = await env.api('POST', `/api/requests/${id}/time-entries`, { token: t.staff, body: { date: today(), ...entry } });
      expect(logged.status).toBe(201);
      expect(logged.body).toMatchObject({ userId: 'dor-staff', minutes: entry.minutes, date: today() });
    }
    expect((await workflowState(env, id)).loggedMinutes).toBe(95 + 133);
    const entries = await env.models.TimeEntry.find({ requestId: id }).lean();
    expect(entries.map((e) => [e.minutes, e.status])).toEqual([
      [95, 'registered'],
      [133, 'registered'],
    ]);

    // staff submits the result; 6. a reviewer (who logged no hours) approves
    const submittedResult = await env.api('POST', `/api/requests/${id}/submit-result`, {
      token: t.staff,
      body: { reference: 'DMS-2026-4411', notes: 'Rapport verzuimanalyse' },
    });
    expect(submittedResult.status).toBe(200);
    expect(submittedResult.body.status).toBe('in_review');
    const reviewed = await env.api('POST', `/api/requests/${id}/review`, { token: t.reviewer, body: { approved: true } });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.status).toBe('awaiting_acceptance');
    expect(await readModel(env, id)).toMatchObject({ status: 'awaiting_acceptance' });

    // 7. the requester accepts: the request completes and its hours are approved
    const done = await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester, body: {} });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    const handle = env.client.workflow.getHandle(`request-${id}`);
    expect((await handle.result()).status).toBe('completed');
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await readModel(env, id)).toMatchObject({ status: 'completed' });
    expect((await billedEntries(env, { requestId: id })).every((e) => e.status === 'approved')).toBe(true);

    // the Temporal UI can find it by its business fields (visibility is eventually consistent)
    const query = `EenvoudBuyer = 'ZWN' AND EenvoudProvider = 'DOR' AND EenvoudStatus = 'completed' AND EenvoudAssignee = 'dor-staff'`;
    let found: string[] = [];
    for (let i = 0; i < 50 && !found.includes(`request-${id}`); i++) {
      found = [];
      for await (const wf of env.client.workflow.list({ query })) found.push(wf.workflowId);
      if (!found.includes(`request-${id}`)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toContain(`request-${id}`);

    // the audit trail holds every action once, in order
    const audit = await env.api('GET', `/api/requests/${id}/audit`, { token: t.requester });
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'acceptIntake',
      'approveQuote',
      'assign',
      'logTime',
      'logTime',
      'submitResult',
      'approveReview',
      'acceptResult',
    ]);

    // 8. DOR finance runs invoicing for the period: one invoice DOR -> ZWN
    const run = await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
    expect(run.status).toBe(202);
    const runHandle = env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod()));
    const result = await runHandle.result();
    expect(result).toMatchObject({ phase: 'done', invoicesMade: 1, entriesProcessed: 2 });
    const progress = await env.api('GET', `/api/invoice-runs/${currentPeriod()}`, { token: t.finance });
    expect(progress.body).toMatchObject({ status: 'COMPLETED', invoicesMade: 1, entriesTotal: 2 });

    const invoices = await env.models.Invoice.find({}).lean();
    expect(invoices).toHaveLength(1);
    const invoice = invoices[0]!;
    expect(invoice).toMatchObject({
      provider: 'DOR',
      buyer: 'ZWN',
      status: 'issued',
      number: `DOR-${today().slice(0, 4)}-00001`,
      orderReference: 'ZWN-INK-2026-01',
      netCents: STORY_AMOUNT_CENTS,
      vatCents: 0,
      grossCents: STORY_AMOUNT_CENTS,
    });
    expect(invoice.lines).toHaveLength(1);
    expect(invoice.lines[0]).toMatchObject({
      requestId: id,
      minutes: STORY_BILLED_MINUTES,
      rateCentsPerHour: 9_375,
      amountCents: STORY_AMOUNT_CENTS,
    });
    expect((await billedEntries(env, { requestId: id })).every((e) => e.status === 'invoiced' && e.invoiceId === invoice._id)).toBe(true);

    // the buyer's finance sees it through the API with the same figure
    const zwnFinance = await env.token('zwn-finance');
    const incoming = await env.api('GET', `/api/invoices/${invoice._id}`, { token: zwnFinance });
    expect(incoming.status).toBe(200);
    expect(incoming.body.grossCents).toBe(STORY_AMOUNT_CENTS);

    await recordHistory(env, `request-${id}`, 'request-happy-path');
    await recordHistory(env, invoiceRunWorkflowId('DOR', currentPeriod()), 'invoice-run-one-buyer');
  });

  test('then running the same period again bills nothing twice', async () => {
    const finance = await env.token('dor-finance');
    const again = await env.api('POST', '/api/invoice-runs', { token: finance, body: { period: currentPeriod() } });
    expect(again.status).toBe(202);
    const result = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    expect(result).toMatchObject({ invoicesMade: 0, entriesTotal: 0 });
    expect(await env.models.Invoice.countDocuments()).toBe(1);
  });
});
