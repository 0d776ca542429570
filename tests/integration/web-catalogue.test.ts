// The catalogue and agreements on the pages, for the region's administrator: a service with its
// process options and SLAs, rate versions, agreements, each refusal of the catalogue in Dutch on
// its form (a rate already invoiced, agreements that overlap, selling to oneself, wrong dates),
// and an agreement's use per month. Refused to anyone else.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn, type WebClient } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
let admin: WebClient;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  // Hours under ZWN's agreement, invoiced this month.
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Catalogusproef' });
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester });
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  admin = await signedIn(env, 'region-admin');
}, 120_000);
afterAll(() => env.close());

test('a new service: a mistake explained in Dutch, then added with its options; a rate version follows', async () => {
  await admin.get('/beheer/catalogus');
  const bad = await admin.post('/beheer/catalogus/diensten', {
    _id: 'DOR-JEUGD',
    provider: 'DOR',
    name: '',
    policyArea: 'Jeugd',
    intakeSlaDays: '5',
    deliverySlaDays: '20',
    retentionDays: '2555',
  });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('value="DOR-JEUGD"');
  const ok = await admin.post('/beheer/catalogus/diensten', {
    _id: 'dor-jeugd',
    provider: 'DOR',
    name: 'Jeugdbeleid advies',
    policyArea: 'Jeugd',
    quoteRequired: 'ja',
    intakeSlaDays: '3',
    deliverySlaDays: '15',
    silentAcceptanceDays: '',
    retentionDays: '2555',
  });
  expect(ok.status).toBe(303);
  expect(ok.location).toBe('/beheer/catalogus/diensten/DOR-JEUGD');
  const service = (await env.models.Service.findById('DOR-JEUGD').lean())!;
  expect(service).toMatchObject({
    provider: 'DOR',
    quoteRequired: true,
    reviewRequired: false,
    intakeSlaDays: 3,
    silentAcceptanceDays: null,
  });
  await admin.get(ok.location!);
  expect((await admin.post('/beheer/catalogus/diensten/DOR-JEUGD/tarieven', { validFrom: '2026-01-01', rate: '97,50' })).status).toBe(303);
  expect((await env.models.Service.findById('DOR-JEUGD').lean())!.rates).toEqual([{ validFrom: '2026-01-01', rateCentsPerHour: 9750 }]);
});

test("a rate from a date already invoiced is refused, in Dutch, on the service's page", async () => {
  await admin.get('/beheer/catalogus/diensten/DOR-LEERPLICHT');
  const res = await admin.post('/beheer/catalogus/diensten/DOR-LEERPLICHT/tarieven', { validFrom: '2025-01-01', rate: '100,00' });
  expect(res.status).toBe(409);
  expect(res.html).toContain('zijn al tegen het huidige tarief gefactureerd; een nieuw tarief kan op zijn vroegst ingaan op');
});

test('agreements: overlap, selling to oneself and wrong dates are refused in Dutch; a good one is saved', async () => {
  await admin.get('/beheer/dvo/nieuw');
  const base = {
    _id: 'DVO-TEST',
    buyer: 'ZWN',
    provider: 'DOR',
    serviceIds: 'DOR-LEERPLICHT',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    hourBudget: '100',
    rate: '',
    roundingRule: 'up6',
    vatCategory: 'O',
    paymentTermDays: '30',
    orderReference: 'ORD-TEST',
    invoiceFrequency: 'monthly',
    hourBilling: 'ja',
  };
  const overlap = await admin.post('/beheer/dvo', base);
  expect(overlap.status).toBe(409);
  expect(overlap.html).toContain('DVO DVO-ZWN-DOR-LEERPLICHT dekt deze dienst al voor Gemeente Zwijndrecht');
  const self = await admin.post('/beheer/dvo', { ...base, buyer: 'DOR' });
  expect(self.html).toContain('Een organisatie kan niet aan zichzelf leveren.');
  const dates = await admin.post('/beheer/dvo', { ...base, serviceIds: 'DOR-JEUGD', validTo: '2025-12-31' });
  expect(dates.html).toContain('De einddatum ligt vóór de begindatum (01-01-2026).');
  const ok = await admin.post('/beheer/dvo', { ...base, serviceIds: 'DOR-JEUGD', rate: '90,00' });
  expect(ok.status).toBe(303);
  expect(await env.models.Agreement.findById('DVO-TEST').lean()).toMatchObject({
    rateCentsPerHour: 9000,
    roundingRule: 'up6',
    hourBudget: 100,
  });
});

