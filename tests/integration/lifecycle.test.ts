// The complete request lifecycle over HTTP: intake with clarification, quotes, assignment,
// time registration with budgets, review, acceptance, cancellation, lists and audit.
import { invoiceRunWorkflowId, requestWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { auditActions, currentPeriod, requestUpTo, storyTokens, today, workflowState, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });
const mailsTo = (userId: string) => env.models.Mail.find({ to: userId }).lean();

describe('intake', () => {
  test('when the coordinator asks twice for clarification, then the requester answers each and intake resumes', async () => {
    const id = await requestUpTo(env, t, 'submitted');
    expect((await post(`/api/requests/${id}/clarification-question`, t.coordinator, { text: 'Welke scholen?' })).body.status).toBe(
      'clarification',
    );
    // While the question is open, intake cannot go on.
    expect((await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 60 })).status).toBe(409);
    expect((await post(`/api/requests/${id}/clarification-answer`, t.requester, { text: 'Alle VO-scholen' })).body.status).toBe(
      'submitted',
    );
    await post(`/api/requests/${id}/clarification-question`, t.coordinator, { text: 'Welk schooljaar?' });
    const answered = await post(`/api/requests/${id}/clarification-answer`, t.requester, { text: '2025-2026' });
    expect(answered.body.clarifications).toEqual([
      { question: 'Welke scholen?', answer: 'Alle VO-scholen' },
      { question: 'Welk schooljaar?', answer: '2025-2026' },
    ]);
    expect((await mailsTo('zwn-requester')).filter((m) => m.kind === 'clarification-question')).toHaveLength(2);
    expect((await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 60 })).body.status).toBe('quoted');
  });

  test('when the coordinator rejects without a reason, then 400; with a reason, then the request is rejected and the reason kept', async () => {
    const id = await requestUpTo(env, t, 'submitted');
    const bad = await post(`/api/requests/${id}/reject-intake`, t.coordinator, { reason: ' ' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('reason');
    const ok = await post(`/api/requests/${id}/reject-intake`, t.coordinator, { reason: 'Valt buiten de DVO' });
    expect(ok.body).toMatchObject({ status: 'rejected', lastReason: 'Valt buiten de DVO' });
    expect((await env.client.workflow.getHandle(requestWorkflowId(id)).result()).status).toBe('rejected');
    const audit = await env.models.AuditEvent.findOne({ subject: `request-${id}`, action: 'rejectIntake' }).lean();
    expect(audit).toMatchObject({
      actor: 'dor-coordinator',
      org: 'DOR',
      before: { status: 'submitted' },
      after: { status: 'rejected', reason: 'Valt buiten de DVO' },
    });
  });

  test('when the requester declines the quote, then intake resumes and a new quote can be approved as the budget', async () => {
    const id = await requestUpTo(env, t, 'quoted', { estimateMinutes: 900 });
    expect((await post(`/api/requests/${id}/decline-quote`, t.requester, {})).status).toBe(400);
    expect((await post(`/api/requests/${id}/decline-quote`, t.requester, { reason: 'Te duur' })).body.status).toBe('submitted');
    await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 600 });
    expect((await post(`/api/requests/${id}/approve-quote`, t.requester)).body).toMatchObject({ status: 'accepted', budgetMinutes: 600 });
  });
});

describe('assignment', () => {
  test('when staff are suggested, then those with the skill and fewest open hours come first', async () => {
    const busy = await requestUpTo(env, t, 'in_progress', { assignee: 'dor-staff', estimateMinutes: 6000 });
    expect(busy).toBeTruthy();
    const id = await requestUpTo(env, t, 'accepted');
    const res = await env.api('GET', `/api/requests/${id}/assignment-suggestions`, { token: t.coordinator });
    expect(res.status).toBe(200);
    const ids = res.body.map((s: { userId: string }) => s.userId);
    // dor-staff-2 and dor-reviewer have the skill and no open work; dor-staff has 100 open hours.
    expect(ids.indexOf('dor-staff')).toBeGreaterThan(ids.indexOf('dor-staff-2'));
    expect(res.body.every((s: { hasSkill: boolean }) => s.hasSkill)).toBe(true);
    expect((await env.api('GET', `/api/requests/${id}/assignment-suggestions`, { token: t.requester })).status).toBe(403);
  });

  test('when staff lacks the skill, then assigning is refused; reassignment keeps the history', async () => {
    await env.models.User.updateOne({ _id: 'dor-staff-2' }, { $set: { skills: ['jeugd'] } });
    const id = await requestUpTo(env, t, 'accepted');
    const refused = await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff-2' });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/skill leerplicht/);
    await env.models.User.updateOne({ _id: 'dor-staff-2' }, { $set: { skills: ['leerplicht', 'jeugd'] } });
    await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff' });
    const re = await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff-2' });
    expect(re.body).toMatchObject({ status: 'in_progress', assignee: 'dor-staff-2' });
    const trail = await env.models.AuditEvent.find({ subject: `request-${id}`, action: 'assign' })
      .sort({ seq: 1 })
      .lean();
    expect(trail.map((e) => (e.after as { assignee: string }).assignee)).toEqual(['dor-staff', 'dor-staff-2']);
    const tasks = await env.api('GET', '/api/my/tasks', { token: await env.token('dor-staff-2') });
    expect(tasks.body.assigned.map((r: { _id: string }) => r._id)).toContain(id);
    const oldTasks = await env.api('GET', '/api/my/tasks', { token: t.staff });
    expect(oldTasks.body.assigned.map((r: { _id: string }) => r._id)).not.toContain(id);
  });
});

