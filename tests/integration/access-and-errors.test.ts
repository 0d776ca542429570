// Who may do what: authentication, organisation boundaries, roles, states and bad input.
// Every refusal is problem+json and leaves the request exactly as it was.
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { currentPeriod, storyTokens, today, workflowState, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
let id: string;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  const { body } = await env.api('POST', '/api/requests', {
    token: t.requester,
    body: { serviceId: 'DOR-LEERPLICHT', title: 'Beleidsnotitie thuiszitters' },
  });
  id = body.requestId;
});
afterAll(async () => {
  await recordHistory(env, `request-${id}`, 'request-rework-and-refusals');
  await env.close();
});

async function snapshot() {
  const [state, doc, audit] = await Promise.all([
    workflowState(env, id),
    env.models.Request.findById(id).lean(),
    env.models.AuditEvent.countDocuments({ subject: `request-${id}` }),
  ]);
  return { state, doc, audit };
}

async function expectProblem(res: { status: number; body: any; headers: Headers }, status: number, extra: object = {}) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, ...extra });
  expect(typeof res.body.detail).toBe('string');
}

describe('authentication', () => {
  test('when no bearer token is sent, then 401', async () => {
    await expectProblem(await env.api('GET', '/api/requests'), 401);
  });
  test('when the token is forged, then 401', async () => {
    // Change the first character of the signature (its last character has unused bits).
    const [header, payload, signature] = (await env.token('zwn-requester')).split('.');
    const forged = `${header}.${payload}.${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;
    await expectProblem(await env.api('GET', '/api/requests', { token: forged }), 401);
  });
  test('when a user asks a token for an organisation they have no role in, then 400', async () => {
    await expectProblem(await env.api('POST', '/dev/token', { body: { userId: 'zwn-requester', org: 'DOR' } }), 400, { field: 'org' });
  });
});

describe('another municipality', () => {
  test('when PAP reads or touches a ZWN request, then it gets 404 and the request does not change', async () => {
    const pap = await env.token('pap-requester');
    const before = await snapshot();
    await expectProblem(await env.api('GET', `/api/requests/${id}`, { token: pap }), 404);
    await expectProblem(await env.api('GET', `/api/requests/${id}/audit`, { token: pap }), 404);
    await expectProblem(await env.api('GET', `/api/requests/${id}/time-entries`, { token: pap }), 404);
    await expectProblem(await env.api('POST', `/api/requests/${id}/approve-quote`, { token: pap, body: {} }), 404);
    const list = await env.api('GET', '/api/requests', { token: pap });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { _id: string }) => r._id)).not.toContain(id);
    expect(await snapshot()).toEqual(before);
  });
  test('when ZWN lists requests, then it sees its own', async () => {
    const list = await env.api('GET', '/api/requests', { token: t.requester });
    expect(list.body.items.map((r: { _id: string }) => r._id)).toContain(id);
  });
  test('when PAP finance asks for a ZWN invoice, then 404', async () => {
    await env.models.Invoice.create({
      _id: 'INV-TEST-ZWN',
      number: 'DOR-2026-09999',
      provider: 'DOR',
      buyer: 'ZWN',
      period: '2026-01',
      runKey: 'x',
      agreementId: 'a',
      orderReference: 'o',
      issueDate: '2026-02-01',
      dueDate: '2026-03-03',
      netCents: 100,
      vatCents: 0,
      grossCents: 100,
      status: 'issued',
    });
    const pap = await env.token('pap-finance');
    await expectProblem(await env.api('GET', '/api/invoices/INV-TEST-ZWN', { token: pap }), 404);
    const list = await env.api('GET', '/api/invoices', { token: pap });
    expect(list.body).toEqual([]);
    const zwn = await env.api('GET', '/api/invoices/INV-TEST-ZWN', { token: await env.token('zwn-finance') });
    expect(zwn.status).toBe(200);
  });
});

describe('roles and states', () => {
  test("when the requester tries the coordinator's intake, then 403 and nothing changes", async () => {
    const before = await snapshot();
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.requester, body: { estimateMinutes: 60 } }),
      403,
    );
    expect(await snapshot()).toEqual(before);
  });
  test('when the quote is approved before there is one, then 409 naming the state', async () => {
    const before = await snapshot();
    await expectProblem(await env.api('POST', `/api/requests/${id}/approve-quote`, { token: t.requester, body: {} }), 409, {
      code: 'action_not_in_state',
      params: { action: 'approveQuote', status: 'submitted' },
    });
    expect(await snapshot()).toEqual(before);
  });
  test('when the estimate is not a whole positive number, then 400 naming the field and nothing changes', async () => {
    const before = await snapshot();
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: -5 } }),
      400,
      { field: 'estimateMinutes' },
    );
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: 'veel' } }),
      400,
      { field: 'estimateMinutes' },
    );
    expect(await snapshot()).toEqual(before);
  });
  test('when the body is not JSON, then 400', async () => {
    const res = await fetch(`${env.baseUrl}/api/requests/${id}/accept-intake`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.coordinator}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(400);
  });
  test('when the request id is unknown, then 404', async () => {
    await expectProblem(await env.api('GET', '/api/requests/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: t.requester }), 404);
  });
});

describe('hours, budget and four-eyes', () => {
  beforeAll(async () => {
    await env.api('POST', `/api/requests/${id}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: 120 } });
    await env.api('POST', `/api/requests/${id}/approve-quote`, { token: t.requester, body: {} });
  });

  test('when someone not on the staff of the provider is assigned, then 400 naming the assignee', async () => {
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/assign`, { token: t.coordinator, body: { assignee: 'zwn-staff' } }),
      400,
      { field: 'assignee' },
    );
  });

  test('when a reviewer registered hours, then that reviewer may not review', async () => {
    const reviewerAsStaff = await env.token('dor-reviewer');
    expect((await env.api('POST', `/api/requests/${id}/assign`, { token: t.coordinator, body: { assignee: 'dor-reviewer' } })).status).toBe(
      200,
    );
    expect(
      (
        await env.api('POST', `/api/requests/${id}/time-entries`, {
          token: reviewerAsStaff,
          body: { date: today(), minutes: 30, description: 'Eerste opzet' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await env.api('POST', `/api/requests/${id}/submit-result`, { token: reviewerAsStaff, body: { reference: 'R-1' } })).status,
    ).toBe(200);
    const before = await snapshot();
    await expectProblem(await env.api('POST', `/api/requests/${id}/review`, { token: reviewerAsStaff, body: { approved: true } }), 403);
    expect(await snapshot()).toEqual(before);
    // Another reviewer sends it back to work, with a reason.
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/review`, { token: await env.token('dbc-coordinator'), body: { approved: true } }),
      404,
    );
    const zwnCoordinator = await env.token('zwn-coordinator');
    await expectProblem(await env.api('POST', `/api/requests/${id}/review`, { token: zwnCoordinator, body: { approved: true } }), 403);
  });

  test('when staff who is not assigned registers hours, then 403', async () => {
    await env.models.User.updateOne({ _id: 'dor-staff-2' }, { $set: { memberships: [{ org: 'DOR', roles: ['staff', 'reviewer'] }] } });
    const other = await env.token('dor-staff-2');
    expect(
      (await env.api('POST', `/api/requests/${id}/review`, { token: other, body: { approved: false, reason: 'Bronvermelding ontbreekt' } }))
        .body.status,
    ).toBe('in_progress');
    const before = await snapshot();
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/time-entries`, { token: other, body: { date: today(), minutes: 30, description: 'x' } }),
      403,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('when an entry is in the future, too long or without description, then 400 naming the field', async () => {
    const staff = await env.token('dor-reviewer');
    const before = await snapshot();
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/time-entries`, {
        token: staff,
        body: { date: '2999-01-01', minutes: 30, description: 'x' },
      }),
      400,
      { field: 'date' },
    );
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/time-entries`, { token: staff, body: { date: today(), minutes: 1441, description: 'x' } }),
      400,
      { field: 'minutes' },
    );
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/time-entries`, {
        token: staff,
        body: { date: '2026-02-30', minutes: 30, description: 'x' },
      }),
      400,
      { field: 'date' },
    );
    await expectProblem(
      await env.api('POST', `/api/requests/${id}/time-entries`, { token: staff, body: { date: today(), minutes: 30, description: '' } }),
      400,
      { field: 'description' },
    );
    expect(await snapshot()).toEqual(before);
  });

  test('when an entry would exceed the approved budget, then 409 with the remaining minutes', async () => {
    const staff = await env.token('dor-reviewer');
    const before = await snapshot();
    const res = await env.api('POST', `/api/requests/${id}/time-entries`, {
      token: staff,
      body: { date: today(), minutes: 91, description: 'Te veel' },
    });
    await expectProblem(res, 409, { code: 'budget_exceeded', params: { remainingMinutes: 90 }, field: 'minutes' });
    expect(await snapshot()).toEqual(before);
    expect(
      (
        await env.api('POST', `/api/requests/${id}/time-entries`, {
          token: staff,
          body: { date: today(), minutes: 90, description: 'Precies genoeg' },
        })
      ).status,
    ).toBe(201);
  });
});

