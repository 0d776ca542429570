// A person who works for two organisations picks the one they act for. The pages and the API
// act for that organisation only: nothing of the other leaks across the switch, and nobody
// can switch to an organisation they do not work for.
import { createTestEnv, type TestEnv } from '../support/env';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let invoice: { id: string; number: string };
beforeAll(async () => {
  env = await createTestEnv();
  // An invoice of Zwijndrecht (ICT advice) to Dordrecht: Karin sees it as Dordrecht's buyer finance.
  invoice = { id: 'INV-SWITCH', number: 'ZWN-2026-SWITCH' };
  await env.models.Invoice.create({
    _id: invoice.id,
    number: invoice.number,
    provider: 'ZWN',
    buyer: 'DOR',
    period: '2026-01',
    runKey: 'test-switch',
    agreementId: 'DVO-DOR-ZWN-ICT',
    orderReference: 'ORD-SWITCH',
    issueDate: '2026-02-01',
    dueDate: '2026-03-03',
    lines: [
      {
        requestId: 'R-SWITCH',
        title: 'ICT-advies',
        minutes: 60,
        rateCentsPerHour: 9500,
        amountCents: 9500,
        vatCategory: 'O',
        entryCount: 1,
      },
    ],
    netCents: 9500,
    vatCents: 0,
    grossCents: 9500,
    outstandingCents: 9500,
    status: 'issued',
  });
}, 120_000);
afterAll(() => env.close());

test('the API: a token acts for the organisation it names, /api/me lists both, and another organisation is refused', async () => {
  const asDor = await env.token('dor-dbc-finance', 'DOR');
  const asDbc = await env.token('dor-dbc-finance', 'DBC');
  const me = await env.api('GET', '/api/me', { token: asDbc });
  expect(me.body).toMatchObject({ userId: 'dor-dbc-finance', org: 'DBC', roles: ['provider_finance'] });
  expect(me.body.memberships.map((m: { org: string }) => m.org)).toEqual(['DOR', 'DBC']);
  // As DBC's provider finance: DBC's bank statements; as DOR's buyer finance: none of that.
  expect((await env.api('GET', '/api/bank-statements', { token: asDbc })).status).toBe(200);
  expect((await env.api('GET', '/api/bank-statements', { token: asDor })).status).toBe(403);
  const refused = await env.api('POST', '/dev/token', { body: { userId: 'dor-dbc-finance', org: 'ZWN' } });
  expect(refused).toMatchObject({ status: 400, body: { code: 'no_membership' } });
});

test('the pages: the switch in the header changes the menu and the data; nothing of the other organisation shows', async () => {
  const web = await signedIn(env, 'dor-dbc-finance');
  const first = await web.get('/facturen');
  expect(first.html).toContain('Karin Bos · Gemeente Dordrecht');
  expect(first.html).toContain('name="org"');
  expect(first.html).toContain('Inkomende facturen');
  expect(first.html).toContain(invoice.number);
  expect((await web.get(`/facturen/${invoice.id}`)).status).toBe(200);
  const switched = await web.post('/organisatie', { org: 'DBC' });
  expect(switched.status).toBe(303);
  const after = await web.get('/facturen');
  expect(after.html).toContain('U werkt nu voor');
  expect(after.html).toContain('Karin Bos · Drechtsteden Beleidscentrum');
  expect(after.html).toContain('Uitgaande facturen');
  expect(after.html).not.toContain('Inkomende facturen');
  expect(after.html).not.toContain(invoice.number);
  expect(after.html).toContain('href="/bankafschriften"');
  // Dordrecht's invoice is out of reach while acting for the shared centre.
  expect((await web.get(`/facturen/${invoice.id}`)).status).toBe(404);
  // Not to an organisation one does not work for.
  const wrong = await web.post('/organisatie', { org: 'ZWN' });
  expect(wrong.status).toBe(400);
  expect(wrong.html).toContain('werkt niet voor');
  expect((await web.get('/facturen')).html).toContain('Karin Bos · Drechtsteden Beleidscentrum');
  // Someone with one organisation has no switch.
  const single = await signedIn(env, 'zwn-requester');
  expect((await single.get('/aanvragen')).html).not.toContain('name="org"');
});
