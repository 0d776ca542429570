// Money on quotes: the estimate in hours also reads in euros, at the agreement's rate of the day,
// in the API and on the page; a budget extension shows the extra euros.
import { amountForMinutes, formatEuro } from '../../domain/money';
import { rateAt } from '../../domain/rates';
import { demoServices } from '../../models/demo-data';
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

/** The catalogue rate of Leerplichtadministratie today (the demo agreement has no rate of its own). */
const rateToday = () => rateAt(demoServices().find((s) => s._id === 'DOR-LEERPLICHT')!.rates, today())!;

test('a quote of 7,5 hours reads as 7,5 × the rate = euros, in the API and on the page', async () => {
  const id = await requestUpTo(env, t, 'quoted', { estimateMinutes: 450, title: 'Offerte in euro' });
  const res = await env.api('GET', `/api/requests/${id}`, { token: t.requester });
  expect(res.status).toBe(200);
  const rate = rateToday();
  expect(res.body.money.estimate).toEqual({
    minutes: 450,
    rateCentsPerHour: rate,
    rateDate: today(),
    amountCents: amountForMinutes(450, rate),
  });
  expect(res.body.money.budget).toBeNull(); // no budget before the quote is approved

  const page = (await (await signedIn(env, 'zwn-requester')).get(`/aanvragen/${id}`)).html;
  const euro = formatEuro;
  expect(page).toContain(`${euro(rate)} per uur`);
  expect(page).toContain(euro(amountForMinutes(450, rate)));
});

test('a budget extension shows the extra euros to the requester who decides on it', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { estimateMinutes: 600, title: 'Uitbreiding in euro' });
  const asked = await env.api('POST', `/api/requests/${id}/budget-extension`, {
    token: t.coordinator,
    body: { extraMinutes: 120, reason: 'Extra scholen' },
  });
  expect(asked.status).toBe(200);
  const res = await env.api('GET', `/api/requests/${id}`, { token: t.requester });
  const rate = rateToday();
  expect(res.body.money.extension).toMatchObject({ minutes: 120, amountCents: amountForMinutes(120, rate) });
  expect(res.body.money.budget).toMatchObject({ minutes: 600, amountCents: amountForMinutes(600, rate) });
});
