// Request pages over HTTP (the browser story covers the main path): clarification questions,
// budget extensions, refusals shown in Dutch on the form with what was typed kept.
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

const status = (html: string) => /id="request-status">([^<]+)</.exec(html)?.[1];

test('when the coordinator asks a question on the page, then the requester answers it there', async () => {
  const id = await requestUpTo(env, t, 'submitted', { title: 'Vraag en antwoord' });
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get('/intake')).html).toContain('Vraag en antwoord');
  await coordinator.get(`/aanvragen/${id}`);
  const asked = await coordinator.post(`/aanvragen/${id}/acties/askClarification`, { text: 'Om welke scholen gaat het?' });
  expect(asked.status).toBe(303);

  const requester = await signedIn(env, 'zwn-requester');
  const page = await requester.get(`/aanvragen/${id}`);
  expect(status(page.html)).toBe('Vraag aan opdrachtgever');
  expect(page.html).toContain('Vraag van de coördinator: Om welke scholen gaat het?');
  // The requester sees only their own actions, not the coordinator's.
  expect(page.html).not.toContain('Intake accepteren');
  const empty = await requester.post(`/aanvragen/${id}/acties/answerClarification`, { text: '  ' });
  expect(empty.status).toBe(400);
  expect(empty.html).toContain('id="answer-text-error">Schrijf uw vraag of antwoord in het tekstvak.</p>');
  const answered = await requester.post(`/aanvragen/${id}/acties/answerClarification`, { text: 'Alle vo-scholen in Zwijndrecht.' });
  expect(answered.status).toBe(303);
  const after = await requester.get(`/aanvragen/${id}`);
  expect(after.html).toContain('Antwoord: Alle vo-scholen in Zwijndrecht.');
  expect(status(after.html)).toBe('Ingediend');
  // A coordinator's action posted by the requester is refused in Dutch, nothing changes.
  const refused = await requester.post(`/aanvragen/${id}/acties/acceptIntake`, { estimateHours: '5' });
  expect(refused.status).toBe(403);
  expect(refused.html).toContain('Hiervoor heeft u de rol coördinator nodig bij Gemeente Dordrecht.');
  expect((await env.models.Request.findById(id).lean())!.status).toBe('submitted');
});

test('when hours would exceed the budget, then the form says so in Dutch and keeps the input; an extension fixes it', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 60, title: 'Klein budget' });
  const staff = await signedIn(env, 'dor-staff');
  await staff.get(`/aanvragen/${id}`);
  const over = await staff.post(`/aanvragen/${id}/acties/logTime`, {
    date: today(),
    hours: '1,5',
    description: 'Te veel',
  });
  expect(over.status).toBe(409);
  expect(over.html).toContain('Dit gaat boven het goedgekeurde budget uit: er resteert nog 1 uur.');
  expect(over.html).toContain('value="Te veel"');
  expect(over.html).toContain('value="1,5"');

  const coordinator = await signedIn(env, 'dor-coordinator');
  await coordinator.get(`/aanvragen/${id}`);
  expect(
    (await coordinator.post(`/aanvragen/${id}/acties/requestBudgetExtension`, { extraHours: '2', reason: 'Meer scholen' })).status,
  ).toBe(303);

  const requester = await signedIn(env, 'zwn-requester');
  const page = await requester.get(`/aanvragen/${id}`);
  expect(page.html).toContain(
    'Budgetuitbreiding aangevraagd: 2 uur extra, dat is € 187,50 excl. btw (2 uur × € 93,75 per uur). Reden: Meer scholen',
  );
  const noReason = await requester.post(`/aanvragen/${id}/acties/decideBudgetExtension`, { decision: 'reject', reason: '' });
  expect(noReason.status).toBe(400);
  expect(noReason.html).toContain('Geef een reden op.');
  expect((await requester.post(`/aanvragen/${id}/acties/decideBudgetExtension`, { decision: 'approve' })).status).toBe(303);

  await staff.get(`/aanvragen/${id}`);
  expect(
    (
      await staff.post(`/aanvragen/${id}/acties/logTime`, {
        date: today(),
        hours: '1,5',
        description: 'Nu past het',
      })
    ).status,
  ).toBe(303);
  const done = await staff.get(`/aanvragen/${id}`);
  expect(done.html).toContain('1,5 / 3 uur (50%)');
  // Own entries not yet approved can be deleted from the page; the budget frees up again.
  const entryId = /name="entryId" value="([^"]+)"/.exec(done.html)?.[1];
  expect(entryId).toMatch(new RegExp(`^${id}-`));
  expect((await requester.get(`/aanvragen/${id}`)).html).not.toContain('name="entryId"');
  expect((await staff.post(`/aanvragen/${id}/acties/deleteTime`, { entryId: entryId! })).status).toBe(303);
  const after = await staff.get(`/aanvragen/${id}`);
  expect(after.html).toContain('De registratie is verwijderd.');
  expect(after.html).toContain('0 / 3 uur');
});