describe('time registration', () => {
  test('when entries are edited or deleted before approval, then the totals follow; after approval they are locked', async () => {
    const id = await requestUpTo(env, t, 'in_progress');
    const a = await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 60, description: 'Eerste opzet' });
    const b = await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Overleg' });
    const edited = await env.api('PUT', `/api/requests/${id}/time-entries/${a.body.entryId}`, {
      token: t.staff,
      body: { date: today(), minutes: 90, description: 'Eerste opzet en bronnen' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.minutes).toBe(90);
    expect((await env.api('DELETE', `/api/requests/${id}/time-entries/${b.body.entryId}`, { token: t.staff })).status).toBe(200);
    expect((await workflowState(env, id)).loggedMinutes).toBe(90);
    const entries = await env.models.TimeEntry.find({ requestId: id }).lean();
    expect(entries.map((e) => [e.minutes, e.description, e.status])).toEqual([[90, 'Eerste opzet en bronnen', 'registered']]);
    // someone else's entry
    const other = await env.api('PUT', `/api/requests/${id}/time-entries/${a.body.entryId}`, {
      token: await env.token('dor-staff-2'),
      body: { date: today(), minutes: 10, description: 'x' },
    });
    expect(other.status).toBe(403);
    // the coordinator approves: the entry is locked
    expect((await post(`/api/requests/${id}/approve-time`, t.coordinator, { upTo: today() })).status).toBe(200);
    expect((await env.models.TimeEntry.findById(a.body.entryId).lean())!.status).toBe('approved');
    const locked = await env.api('DELETE', `/api/requests/${id}/time-entries/${a.body.entryId}`, { token: t.staff });
    expect(locked.status).toBe(400);
    expect(locked.body.field).toBe('entryId');
  });

  test('when a person would pass 24 hours on one day across requests, then the entry is refused and nothing changes', async () => {
    const r1 = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 6000, assignee: 'dor-reviewer' });
    const r2 = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 6000, assignee: 'dor-reviewer' });
    const staff = await env.token('dor-reviewer');
    expect((await post(`/api/requests/${r1}/time-entries`, staff, { date: today(), minutes: 1000, description: 'Lang' })).status).toBe(201);
    const before = await workflowState(env, r2);
    const over = await post(`/api/requests/${r2}/time-entries`, staff, { date: today(), minutes: 441, description: 'Te lang' });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'day_cap_exceeded', params: { remainingMinutes: 440 }, field: 'minutes' });
    const after = await workflowState(env, r2);
    expect(after.loggedMinutes).toBe(before.loggedMinutes);
    expect(after.openEntries).toEqual(before.openEntries);
    expect(await env.models.TimeEntry.countDocuments({ requestId: r2 })).toBe(0);
    expect(
      (await post(`/api/requests/${r2}/time-entries`, staff, { date: today(), minutes: 440, description: 'Past precies' })).status,
    ).toBe(201);
  });

  test('when 80% of the budget is reached, then the requester and coordinator get a mail, once', async () => {
    const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 100, title: 'Budgetbewaking' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 79, description: 'a' });
    const alerts = async () => env.models.Mail.find({ requestId: id, kind: 'budget-alert' }).lean();
    expect(await alerts()).toHaveLength(0);
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 1, description: 'b' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 5, description: 'c' });
    const sent = await alerts();
    expect(sent.map((m) => m.to).sort()).toEqual(['dor-coordinator', 'zwn-requester']);
    expect(sent[0]!.html).toContain('80% van het budget');
    expect(sent[0]!.subject).toContain('Budgetbewaking');
    const mailbox = await env.api('GET', '/api/mailbox', { token: t.requester });
    expect(mailbox.body.map((m: { kind: string }) => m.kind)).toContain('budget-alert');
  });

  test('when the budget is exhausted, then hours wait for a budget extension that the buyer approves', async () => {
    const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 60, title: 'Uitbreiding' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 60, description: 'Alles' });
    const refused = await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Meer' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'budget_exceeded', params: { remainingMinutes: 0 } });
    expect((await post(`/api/requests/${id}/budget-extension`, t.requester, { extraMinutes: 120, reason: 'x' })).status).toBe(403);
    expect((await post(`/api/requests/${id}/budget-extension`, t.coordinator, { extraMinutes: 120 })).status).toBe(400);
    const asked = await post(`/api/requests/${id}/budget-extension`, t.coordinator, { extraMinutes: 120, reason: 'Extra scholen' });
    expect(asked.body.pendingExtension).toMatchObject({ extraMinutes: 120 });
    expect((await post(`/api/requests/${id}/budget-extension`, t.coordinator, { extraMinutes: 60, reason: 'Nog meer' })).status).toBe(409);
    expect((await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Meer' })).status).toBe(409);
    const decided = await post(`/api/requests/${id}/budget-extension/decision`, t.requester, { approved: true });
    expect(decided.body).toMatchObject({ budgetMinutes: 180, pendingExtension: null });
    expect((await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Meer' })).status).toBe(201);
    await recordHistory(env, requestWorkflowId(id), 'request-budget-extension');
  });
});

