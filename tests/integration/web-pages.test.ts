// Request pages over HTTP (the browser story covers the main path): clarification questions,
// budget extensions, refusals shown in Dutch on the form with what was typed kept.
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
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
  expect(empty.html).toContain('id="answer-text-error">Schrijf uw antwoord.</p>');
  const answered = await requester.post(`/aanvragen/${id}/acties/answerClarification`, { text: 'Alle vo-scholen in Zwijndrecht.' });
  expect(answered.status).toBe(303);
  const after = await requester.get(`/aanvragen/${id}`);
  expect(after.html).toContain('Antwoord: Alle vo-scholen in Zwijndrecht.');
  expect(status(after.html)).toBe('Ingediend');
  // A coordinator's action posted by the requester is refused in Dutch, nothing changes.
  const refused = await requester.post(`/aanvragen/${id}/acties/acceptIntake`, { estimateHours: '5' });
  expect(refused.status).toBe(409);
  expect(refused.html).toContain('U mag deze actie niet uitvoeren');
  expect((await env.models.Request.findById(id).lean())!.status).toBe('submitted');
});

test('when hours would exceed the budget, then the form says so in Dutch and keeps the input; an extension fixes it', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 60, title: 'Klein budget' });
  const staff = await signedIn(env, 'dor-staff');
  await staff.get(`/aanvragen/${id}`);
  const over = await staff.post(`/aanvragen/${id}/acties/logTime`, {
    date: new Date().toISOString().slice(0, 10),
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
  expect(page.html).toContain('Budgetuitbreiding aangevraagd: 2 uur extra. Reden: Meer scholen');
  const noReason = await requester.post(`/aanvragen/${id}/acties/decideBudgetExtension`, { decision: 'reject', reason: '' });
  expect(noReason.status).toBe(400);
  expect(noReason.html).toContain('Geef bij afwijzen een reden op.');
  expect((await requester.post(`/aanvragen/${id}/acties/decideBudgetExtension`, { decision: 'approve' })).status).toBe(303);

  await staff.get(`/aanvragen/${id}`);
  expect(
    (
      await staff.post(`/aanvragen/${id}/acties/logTime`, {
        date: new Date().toISOString().slice(0, 10),
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

test('when a period that has not started is asked for an invoice run, then the form says so', async () => {
  const finance = await signedIn(env, 'dor-finance');
  await finance.get('/factuurrun');
  const res = await finance.post('/factuurrun', { period: '2999-01' });
  expect(res.status).toBe(400);
  expect(res.html).toContain('Deze periode is nog niet begonnen.');
  expect(res.html).toContain('value="2999-01"');
  const bad = await finance.post('/factuurrun', { period: 'november' });
  expect(bad.html).toContain('Vul een periode in als jjjj-mm');
});
