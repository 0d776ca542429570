// Notifications in the app: every mail also shows in the app, unread until read; mails link to
// the page concerned at the configured public address; the 80 % budget warning shows on the
// request and in the week view.
import { createTestEnv, PUBLIC_BASE_URL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, waitFor, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

type Note = { id: string; subject: string; read: boolean; requestId: string | null };
const notifications = async (token: string) =>
  (await env.api('GET', '/api/notifications', { token })).body as { items: Note[]; unread: number };

test('a mail is also a notification: unread, then read; nobody else can touch it', async () => {
  const id = await requestUpTo(env, t, 'submitted', { title: 'Melding in de app' });
  const mine = await waitFor(
    'the submission notification',
    () => notifications(t.coordinator),
    (n) => n.items.some((i) => i.requestId === id),
  );
  const note = mine.items.find((i) => i.requestId === id)!;
  expect(note).toMatchObject({ subject: 'Nieuwe opdracht ter intake: Melding in de app', read: false });
  expect(mine.unread).toBeGreaterThan(0);

  // Someone else's notification is not found, and stays unread.
  const other = await env.api('POST', `/api/notifications/${encodeURIComponent(note.id)}/read`, { token: t.staff });
  expect(other).toMatchObject({ status: 404, body: { code: 'not_found' } });
  expect((await notifications(t.coordinator)).items.find((i) => i.id === note.id)!.read).toBe(false);

  const read = await env.api('POST', `/api/notifications/${encodeURIComponent(note.id)}/read`, { token: t.coordinator });
  expect(read.status).toBe(200);
  expect(read.body.unread).toBe(mine.unread - 1);
  expect((await notifications(t.coordinator)).items.find((i) => i.id === note.id)!.read).toBe(true);
  expect((await env.api('POST', '/api/notifications/read-all', { token: t.coordinator })).body).toEqual({ unread: 0 });
  // The requester's own list never holds the coordinator's mails.
  expect((await notifications(t.requester)).items.some((i) => i.id === note.id)).toBe(false);
});

test('mails link to the page concerned at the public address', async () => {
  const id = await requestUpTo(env, t, 'submitted', { title: 'Mail met link' });
  const mail = await waitFor(
    'the mail',
    () => env.models.Mail.findOne({ requestId: id, to: 'dor-coordinator' }).lean(),
    (m) => Boolean(m),
  );
  expect(mail!.html).toContain(`href="${PUBLIC_BASE_URL}/aanvragen/${id}"`);
});

test('the page lists the notifications, unread ones can be marked read, and the menu counts them', async () => {
  await requestUpTo(env, t, 'submitted', { title: 'Nog een melding' });
  const coordinator = await signedIn(env, 'dor-coordinator');
  const page = await waitFor(
    'the notification on the page',
    async () => (await coordinator.get('/meldingen')).html,
    (html) => html.includes('Nieuwe opdracht ter intake: Nog een melding'),
  );
  expect(page).toMatch(/Meldingen <span class="nav-count">\(\d+/);
  const done = await coordinator.post('/meldingen/alles-gelezen', {});
  expect(done.status).toBe(303);
  const after = (await coordinator.get('/meldingen')).html;
  expect(after).toContain('U hebt alles gelezen.');
  expect(after).not.toMatch(/Meldingen <span class="nav-count">/);
});

test('at 80 % of the budget the request and the week view warn, and say what to do', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 600, title: 'Bijna op' });
  const below = await env.api('POST', `/api/requests/${id}/time-entries`, {
    token: t.staff,
    body: { date: today(), minutes: 420, description: 'Werk' },
  });
  expect(below.status).toBe(201);
  expect((await env.api('GET', `/api/requests/${id}`, { token: t.staff })).body.budgetAlert).toBe(false);
  await env.api('POST', `/api/requests/${id}/time-entries`, {
    token: t.staff,
    body: { date: today(), minutes: 60, description: 'Meer werk' },
  });
  expect((await env.api('GET', `/api/requests/${id}`, { token: t.staff })).body.budgetAlert).toBe(true);

  const staff = await signedIn(env, 'dor-staff');
  expect((await staff.get(`/aanvragen/${id}`)).html).toContain('8 van de 10 uur budget is geschreven (80%)');
  expect((await staff.get('/uren')).html).toMatch(/Op <a href="\/aanvragen\/[0-9A-Z]+">Bijna op<\/a> is 8 van de 10 uur budget geschreven/);
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get(`/aanvragen/${id}`)).html).toContain('vraag dan hieronder een budgetuitbreiding aan');
});

test('mails to a role go to who holds it now: a new coordinator at once, a switched-off one no longer', async () => {
  await env.models.User.create({
    _id: 'dor-coordinator-3',
    name: 'Derde Coördinator',
    email: 'dor-coordinator-3@demo.eenvoud.nl',
    memberships: [{ org: 'DOR', roles: ['coordinator'] }],
  });
  const coordinatorsOf = async (title: string) => {
    const id = await requestUpTo(env, t, 'submitted', { title });
    const mails = await waitFor(
      'the submission mails',
      () => env.models.Mail.find({ requestId: id, kind: 'submitted' }).lean(),
      (m) => m.length > 0,
    );
    return mails.map((m) => m.to).sort();
  };
  expect(await coordinatorsOf('Nieuwe coördinator')).toEqual(['dor-coordinator', 'dor-coordinator-3']);
  await env.models.User.updateOne(
    { _id: 'dor-coordinator-3' },
    { $set: { memberships: [{ org: 'DOR', roles: ['coordinator'], deactivatedAt: new Date().toISOString() }] } },
  );
  expect(await coordinatorsOf('Uitgeschakelde coördinator')).toEqual(['dor-coordinator']);
});

test('a colleague added by another process a moment ago still gets their mail, at their own address', async () => {
  // Mails of this request read the users with roles, which this worker then keeps for seconds.
  const id = await requestUpTo(env, t, 'accepted', { title: 'Nieuwe collega' });
  // Written past this process's models, as another API process would.
  await env.models.User.collection.insertOne({
    _id: 'dor-staff-nieuw' as never,
    name: 'Nadia Nieuw',
    email: 'nadia.nieuw@dordrecht.example',
    memberships: [{ org: 'DOR', roles: ['staff'] }],
    skills: ['leerplicht'],
  });
  expect(
    (await env.api('POST', `/api/requests/${id}/assign`, { token: t.coordinator, body: { assignee: 'dor-staff-nieuw' } })).status,
  ).toBe(200);
  const mails = await env.models.Mail.find({ requestId: id, kind: 'assigned' }).lean();
  expect(mails.map((m) => [m.to, m.email])).toEqual([['dor-staff-nieuw', 'nadia.nieuw@dordrecht.example']]);
});
