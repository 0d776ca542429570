// For every request action: a wrong role, a foreign organisation, the wrong state and bad
// input each get their problem+json status, and the request stays exactly as it was.
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, workflowState, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
let foreign: string;
let submittedId: string; // a request waiting for intake: the wrong state for most actions
let workingId: string; // a request in progress: the wrong state for intake actions
let closedId: string; // a cancelled request: the wrong state for everything

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  foreign = await env.token('pap-requester');
  submittedId = await requestUpTo(env, t, 'submitted');
  workingId = await requestUpTo(env, t, 'in_progress');
  await env.api('POST', `/api/requests/${workingId}/time-entries`, {
    token: t.staff,
    body: { date: today(), minutes: 30, description: 'x' },
  });
  closedId = await requestUpTo(env, t, 'submitted');
  await env.api('POST', `/api/requests/${closedId}/cancel`, { token: t.requester, body: { reason: 'Niet meer nodig' } });
});
afterAll(() => env.close());

type Who = keyof StoryTokens;
interface Case {
  path: string;
  method?: 'POST' | 'PUT' | 'DELETE';
  body: object;
  bad?: { body: object; field: string };
  right: Who;
  wrong: Who;
  /** Which prepared request is in a state where the action is not allowed. */
  wrongStateOf: 'submitted' | 'working' | 'closed';
}

const cases: Record<string, Case> = {
  acceptIntake: {
    path: 'accept-intake',
    body: { estimateMinutes: 60 },
    bad: { body: { estimateMinutes: 0 }, field: 'estimateMinutes' },
    right: 'coordinator',
    wrong: 'requester',
    wrongStateOf: 'working',
  },
  rejectIntake: {
    path: 'reject-intake',
    body: { reason: 'r' },
    bad: { body: { reason: '' }, field: 'reason' },
    right: 'coordinator',
    wrong: 'staff',
    wrongStateOf: 'working',
  },
  askClarification: {
    path: 'clarification-question',
    body: { text: 'q' },
    bad: { body: {}, field: 'text' },
    right: 'coordinator',
    wrong: 'requester',
    wrongStateOf: 'working',
  },
  answerClarification: {
    path: 'clarification-answer',
    body: { text: 'a' },
    bad: { body: { text: 5 }, field: 'text' },
    right: 'requester',
    wrong: 'coordinator',
    wrongStateOf: 'submitted',
  },
  approveQuote: { path: 'approve-quote', body: {}, right: 'requester', wrong: 'coordinator', wrongStateOf: 'submitted' },
  declineQuote: {
    path: 'decline-quote',
    body: { reason: 'r' },
    bad: { body: {}, field: 'reason' },
    right: 'requester',
    wrong: 'finance',
    wrongStateOf: 'submitted',
  },
  assign: {
    path: 'assign',
    body: { assignee: 'dor-staff' },
    bad: { body: { assignee: '' }, field: 'assignee' },
    right: 'coordinator',
    wrong: 'staff',
    wrongStateOf: 'submitted',
  },
  logTime: {
    path: 'time-entries',
    body: { date: '2026-01-05', minutes: 30, description: 'd' },
    bad: { body: { date: 'gisteren', minutes: 30, description: 'd' }, field: 'date' },
    right: 'staff',
    wrong: 'coordinator',
    wrongStateOf: 'submitted',
  },
  approveTime: {
    path: 'approve-time',
    body: { upTo: '2026-01-05' },
    bad: { body: { upTo: 'ooit' }, field: 'upTo' },
    right: 'coordinator',
    wrong: 'staff',
    wrongStateOf: 'submitted',
  },
  requestBudgetExtension: {
    path: 'budget-extension',
    body: { extraMinutes: 60, reason: 'r' },
    bad: { body: { extraMinutes: -1, reason: 'r' }, field: 'extraMinutes' },
    right: 'coordinator',
    wrong: 'requester',
    wrongStateOf: 'submitted',
  },
  decideBudgetExtension: {
    path: 'budget-extension/decision',
    body: { approved: true },
    bad: { body: { approved: 'ja' }, field: 'approved' },
    right: 'requester',
    wrong: 'coordinator',
    wrongStateOf: 'submitted',
  },
  submitResult: {
    path: 'submit-result',
    body: { reference: 'R' },
    bad: { body: { reference: '' }, field: 'reference' },
    right: 'staff',
    wrong: 'requester',
    wrongStateOf: 'submitted',
  },
  review: {
    path: 'review',
    body: { approved: true },
    bad: { body: { approved: 'ok' }, field: 'approved' },
    right: 'reviewer',
    wrong: 'requester',
    wrongStateOf: 'working',
  },
  acceptResult: { path: 'accept-result', body: {}, right: 'requester', wrong: 'reviewer', wrongStateOf: 'working' },
  rejectResult: {
    path: 'reject-result',
    body: { reason: 'r' },
    bad: { body: { reason: '' }, field: 'reason' },
    right: 'requester',
    wrong: 'coordinator',
    wrongStateOf: 'working',
  },
  cancel: {
    path: 'cancel',
    body: { reason: 'r' },
    bad: { body: {}, field: 'reason' },
    right: 'coordinator',
    wrong: 'staff',
    wrongStateOf: 'closed',
  },
};

async function snapshot(id: string) {
  const [state, doc, audit, entries] = await Promise.all([
    workflowState(env, id),
    env.models.Request.findById(id).lean(),
    env.models.AuditEvent.countDocuments({ subject: `request-${id}` }),
    env.models.TimeEntry.find({ requestId: id }).lean(),
  ]);
  return { state, doc, audit, entries };
}

describe.each(Object.entries(cases))('%s', (_name, c) => {
  const call = (id: string, token: string, body: object) => env.api(c.method ?? 'POST', `/api/requests/${id}/${c.path}`, { token, body });

  test('when a user of another municipality tries it, then 404 and nothing changes', async () => {
    const before = await snapshot(workingId);
    const res = await call(workingId, foreign, c.body);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await snapshot(workingId)).toEqual(before);
  });

  test('when someone with the wrong role tries it, then 403 and nothing changes', async () => {
    // The state where the action is allowed matters less than the role: the role is checked first.
    const id = c.wrongStateOf === 'working' ? submittedId : workingId;
    const before = await snapshot(id);
    const res = await call(id, t[c.wrong], c.body);
    expect(res.status).toBe(403);
    expect(await snapshot(id)).toEqual(before);
  });

  test('when the request is in a state that does not allow it, then 409 naming the state and nothing changes', async () => {
    const id = { working: workingId, submitted: submittedId, closed: closedId }[c.wrongStateOf];
    const before = await snapshot(id);
    const res = await call(id, t[c.right], c.body);
    expect(res.status).toBe(409);
    expect(res.body.params.status).toBe(before.state.status);
    expect(['action_not_in_state', 'request_closed']).toContain(res.body.code);
    expect(await snapshot(id)).toEqual(before);
  });

  if (c.bad) {
    const bad = c.bad;
    test(`when the input is bad, then 400 naming ${bad.field} and nothing changes`, async () => {
      const id = c.wrongStateOf === 'working' ? submittedId : workingId;
      const before = await snapshot(id);
      const res = await call(id, t[c.right], bad.body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(bad.field);
      expect(await snapshot(id)).toEqual(before);
    });
  }
});
