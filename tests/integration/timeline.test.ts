// The timeline and comments over the API and on the page: both sides comment, the provider's
// internal notes stay with the provider, @name notifies a colleague, and another municipality
// reaches none of it.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
let id: string;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  id = await requestUpTo(env, t, 'in_progress', { title: 'Met tijdlijn' });
  await env.api('POST', `/api/requests/${id}/time-entries`, { token: t.staff, body: { date: today(), minutes: 90, description: 'Werk' } });
});
afterAll(() => env.close());

type Item = { kind: string; text?: string; internal?: boolean; actorName?: string; action?: string; minutes?: number };
const timeline = async (token: string) => (await env.api('GET', `/api/requests/${id}/timeline`, { token })).body.items as Item[];

test('both sides comment; an internal note reaches only the provider; a buyer cannot write one', async () => {
  const asked = await env.api('POST', `/api/requests/${id}/comments`, { token: t.requester, body: { text: 'Graag ook de mbo meenemen' } });
  expect(asked).toMatchObject({ status: 201, body: { text: 'Graag ook de mbo meenemen', internal: false, authorName: 'Anne de Vries' } });
  const note = await env.api('POST', `/api/requests/${id}/comments`, {
    token: t.coordinator,
    body: { text: 'Intern: gevoelige leerlinggegevens', internal: true },
  });
  expect(note.status).toBe(201);
  const refused = await env.api('POST', `/api/requests/${id}/comments`, { token: t.requester, body: { text: 'Stiekem', internal: true } });
  expect(refused).toMatchObject({ status: 403, body: { code: 'role_required' } });

  const provider = await timeline(t.coordinator);
  expect(provider.filter((i) => i.kind === 'comment').map((i) => [i.text, i.internal])).toEqual([
    ['Graag ook de mbo meenemen', false],
    ['Intern: gevoelige leerlinggegevens', true],
  ]);
  const buyer = await timeline(t.requester);
  expect(JSON.stringify(buyer)).not.toContain('gevoelige leerlinggegevens');
  expect(buyer.filter((i) => i.kind === 'comment')).toHaveLength(1);
  // Status changes with who did them, hours per week.
  expect(buyer.find((i) => i.kind === 'event' && i.action === 'acceptIntake')).toMatchObject({ actorName: 'Fatima El Amrani' });
  expect(buyer.find((i) => i.kind === 'hours')).toMatchObject({ minutes: 90 });
});

test('@Joris notifies that colleague, in the app and by mail', async () => {
  const res = await env.api('POST', `/api/requests/${id}/comments`, {
    token: t.coordinator,
    body: { text: '@Joris kun jij de mbo-scholen erbij nemen?' },
  });
  expect(res.body.mentions).toEqual(['dor-staff']);
  const notes = await waitFor(
    'the mention',
    async () => (await env.api('GET', '/api/notifications', { token: t.staff })).body.items as { subject: string; requestId: string }[],
    (items) => items.some((n) => n.subject === 'U bent genoemd: Met tijdlijn'),
  );
  expect(notes.find((n) => n.subject === 'U bent genoemd: Met tijdlijn')!.requestId).toBe(id);
  // Nobody else got it.
  expect(await env.models.Mail.countDocuments({ kind: 'mention', requestId: id })).toBe(1);
});

test('another municipality reaches neither the timeline nor the comments', async () => {
  const pap = await env.token('pap-requester');
  expect((await env.api('GET', `/api/requests/${id}/timeline`, { token: pap })).status).toBe(404);
  expect((await env.api('POST', `/api/requests/${id}/comments`, { token: pap, body: { text: 'Hallo' } })).status).toBe(404);
});

test('the page shows the timeline and takes a comment; an empty one is refused in Dutch', async () => {
  const requester = await signedIn(env, 'zwn-requester');
  const page = (await requester.get(`/aanvragen/${id}`)).html;
  expect(page).toContain('<h2 id="tijdlijn">Tijdlijn</h2>');
  expect(page).toContain('Graag ook de mbo meenemen');
  expect(page).not.toContain('Interne notitie');
  const empty = await requester.post(`/aanvragen/${id}/reacties`, { text: '' });
  expect(empty.status).toBe(400);
  expect(empty.html).toContain('id="comment-text-error"');
  const ok = await requester.post(`/aanvragen/${id}/reacties`, { text: 'Prima, dank u' });
  expect(ok.status).toBe(303);
  expect((await requester.get(`/aanvragen/${id}`)).html).toContain('Prima, dank u');
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get(`/aanvragen/${id}`)).html).toContain('Interne notitie</strong> van Fatima El Amrani');
});

test('the invoice that billed the hours shows in the timeline of finance only, as the invoice access rule says', async () => {
  const done = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Gefactureerde tijdlijn' });
  await env.api('POST', `/api/requests/${done}/accept-result`, { token: t.requester });
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  const kinds = async (token: string) =>
    ((await env.api('GET', `/api/requests/${done}/timeline`, { token })).body.items as Item[]).map((i) => i.kind);
  expect(await kinds(t.finance)).toContain('invoice');
  expect(await kinds(await env.token('zwn-finance'))).toContain('invoice');
  expect(await kinds(t.coordinator)).not.toContain('invoice');
  expect(await kinds(t.requester)).not.toContain('invoice');
});