test("an agreement's page shows its use per month: hours against the budget and what was invoiced", async () => {
  const page = await admin.get('/beheer/dvo/DVO-ZWN-DOR-LEERPLICHT');
  expect(page.status).toBe(200);
  const month = todayInNL().slice(0, 7);
  expect(page.html).toMatch(new RegExp(`<tr><td>${month}</td><td class="num">1</td>`));
  expect(page.html).toContain('Gebruik per maand');
  const invoice = (await env.models.Invoice.findOne({ agreementId: 'DVO-ZWN-DOR-LEERPLICHT' }).lean())!;
  expect(page.html).toContain(
    new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }).format(invoice.netCents / 100).replace(/\s/g, ' '),
  );
});

test('the pages are the region administrator’s: a coordinator is refused', async () => {
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get('/beheer/catalogus')).status).toBe(403);
  expect((await coordinator.get('/beheer/dvo/DVO-ZWN-DOR-LEERPLICHT')).status).toBe(403);
});

test('a service transfer: a preview of what moves, the confirmation, and the result with its audit', async () => {
  const open = await requestUpTo(env, t, 'submitted', { title: 'Lopend bij Dordrecht' });
  const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
  await admin.get('/beheer/overdracht');
  // The form sent as it came: the form again, asking for the service (a page, not an error).
  const empty = await admin.get('/beheer/overdracht/voorbeeld?dienst=&datum=&financiering=hours');
  expect(empty.status).toBe(200);
  expect(empty.html).toContain('Kies de dienst die overgaat.');
  const past = await admin.get('/beheer/overdracht/voorbeeld?dienst=DOR-LEERPLICHT&datum=2020-01-01&financiering=hours');
  expect(past.status).toBe(400);
  expect(past.html).toContain('Een overdracht kan niet in het verleden ingaan.');
  const preview = await admin.get(`/beheer/overdracht/voorbeeld?dienst=DOR-LEERPLICHT&datum=${tomorrow}&financiering=contribution`);
  expect(preview.status).toBe(200);
  expect(preview.html).toContain('Van Gemeente Dordrecht naar');
  expect(preview.html).toContain('DVO-ZWN-DOR-LEERPLICHT');
  expect(preview.html).toContain('Lopend bij Dordrecht');
  // Nothing has moved yet.
  expect(await env.models.ServiceTransfer.countDocuments()).toBe(0);
  const confirmed = await admin.post('/beheer/overdracht', { dienst: 'DOR-LEERPLICHT', datum: tomorrow, financiering: 'contribution' });
  expect(confirmed.status).toBe(303);
  const result = await admin.get(confirmed.location!);
  expect(result.html).toContain('Dienst overgedragen');
  expect(await env.models.ServiceTransfer.findById('DOR-LEERPLICHT').lean()).toMatchObject({ to: 'DBC', financing: 'contribution' });
  // The open request stays with Dordrecht.
  expect((await env.models.Request.findById(open).lean())!.provider).toBe('DOR');
  // A second transfer of the same service is refused in Dutch.
  const again = await admin.get(`/beheer/overdracht/voorbeeld?dienst=DOR-LEERPLICHT&datum=${tomorrow}&financiering=hours`);
  expect(again.status).toBe(409);
  const coordinator = await signedIn(env, 'dor-coordinator');
  expect((await coordinator.get('/beheer/overdracht')).status).toBe(403);
});
