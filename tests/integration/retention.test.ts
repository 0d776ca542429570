// Retention: after its service's retention period, a closed request's free text (which may hold
// personal data, e.g. about pupils) is removed by the scheduled clean-up; invoices and amounts
// stay, the audit trail still verifies, and the removal itself is audited. The clock is moved by
// the clean-up's `asOf` day.
import { invoiceRunWorkflowId } from '../../contracts';
import { addDays } from '../../domain/dates';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { currentPeriod, requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

const housekeeping = (asOf: string) =>
  env.client.workflow.execute('housekeepingWorkflow', {
    workflowId: `housekeeping-${asOf}-${Date.now()}`,
    taskQueue: env.taskQueue,
    args: [{ asOf }],
  });

test('after the retention period, a closed request keeps its invoice and amounts but loses its personal text; the removal is audited', async () => {
  await env.models.Service.updateOne({ _id: 'DOR-LEERPLICHT' }, { $set: { retentionDays: 30 } });
  const pupil = 'leerling Jansen (groep 7) verzuimt sinds maart';
  const created = await env.api('POST', '/api/requests', {
    token: t.requester,
    body: { serviceId: 'DOR-LEERPLICHT', title: 'Verzuimdossier', description: `Vraag over ${pupil}` },
  });
  const id = created.body.requestId as string;
  const post = (path: string, token: string, body: object = {}) => env.api('POST', `/api/requests/${id}/${path}`, { token, body });
  await post('clarification-question', t.coordinator, { text: `Gaat het om ${pupil}?` });
  await post('clarification-answer', t.requester, { text: `Ja, ${pupil}` });
  await post('accept-intake', t.coordinator, { estimateMinutes: 120, note: `Incl. gesprek over ${pupil}` });
  await post('approve-quote', t.requester);
  await post('comments', t.coordinator, { text: `Intern: ${pupil}`, internal: true });
  await post('comments', t.requester, { text: `Aanvulling over ${pupil}` });
  await post('assign', t.coordinator, { assignee: 'dor-staff' });
  await env.api('POST', `/api/requests/${id}/time-entries`, {
    token: t.staff,
    body: { date: today(), minutes: 60, description: `Gesprek ${pupil}` },
  });
  await post('submit-result', t.staff, { reference: 'DMS-7', notes: `Advies over ${pupil}` });
  await post('review', t.reviewer, { approved: false, reason: `Naam van ${pupil} weglaten` });
  await post('submit-result', t.staff, { reference: 'DMS-8', notes: 'Geanonimiseerd' });
  await post('review', t.reviewer, { approved: true });
  await post('accept-result', t.requester);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
  const invoiceBefore = await env.models.Invoice.findById(run.invoiceIds[0]).lean();
  const open = await requestUpTo(env, t, 'in_progress', { title: 'Nog open' });

  // Within the period nothing happens.
  expect((await housekeeping(addDays(today(), 29))).anonymised).toBe(0);
  expect(JSON.stringify(await env.models.Request.findById(id).lean())).toContain('Jansen');

  const result = await housekeeping(addDays(today(), 31));
  expect(result.anonymised).toBe(1);
  const request = await env.models.Request.findById(id).lean();
  const texts = JSON.stringify([
    request,
    await env.models.TimeEntry.find({ requestId: id }).lean(),
    await env.models.Mail.find({ requestId: id }).lean(),
    await env.models.AuditEvent.find({ subject: `request-${id}` }).lean(),
    await env.models.RequestComment.find({ requestId: id }).lean(),
  ]);
  // Also not in the search tokens (lower case) nor in comments.
  expect(texts.toLowerCase()).not.toContain('jansen');
  expect(await env.models.RequestComment.countDocuments({ requestId: id })).toBe(2);
  expect(request).toMatchObject({
    status: 'completed',
    title: 'Verzuimdossier',
    description: '',
    loggedMinutes: 60,
    anonymisedAt: expect.any(String),
  });
  // Bookkeeping keeps the invoice as it was.
  expect(await env.models.Invoice.findById(run.invoiceIds[0]).lean()).toEqual(invoiceBefore);
  expect((await env.models.TimeEntry.find({ requestId: id }).lean()).map((e) => e.minutes)).toEqual([60]);
  // The removal is audited, and the trail still verifies.
  const audit = await env.api('GET', `/api/requests/${id}/audit`, { token: t.coordinator });
  expect(audit.body.at(-1)).toMatchObject({ action: 'retentionApplied', actor: 'system' });
  expect((await env.api('GET', `/api/requests/${id}/audit/verify`, { token: t.coordinator })).body).toMatchObject({ ok: true });
  // Open requests keep everything; a second clean-up changes nothing more.
  expect((await env.models.Request.findById(open).lean())!.anonymisedAt ?? null).toBeNull();
  expect((await housekeeping(addDays(today(), 60))).anonymised).toBe(0);
  const events = await env.models.AuditEvent.countDocuments({ subject: `request-${id}`, action: 'retentionApplied' });
  expect(events).toBe(1);
  const handle = await env.client.workflow.start('housekeepingWorkflow', {
    workflowId: 'housekeeping-recorded',
    taskQueue: env.taskQueue,
    args: [{ asOf: addDays(today(), 90) }],
  });
  await handle.result();
  await recordHistory(env, 'housekeeping-recorded', 'housekeeping');
});