test('when staff edits an own unapproved entry, then errors are Dutch with the input kept, and the change counts against the budget', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 180, title: 'Uren wijzigen' });
  const staff = await signedIn(env, 'dor-staff');
  await staff.get(`/aanvragen/${id}`);
  const day = today();
  expect((await staff.post(`/aanvragen/${id}/acties/logTime`, { date: day, hours: '1', description: 'Eerste opzet' })).status).toBe(303);
  const page = await staff.get(`/aanvragen/${id}`);
  const entryId = /href="\/aanvragen\/[^/]+\/uren\/([^"]+)">Wijzigen/.exec(page.html)?.[1];
  expect(entryId).toMatch(new RegExp(`^${id}-`));
  // The week view links to the same edit page, and back to the week.
  const week = await staff.get('/uren');
  expect(week.html).toContain(`href="/aanvragen/${id}/uren/${entryId}?terug=%2Furen%3Fweek%3D`);

  const form = await staff.get(`/aanvragen/${id}/uren/${entryId}`);
  expect(form.status).toBe(200);
  expect(form.html).toContain('<h1>Uren wijzigen</h1>');
  expect(form.html).toContain('value="Eerste opzet"');
  expect(form.html).toMatch(/<label class="utrecht-form-label" for="edit-hours">Uren<\/label>/);
  const bad = await staff.post(`/aanvragen/${id}/uren/${entryId}`, { date: 'morgen', hours: 'veel', description: 'Herzien' });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('id="edit-date-error">Vul een geldige datum in (dd-mm-jjjj).</p>');
  expect(bad.html).toContain('id="edit-hours-error">Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30.</p>');
  expect(bad.html).toContain('value="Herzien"');
  const over = await staff.post(`/aanvragen/${id}/uren/${entryId}`, { date: day, hours: '4', description: 'Herzien' });
  expect(over.status).toBe(409);
  expect(over.html).toContain('Dit gaat boven het goedgekeurde budget uit: er resteert nog 3 uur.');
  expect(over.html).toContain('value="4"');
  const ok = await staff.post(`/aanvragen/${id}/uren/${entryId}`, { date: day, hours: '2,5', description: 'Herzien' });
  expect(ok.status).toBe(303);
  expect(ok.location).toBe(`/aanvragen/${id}`);
  const after = await staff.get(`/aanvragen/${id}`);
  expect(after.html).toContain('De registratie is gewijzigd.');
  expect(after.html).toContain('2,5 / 3 uur');
  expect(after.html).toContain('<td>Herzien</td>');
  const stored = await env.models.TimeEntry.findById(entryId).lean();
  expect(stored).toMatchObject({ minutes: 150, description: 'Herzien' });
  // Someone else cannot open or post the edit of this entry.
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get(`/aanvragen/${id}/uren/${entryId}`)).status).toBe(404);
  await coordinator.get(`/aanvragen/${id}`);
  const forged = await coordinator.post(`/aanvragen/${id}/uren/${entryId}`, { date: day, hours: '1', description: 'Niet van mij' });
  expect(forged.status).not.toBe(303);
  expect((await env.models.TimeEntry.findById(entryId).lean())!.minutes).toBe(150);
});

test('when a period that has not started is asked for an invoice run, then the form says so', async () => {
  const finance = await signedIn(env, 'dor-finance');
  await finance.get('/factuurrun');
  const res = await finance.post('/factuurrun', { period: '2999-01' });
  expect(res.status).toBe(400);
  expect(res.html).toContain('De periode 2999-01 is nog niet begonnen.');
  expect(res.html).toContain('value="2999-01"');
  const bad = await finance.post('/factuurrun', { period: 'november' });
  expect(bad.html).toContain('Vul een periode in als jjjj-mm');
});
