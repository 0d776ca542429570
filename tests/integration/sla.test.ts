// SLA timers in working days, with durations injected: the worker scales every SLA delay so a
// working week passes in about a second. The working-day arithmetic itself is unit-tested.
import { requestWorkflowId } from '../../contracts';
import { addWorkingDays } from '../../domain/calendar';
import { startMailDispatcher } from '../../worker/mail-dispatcher';
import pino from 'pino';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { auditActions, requestUpTo, storyTokens, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;

// One real day becomes about 170 ms: 5 working days (7 days with a weekend) is about 1.2 s.
const SCALE = 2e-6;

beforeAll(async () => {
  env = await createTestEnv({ slaTimeScale: SCALE });
  t = await storyTokens(env);
});
afterAll(() => env.close());

test('when intake is not done in time, then the coordinator is reminded, then escalated to, and the breach is stored and filterable', async () => {
  const id = await requestUpTo(env, t, 'submitted', { title: 'Te late intake' });
  const state = await waitFor(
    'the intake breach',
    () => env.models.Request.findById(id).lean(),
    (r) => (r?.breaches?.length ?? 0) > 0,
  );
  const expectedDeadline = addWorkingDays(todayInNL(), 5);
  expect(state!.deadlines).toMatchObject({ intake: expectedDeadline });
  expect(state!.breaches).toEqual([expect.objectContaining({ kind: 'intake', deadline: expectedDeadline })]);
  expect(state!.overdue).toBe(true);
  expect(await auditActions(env, id)).toEqual(['submit', 'slaReminder:intake', 'slaBreach:intake']);
  const kinds = (await env.models.Mail.find({ requestId: id, to: 'dor-coordinator' }).lean()).map((m) => m.kind);
  expect(kinds).toEqual(expect.arrayContaining(['submitted', 'sla-reminder', 'sla-breach']));

  const overdue = await env.api('GET', '/api/requests?overdue=true', { token: t.coordinator });
  expect(overdue.body.items.map((r: { _id: string }) => r._id)).toContain(id);
  const onTime = await env.api('GET', '/api/requests?overdue=false', { token: t.coordinator });
  expect(onTime.body.items.map((r: { _id: string }) => r._id)).not.toContain(id);

  // The breach does not block the work: intake can still be done.
  expect(
    (await env.api('POST', `/api/requests/${id}/reject-intake`, { token: t.coordinator, body: { reason: 'Te laat, opnieuw indienen' } }))
      .status,
  ).toBe(200);
  await recordHistory(env, requestWorkflowId(id), 'request-sla-breach');
});

test('when intake is done before the deadline, then there is no reminder and no breach', async () => {
  const id = await requestUpTo(env, t, 'accepted', { title: 'Op tijd' });
  await new Promise((r) => setTimeout(r, 2_000));
  const actions = await auditActions(env, id);
  expect(actions.filter((a) => a.startsWith('sla'))).toEqual([]);
  expect((await env.models.Request.findById(id).lean())!.breaches).toEqual([]);
});

test('when the buyer does not react within the silent-acceptance period, then the request completes by itself and says so', async () => {
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Stilzwijgend' });
  const handle = env.client.workflow.getHandle(requestWorkflowId(id));
  const final = await handle.result();
  expect(final.status).toBe('completed');
  expect(final.deadlines.acceptance).toBe(addWorkingDays(todayInNL(), 10));
  const trail = await env.models.AuditEvent.find({ subject: `request-${id}` })
    .sort({ seq: 1 })
    .lean();
  expect(trail[trail.length - 1]).toMatchObject({ action: 'silentAcceptance', actor: 'system' });
  expect((await env.models.TimeEntry.find({ requestId: id }).lean()).every((e) => e.status === 'approved')).toBe(true);
});

test('when mails are in the outbox, then the dispatcher delivers each once, also when two run at the same time', async () => {
  await requestUpTo(env, t, 'in_progress', { title: 'Post' });
  const pending = await env.models.Mail.countDocuments({ status: 'pending' });
  expect(pending).toBeGreaterThan(0);
  // Errors the dispatchers log (a claim taken by the other one must not be one).
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
  const a = startMailDispatcher({ models: env.models, logger, transport: 'mailbox', from: 'x@y.z', intervalMs: 60_000 });
  const b = startMailDispatcher({ models: env.models, logger, transport: 'mailbox', from: 'x@y.z', intervalMs: 60_000 });
  // Both also at once by hand: one round each over the same entries.
  const rounds = await Promise.all([a.runOnce(), b.runOnce()]);
  await waitFor(
    'delivery',
    () => env.models.Mail.countDocuments({ status: 'pending' }),
    (n) => n === 0,
  );
  await a.stop();
  await b.stop();
  const sent = await env.models.Mail.find({ status: 'sent' }).lean();
  expect(logged).toEqual([]);
  expect(rounds.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
  expect(sent.length).toBeGreaterThanOrEqual(pending);
  expect(sent.filter((m) => m.attempts !== 1).map((m) => [m._id, m.attempts])).toEqual([]);
});

test('the dispatcher reads a small queue: it empties as mails go out, pending mails without an entry get one at start, and a lone old entry is dropped', async () => {
  const logger = pino({ level: 'silent' });
  // A mail from before the queue existed (an upgrade): pending, no entry.
  await env.models.Mail.create({
    _id: 'legacy-1',
    to: 'dor-coordinator',
    email: 'dor-coordinator@demo.eenvoud.nl',
    subject: 'Oud',
    html: '<p>oud</p>',
    kind: 'submitted',
    createdAt: new Date().toISOString(),
  });
  // An entry whose action never wrote its mail, two hours ago; and one of a minute ago.
  const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await env.models.MailQueue.create([
    { _id: 'never-written', at: old },
    { _id: 'being-written', at: new Date().toISOString() },
  ]);
  await requestUpTo(env, t, 'submitted', { title: 'Wachtrij' });
  expect(await env.models.MailQueue.countDocuments({ _id: { $nin: ['never-written', 'being-written'] } })).toBeGreaterThan(0);
  const d = startMailDispatcher({ models: env.models, logger, transport: 'mailbox', from: 'x@y.z', intervalMs: 60_000 });
  await waitFor(
    'delivery',
    () => env.models.Mail.countDocuments({ status: 'pending' }),
    (n) => n === 0,
  );
  await d.stop();
  expect((await env.models.Mail.findById('legacy-1').lean())!.status).toBe('sent');
  // Left: only the entry whose mail may still be written.
  expect((await env.models.MailQueue.find().lean()).map((e) => e._id)).toEqual(['being-written']);
});