describe('review, acceptance and cancellation', () => {
  test('when review and the buyer reject, then the request goes back to work with the reasons recorded, and completes after rework', async () => {
    const id = await requestUpTo(env, t, 'in_review', { title: 'Herwerk' });
    expect((await post(`/api/requests/${id}/review`, t.reviewer, { approved: false })).status).toBe(400);
    const back = await post(`/api/requests/${id}/review`, t.reviewer, { approved: false, reason: 'Conclusie ontbreekt' });
    expect(back.body).toMatchObject({ status: 'in_progress', lastReason: 'Conclusie ontbreekt' });
    await post(`/api/requests/${id}/submit-result`, t.staff, { reference: 'DMS-2', notes: 'Met conclusie' });
    await post(`/api/requests/${id}/review`, t.reviewer, { approved: true });
    const rejected = await post(`/api/requests/${id}/reject-result`, t.requester, { reason: 'Graag per school uitsplitsen' });
    expect(rejected.body).toMatchObject({ status: 'in_progress', lastReason: 'Graag per school uitsplitsen' });
    await post(`/api/requests/${id}/submit-result`, t.staff, { reference: 'DMS-3', notes: 'Per school' });
    await post(`/api/requests/${id}/review`, t.reviewer, { approved: true });
    expect((await post(`/api/requests/${id}/accept-result`, t.requester)).body.status).toBe('completed');
    expect(await auditActions(env, id)).toEqual([
      'submit',
      'acceptIntake',
      'approveQuote',
      'assign',
      'logTime',
      'submitResult',
      'rejectReview',
      'submitResult',
      'approveReview',
      'rejectResult',
      'submitResult',
      'approveReview',
      'acceptResult',
    ]);
    await recordHistory(env, requestWorkflowId(id), 'request-rework');
  });

  test('when a request is cancelled while in progress, then it needs a reason, staff cannot do it, and its hours stay billable', async () => {
    const id = await requestUpTo(env, t, 'in_progress', { requester: await env.token('alb-requester'), title: 'Geannuleerd' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 45, description: 'Voorbereiding' });
    expect((await post(`/api/requests/${id}/cancel`, t.staff, { reason: 'x' })).status).toBe(403);
    expect((await post(`/api/requests/${id}/cancel`, t.coordinator, {})).status).toBe(400);
    const cancelled = await post(`/api/requests/${id}/cancel`, t.coordinator, { reason: 'Opdrachtgever heeft geen budget meer' });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await post(`/api/requests/${id}/cancel`, t.coordinator, { reason: 'nogmaals' })).status).toBe(409);
    expect((await env.models.TimeEntry.find({ requestId: id }).lean()).map((e) => e.status)).toEqual(['approved']);
    await recordHistory(env, requestWorkflowId(id), 'request-cancelled');

    const finance = await env.token('dor-finance');
    await env.client.workflow
      .getHandle(invoiceRunWorkflowId('DOR', currentPeriod()))
      .terminate()
      .catch(() => undefined);
    await post('/api/invoice-runs', finance, { period: currentPeriod() });
    await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    const invoice = await env.models.Invoice.findOne({ buyer: 'ALB' }).lean();
    expect(invoice!.lines.find((l) => l.requestId === id)).toMatchObject({ minutes: 48, amountCents: 7_500 }); // 45 -> 48 min (up6) x 93.75
  });
});

