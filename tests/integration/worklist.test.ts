// Actie nodig over the API: each role finds what waits for it after the main story's steps, an
// item leaves the list once it is done, and nothing of another municipality ever shows.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, type TestEnv } from '../support/env';
import { addWorkingDays } from '../../domain/calendar';
import { recordHistory } from '../support/histories';
import { currentPeriod, requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

type Item = { kind: string; subject: string; id: string; title: string; deadline: string | null; overdue: boolean; lines?: number };
async function worklist(token: string): Promise<Item[]> {
  const res = await env.api('GET', '/api/worklist', { token });
  expect(res.status).toBe(200);
  return res.body.items;
}
const kindsFor = (items: Item[], id: string) => items.filter((i) => i.id === id).map((i) => i.kind);

test('each role finds what waits for it, and an item leaves the list once it is done', async () => {
  const submitted = await requestUpTo(env, t, 'submitted', { title: 'Wacht op intake' });
  const working = await requestUpTo(env, t, 'in_progress', { title: 'Wordt uitgevoerd' });
  const inReview = await requestUpTo(env, t, 'in_review', { title: 'Wacht op toets' });
  const toAccept = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Wacht op acceptatie' });

  // The intake deadline is set once the working-day calendar was read, just after submission.
  const coordinator = await waitFor(
    'the intake deadline',
    () => worklist(t.coordinator),
    (items) => Boolean(items.find((i) => i.id === submitted)?.deadline),
  );
  expect(kindsFor(coordinator, submitted)).toEqual(['intake']);
  expect(coordinator.find((i) => i.id === submitted)).toMatchObject({
    title: 'Wacht op intake',
    subject: 'request',
    deadline: expect.any(String),
  });
  expect(kindsFor(coordinator, working)).toEqual([]);
  expect(kindsFor(await worklist(t.staff), working)).toEqual(['work']);
  expect(kindsFor(await worklist(t.reviewer), inReview)).toEqual(['review']);
  expect(kindsFor(await worklist(t.requester), toAccept)).toEqual(['acceptance']);

  // Another municipality's requester sees none of it.
  const pap = await worklist(await env.token('pap-requester'));
  for (const id of [submitted, working, inReview, toAccept]) expect(kindsFor(pap, id)).toEqual([]);

  // Done: the intake moves on to assigning, the acceptance leaves the requester's list.
  expect(
    (await env.api('POST', `/api/requests/${submitted}/accept-intake`, { token: t.coordinator, body: { estimateMinutes: 60 } })).status,
  ).toBe(200);
  expect(kindsFor(await worklist(t.coordinator), submitted)).not.toContain('intake');
  expect((await env.api('POST', `/api/requests/${toAccept}/accept-result`, { token: t.requester })).status).toBe(200);
  expect(kindsFor(await worklist(t.requester), toAccept)).toEqual([]);
  // Every deadline of this request was written to the read model as it was planned (a patch).
  await recordHistory(env, `request-${toAccept}`, 'request-deadlines-in-read-model');
});

test("an SLA's deadline is in the read model as soon as the action that starts it is answered", async () => {
  const deadlines = async (id: string) => (await env.models.Request.findById(id).select({ deadlines: 1 }).lean())!.deadlines;
  // Submitted: the intake SLA (5 working days for DOR-LEERPLICHT), read right after the answer.
  const id = await requestUpTo(env, t, 'submitted', { title: 'Termijnen direct zichtbaar' });
  expect(await deadlines(id)).toEqual({ intake: addWorkingDays(today(), 5), delivery: null, acceptance: null });
  await requestStep(id, 'accept-intake', t.coordinator, { estimateMinutes: 60 });
  await requestStep(id, 'approve-quote', t.requester, {});
  // Assigned: the work starts, and with it the delivery SLA (20 working days).
  await requestStep(id, 'assign', t.coordinator, { assignee: 'dor-staff' });
  expect((await deadlines(id)).delivery).toBe(addWorkingDays(today(), 20));
  await env.api('POST', `/api/requests/${id}/time-entries`, { token: t.staff, body: { date: today(), minutes: 30, description: 'Werk' } });
  await requestStep(id, 'submit-result', t.staff, { reference: 'DMS-T', notes: '' });
  // Approved by the reviewer: the buyer's silent-acceptance period (10 working days) starts.
  await requestStep(id, 'review', t.reviewer, { approved: true });
  expect(await deadlines(id)).toEqual({
    intake: addWorkingDays(today(), 5),
    delivery: addWorkingDays(today(), 20),
    acceptance: addWorkingDays(today(), 10),
  });
  // Each planned in its action's own write: no local activity (and no write) of its own.
  const history = await env.client.workflow.getHandle(`request-${id}`).fetchHistory();
  const localActivities = (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    return data ? [JSON.parse(Buffer.from(data).toString()).activity_type as string] : [];
  });
  expect(localActivities).toEqual(Array(7).fill('recordRequest'));
  await recordHistory(env, `request-${id}`, 'request-deadlines-with-their-action');
});

async function requestStep(id: string, step: string, token: string, body: object) {
  const res = await env.api('POST', `/api/requests/${id}/${step}`, { token, body });
  expect(res.status).toBe(200);
}

test('the list is sorted: overdue first, then by deadline', async () => {
  const items = await worklist(t.coordinator);
  const key = (i: Item) => `${i.overdue ? 0 : 1}${i.deadline ?? '9999'}`;
  expect(items.map(key)).toEqual([...items.map(key)].sort());
});

test('buyer finance finds the lines of a new invoice to check; provider finance a dispute', async () => {
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Te factureren' });
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester });
  const period = currentPeriod();
  expect((await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } })).status).toBe(202);
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  const invoiceId: string = run.invoiceIds[0];
  const zwnFinance = await env.token('zwn-finance');

  const buyer = (await worklist(zwnFinance)).filter((i) => i.id === invoiceId);
  expect(buyer).toEqual([expect.objectContaining({ kind: 'reconcile', subject: 'invoice', lines: expect.any(Number) })]);
  expect(buyer[0]!.deadline! >= today()).toBe(true);
  expect(kindsFor(await worklist(t.finance), invoiceId)).toEqual([]);

  const disputed = await env.api('POST', `/api/invoices/${invoiceId}/lines/1/dispute`, {
    token: zwnFinance,
    body: { reason: 'Klopt niet' },
  });
  expect(disputed.status).toBe(200);
  expect(kindsFor(await worklist(t.finance), invoiceId)).toEqual(['dispute']);
  // Someone of another municipality never sees the invoice.
  expect(kindsFor(await worklist(await env.token('pap-finance')), invoiceId)).toEqual([]);
});

test('the region admin has no worklist of their own: 403 with a code', async () => {
  const res = await env.api('GET', '/api/worklist', { token: await env.token('region-admin') });
  expect(res).toMatchObject({ status: 403, body: { code: 'role_required' } });
});
