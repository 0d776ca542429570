// Standing orders (doorlopende opdracht): one request over the agreement period, hours
// approved per month, continue-as-new to keep the history small.
import { requestWorkflowId, type RequestInput, type RequestState } from '../../contracts';
import { endOfDutchDay } from '../../domain/dates';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { storyTokens, today, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });

describe('a standing order over a year', () => {
  beforeAll(async () => {
    env = await createTestEnv();
    t = await storyTokens(env);
  });
  afterAll(() => env.close());

  test('when it is submitted, then it runs on the agreement budget without a quote, and is approved and overviewed per month', async () => {
    const submitted = await post('/api/requests', t.requester, {
      serviceId: 'DOR-LEERPLICHT',
      title: 'Leerplichtadministratie ZWN',
      kind: 'standing',
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.requestId;
    expect(submitted.body.kind).toBe('standing');
    const accepted = await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 60 });
    expect(accepted.body).toMatchObject({ status: 'accepted', budgetMinutes: 400 * 60 }); // the DVO's 400 hours
    await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff' });
    for (const m of [120, 90]) {
      expect(
        (await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: m, description: 'Verzuimmeldingen' })).status,
      ).toBe(201);
    }
    const noResult = await post(`/api/requests/${id}/submit-result`, t.staff, { reference: 'x' });
    expect(noResult.status).toBe(409);
    expect((await post(`/api/requests/${id}/approve-time`, t.coordinator, { upTo: today() })).body.openEntries).toEqual([]);
    const overview = await env.api('GET', `/api/requests/${id}/monthly-overview`, { token: t.requester });
    expect(overview.body).toEqual([{ month: today().slice(0, 7), minutes: 210, approvedMinutes: 210, invoicedMinutes: 0, entries: 2 }]);
    expect((await env.api('GET', `/api/requests/${id}/monthly-overview`, { token: await env.token('pap-requester') })).status).toBe(404);
  });

  test('when its history grows past the limit, then it continues as new and carries its whole state', async () => {
    // Started directly (not through the API) only to set a small history limit.
    const agreement = (await env.models.Agreement.findById('DVO-ZWN-DOR-LEERPLICHT').lean())!;
    const id = '01JCANTEST0000000000000001';
    const input: RequestInput = {
      requestId: id,
      kind: 'standing',
      buyer: 'ZWN',
      provider: 'DOR',
      serviceId: 'DOR-LEERPLICHT',
      agreementId: agreement._id,
      title: 'Doorlopend met kleine historie',
      description: '',
      process: { quoteRequired: true, intakeSlaDays: 5, deliverySlaDays: 20, silentAcceptanceDays: null },
      periodEnd: agreement.validTo,
      standingBudgetMinutes: 24_000,
      submittedBy: { userId: 'zwn-requester', org: 'ZWN', roles: ['requester'] },
      submittedAt: new Date().toISOString(),
      historyLimit: 40,
    };
    const handle = await env.client.workflow.start('requestWorkflow', {
      workflowId: requestWorkflowId(id),
      taskQueue: env.taskQueue,
      args: [input],
    });
    const firstRun = handle.firstExecutionRunId;
    await waitFor(
      'the read model',
      () => env.models.Request.findById(id).lean(),
      (r) => r !== null,
    );
    await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 60 });
    await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff-2' });
    const staff = await env.token('dor-staff-2');
    for (let i = 0; i < 12; i++) {
      const r = await post(`/api/requests/${id}/time-entries`, staff, { date: today(), minutes: 10, description: `Dag ${i + 1}` });
      expect(r.status).toBe(201);
    }
    const desc = await waitFor(
      'a new run',
      () => handle.describe(),
      (d) => d.runId !== firstRun,
    );
    expect(desc.status.name).toBe('RUNNING');
    const state: RequestState = await env.client.workflow.getHandle(requestWorkflowId(id)).query('getRequestState');
    expect(state.runs).toBeGreaterThan(1);
    expect(state).toMatchObject({
      status: 'in_progress',
      assignee: 'dor-staff-2',
      loggedMinutes: 120,
      budgetMinutes: 24_000,
      contributors: ['dor-staff-2'],
    });
    expect(state.openEntries).toHaveLength(12);
    // The carried state keeps working: numbering goes on, approvals cover entries of both runs.
    const next = await post(`/api/requests/${id}/time-entries`, staff, { date: today(), minutes: 10, description: 'Na de nieuwe run' });
    expect(next.body.entryId).toBe(`${id}-13`);
    await post(`/api/requests/${id}/approve-time`, t.coordinator, { upTo: today() });
    expect(await env.models.TimeEntry.countDocuments({ requestId: id, status: 'approved' })).toBe(13);
    await recordHistory(env, requestWorkflowId(id), 'request-standing-before-continue-as-new', firstRun);
    await recordHistory(env, requestWorkflowId(id), 'request-standing-after-continue-as-new');
    await post(`/api/requests/${id}/cancel`, t.coordinator, { reason: 'Einde test' });
  });
});

describe('a standing order at the end of its agreement period', () => {
  // The period ends tonight; the worker's SLA scale makes "tonight" a few seconds away.
  beforeAll(async () => {
    const msLeftToday = endOfDutchDay(todayInNL()) - Date.now();
    env = await createTestEnv({ slaTimeScale: Math.min(1, 6_000 / msLeftToday) });
    t = await storyTokens(env);
    const year = Number(todayInNL().slice(0, 4));
    await env.models.Agreement.updateOne(
      { _id: 'DVO-ZWN-DOR-LEERPLICHT' },
      { $set: { validFrom: `${year - 1}-01-01`, validTo: todayInNL() } },
    );
  });
  afterAll(() => env.close());

  test('when the period ends, then it completes by itself and its remaining hours are approved', async () => {
    const { body } = await post('/api/requests', t.requester, { serviceId: 'DOR-LEERPLICHT', title: 'Loopt vandaag af', kind: 'standing' });
    const id = body.requestId;
    await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 60 });
    await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Laatste dag' });
    const final = await env.client.workflow.getHandle(requestWorkflowId(id)).result();
    expect(final.status).toBe('completed');
    const trail = await env.models.AuditEvent.find({ subject: `request-${id}` })
      .sort({ seq: 1 })
      .lean();
    expect(trail[trail.length - 1]).toMatchObject({ action: 'periodEnded', actor: 'system' });
    expect((await env.models.TimeEntry.find({ requestId: id }).lean()).map((e) => e.status)).toEqual(['approved']);
  });
});