describe('submission and invoicing input', () => {
  test('when a municipality submits without an agreement for the service, then 400 naming the service', async () => {
    const pap = await env.token('pap-requester');
    await expectProblem(await env.api('POST', '/api/requests', { token: pap, body: { serviceId: 'ZWN-ICT', title: 'ICT' } }), 400, {
      field: 'serviceId',
    });
    await expectProblem(await env.api('POST', '/api/requests', { token: pap, body: { serviceId: 'NOPE', title: 'x' } }), 400, {
      field: 'serviceId',
    });
    await expectProblem(await env.api('POST', '/api/requests', { token: pap, body: { serviceId: 'DOR-LEERPLICHT' } }), 400, {
      field: 'title',
    });
    const coordinator = await env.api('POST', '/api/requests', { token: t.coordinator, body: { serviceId: 'ZWN-ICT', title: 'ICT' } });
    await expectProblem(coordinator, 403);
  });
  test('when the invoice run is started by someone who is not finance of the provider, then 403', async () => {
    await expectProblem(await env.api('POST', '/api/invoice-runs', { token: t.coordinator, body: { period: currentPeriod() } }), 403);
    await expectProblem(
      await env.api('POST', '/api/invoice-runs', { token: await env.token('pap-finance'), body: { period: currentPeriod() } }),
      403,
    );
  });
  test('when the period is malformed or in the future, then 400 naming the period', async () => {
    await expectProblem(await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: '2026-13' } }), 400, {
      field: 'period',
    });
    await expectProblem(await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: '2999-01' } }), 400, {
      field: 'period',
    });
    expect(await env.models.Invoice.countDocuments({ provider: 'DOR', number: { $ne: 'DOR-2026-09999' } })).toBe(0);
  });
});