describe('lists, search and audit', () => {
  test('when lists are filtered, sorted and paged, then they show only what the caller may see', async () => {
    const id = await requestUpTo(env, t, 'in_progress', { title: 'Filtertest', assignee: 'dor-staff-2' });
    const byAssignee = await env.api('GET', '/api/requests?assignee=dor-staff-2&status=in_progress', { token: t.coordinator });
    expect(byAssignee.body.items.map((r: { _id: string }) => r._id)).toContain(id);
    expect(
      byAssignee.body.items.every((r: { assignee: string; status: string }) => r.assignee === 'dor-staff-2' && r.status === 'in_progress'),
    ).toBe(true);
    const page = await env.api('GET', '/api/requests?pageSize=2&page=1&sort=title', { token: t.coordinator });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(2);
    const titles = page.body.items.map((r: { title: string }) => r.title);
    expect([...titles].sort()).toEqual(titles);
    const buyerView = await env.api('GET', '/api/requests?buyer=ALB', { token: t.requester });
    expect(buyerView.body.items).toEqual([]); // ZWN cannot see ALB's requests
    expect((await env.api('GET', '/api/requests?sort=password', { token: t.requester })).status).toBe(400);
    expect((await env.api('GET', '/api/requests?overdue=false&serviceId=DOR-LEERPLICHT', { token: t.requester })).status).toBe(200);
  });

  test('when anyone tries to change an audit event, then the data layer refuses', async () => {
    const id = await requestUpTo(env, t, 'submitted');
    await expect(env.models.AuditEvent.updateOne({ subject: `request-${id}` }, { $set: { action: 'forged' } })).rejects.toThrow(
      /append-only/,
    );
    await expect(env.models.AuditEvent.deleteMany({ subject: `request-${id}` })).rejects.toThrow(/append-only/);
    expect(await auditActions(env, id)).toEqual(['submit']);
  });
});

test('when a standard request has a quote, an assignment, 10 time entries, one review and acceptance, then its history stays at 150 events or fewer', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { title: 'Standaardopdracht', assignee: 'dor-staff-2' });
  const staff = await env.token('dor-staff-2');
  for (let i = 0; i < 10; i++) {
    expect(
      (await post(`/api/requests/${id}/time-entries`, staff, { date: today(), minutes: 30, description: `Stap ${i + 1}` })).status,
    ).toBe(201);
  }
  await post(`/api/requests/${id}/submit-result`, staff, { reference: 'DMS-10', notes: '' });
  await post(`/api/requests/${id}/review`, t.reviewer, { approved: true });
  await post(`/api/requests/${id}/accept-result`, t.requester);
  const handle = env.client.workflow.getHandle(requestWorkflowId(id));
  await handle.result();
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  console.log(`history events of a standard request (10 entries): ${events}`);
  expect(events).toBeGreaterThan(50);
  expect(events).toBeLessThanOrEqual(150);
  await recordHistory(env, requestWorkflowId(id), 'request-standard-10-entries');
});

test('when the service needs no four-eyes review, then a submitted result goes straight to the buyer', async () => {
  await env.models.Service.updateOne({ _id: 'DOR-LEERPLICHT' }, { $set: { reviewRequired: false } });
  try {
    const id = await requestUpTo(env, t, 'in_progress', { title: 'Zonder toets' });
    await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 30, description: 'Werk' });
    const res = await post(`/api/requests/${id}/submit-result`, t.staff, { reference: 'DMS-9', notes: '' });
    expect(res.body.status).toBe('awaiting_acceptance');
    expect((await mailsTo('zwn-requester')).some((m) => m.kind === 'result-ready' && m.requestId === id)).toBe(true);
  } finally {
    await env.models.Service.updateOne({ _id: 'DOR-LEERPLICHT' }, { $set: { reviewRequired: true } });
  }
});
