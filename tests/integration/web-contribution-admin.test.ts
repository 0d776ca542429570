// The centre admin's contribution forms over HTTP: add a product, change its details (VAT and
// advance frequency fixed once a step is recorded) and its rules (fixed shares over the budget
// refused in Dutch, input kept), record a merger.
import { demoContributionProducts } from '../../models/demo-data';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { signedIn } from '../support/web-client';

let env: TestEnv;
const YEAR = Number(todayInNL().slice(0, 4));
const P = 'DBC-LP-BASIS';

beforeAll(async () => {
  env = await createTestEnv();
  await seedContributions(env, [YEAR]);
});
afterAll(() => env.close());

test('the admin adds a product with its rules; bad input is refused in Dutch with the input kept', async () => {
  const admin = await signedIn(env, 'region-admin');
  const menu = await admin.get('/bijdragen');
  expect(menu.html).toContain('href="/bijdragen/producten/nieuw"');
  const form = await admin.get('/bijdragen/producten/nieuw');
  expect(form.status).toBe(200);
  expect(form.html).toMatch(/<label class="utrecht-form-label" for="rules-fixed">Vaste bedragen \(optioneel\)<\/label>/);
  const bad = await admin.post('/bijdragen/producten/nieuw', {
    code: 'dbc jeugd',
    name: 'Jeugdmonitor',
    advanceFrequency: 'yearly',
    paymentTermDays: '30',
    fixed: 'XYZ 100,00',
    base: '',
    rest: 'inwoners 1\ninwoners 2',
  });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('id="product-code-error">Vul een code in van hoofdletters');
  expect(bad.html).toContain('value="Jeugdmonitor"');
  expect(bad.html).toMatch(/<option value="yearly" selected>/);
  // The rules are checked by the contribution feature once the form is readable: one refusal at a time, in Dutch.
  const rules = { name: 'Jeugdmonitor', advanceFrequency: 'yearly', paymentTermDays: '30', base: '' };
  const twice = await admin.post('/bijdragen/producten/nieuw', {
    ...rules,
    code: 'DBC-JEUGD',
    fixed: 'XYZ 100,00',
    rest: 'inwoners 1\ninwoners 2',
  });
  expect(twice.status).toBe(400);
  expect(twice.html).toContain('id="rules-rest-error">Een kengetal of &quot;uren&quot; staat twee keer in de verdeling van de rest.</p>');
  const stranger = await admin.post('/bijdragen/producten/nieuw', { ...rules, code: 'DBC-JEUGD', fixed: 'XYZ 100,00', rest: 'inwoners 1' });
  expect(stranger.status).toBe(400);
  expect(stranger.html).toContain('id="rules-fixed-error">XYZ is geen gemeente in Eenvoud.</p>');
  expect(await env.models.ContributionProduct.exists({ _id: 'DBC-JEUGD' })).toBeNull();
  const duplicate = await admin.post('/bijdragen/producten/nieuw', {
    code: P,
    name: 'Dubbel',
    advanceFrequency: 'yearly',
    paymentTermDays: '30',
    rest: 'uren',
  });
  expect(duplicate.status).toBe(409);
  expect(duplicate.html).toContain(`Er bestaat al een product met code ${P}.`);
  expect(await env.models.ContributionProduct.countDocuments()).toBe(demoContributionProducts().length);
  // Only the centre's own services are offered; another provider's one (a tampered form) is refused.
  expect(form.html).toMatch(
    /<input [^>]*type="checkbox" name="serviceIds" value="DBC-LEERPLICHT"> Bureau leerplicht \(regionaal\) \(DBC-LEERPLICHT\)<\/label>/,
  );
  expect(form.html).not.toContain('value="DOR-LEERPLICHT"');
  expect(form.html).toMatch(/<option value="O" selected>Buiten de btw \(overheidstaak\)<\/option>/);
  const foreign = await admin.post('/bijdragen/producten/nieuw', {
    ...rules,
    code: 'DBC-JEUGD',
    rest: 'inwoners 1',
    serviceIds: 'DOR-LEERPLICHT',
    vatCategory: 'S',
  });
  expect(foreign.status).toBe(400);
  expect(foreign.html).toContain('id="product-services-error">De dienst DOR-LEERPLICHT wordt niet geleverd door');
  expect(foreign.html).toMatch(/<option value="S" selected>Btw 21 %<\/option>/);

  const ok = await admin.post('/bijdragen/producten/nieuw', {
    code: 'DBC-JEUGD',
    name: 'Jeugdmonitor',
    serviceLevel: 'basis',
    advanceFrequency: 'yearly',
    paymentTermDays: '14',
    fixed: 'DOR 5.000,00',
    base: '1.000,00',
    rest: 'inwoners 3\nuren',
    serviceIds: 'DBC-LEERPLICHT',
    vatCategory: 'S',
  });
  expect(ok.status).toBe(303);
  expect(ok.location).toBe('/bijdragen/producten/DBC-JEUGD');
  const stored = await env.models.ContributionProduct.findById('DBC-JEUGD').lean();
  expect(stored).toMatchObject({
    provider: 'DBC',
    serviceIds: ['DBC-LEERPLICHT'],
    vatCategory: 'S',
    advanceFrequency: 'yearly',
    paymentTermDays: 14,
    rules: {
      fixed: { DOR: 500_000 },
      basePerParticipant: 100_000,
      rest: [
        { by: 'keyFigure', name: 'inwoners', weight: 3 },
        { by: 'hours', weight: 1 },
      ],
    },
  });
  const page = await admin.get('/bijdragen/producten/DBC-JEUGD');
  expect(page.html).toContain('<div><dt>Btw</dt><dd>Btw 21 %</dd></div>');
  expect(page.html).toMatch(/<div><dt>Diensten<\/dt><dd>Bureau leerplicht \(regionaal\) \(DBC-LEERPLICHT\)<\/dd><\/div>/);
  // Centre finance may not add products.
  const finance = await signedIn(env, 'dbc-finance');
  expect((await finance.get('/bijdragen/producten/nieuw')).status).toBe(403);
});

test("the admin changes a product's details; VAT and advance frequency only before its first step", async () => {
  const admin = await signedIn(env, 'region-admin');
  const page = await admin.get('/bijdragen/producten/DBC-JEUGD');
  expect(page.html).toContain('href="/bijdragen/producten/DBC-JEUGD/gegevens"');
  const form = await admin.get('/bijdragen/producten/DBC-JEUGD/gegevens');
  expect(form.status).toBe(200);
  expect(form.html).toContain('value="Jeugdmonitor"');
  expect(form.html).toMatch(/<option value="S" selected>Btw 21 %<\/option>/);
  expect(form.html).toMatch(/value="DBC-LEERPLICHT" checked>/);
  const details = {
    name: 'Jeugdmonitor regionaal',
    serviceLevel: 'basis',
    advanceFrequency: 'quarterly',
    paymentTermDays: '21',
    vatCategory: 'O',
  };
  const ok = await admin.post('/bijdragen/producten/DBC-JEUGD/gegevens', details);
  expect(ok.status).toBe(303);
  expect(await env.models.ContributionProduct.findById('DBC-JEUGD').lean()).toMatchObject({
    name: 'Jeugdmonitor regionaal',
    advanceFrequency: 'quarterly',
    vatCategory: 'O',
    paymentTermDays: 21,
    serviceIds: [],
  });

  // Once an advance is recorded, its invoices carry the VAT and the instalments: those stay.
  await env.models.ContributionStep.collection.insertOne({ _id: `DBC-JEUGD:${YEAR}:A1`, product: 'DBC-JEUGD', provider: 'DBC' } as never);
  const refused = await admin.post('/bijdragen/producten/DBC-JEUGD/gegevens', { ...details, vatCategory: 'S' });
  expect(refused.status).toBe(409);
  expect(refused.html).toContain(
    'id="product-vat-error">De btw en de frequentie van de voorschotten liggen vast zodra er een voorschot of afrekening van dit product is gemaakt.',
  );
  expect(refused.html).toContain('value="Jeugdmonitor regionaal"');
  expect((await env.models.ContributionProduct.findById('DBC-JEUGD').lean())!.vatCategory).toBe('O');
  expect((await admin.post('/bijdragen/producten/DBC-JEUGD/gegevens', { ...details, name: 'Jeugdmonitor' })).status).toBe(303);

  // The API takes all details (a PUT); centre finance may not change them.
  const token = await env.token('region-admin');
  const partial = await env.api('PUT', '/api/contributions/products/DBC-JEUGD', { token, body: { name: 'Alleen de naam' } });
  expect(partial.status).toBe(400);
  const body = {
    name: 'Jeugdmonitor',
    serviceLevel: null,
    serviceIds: ['DBC-LEERPLICHT'],
    advanceFrequency: 'quarterly',
    vatCategory: 'O',
    paymentTermDays: 30,
  };
  const put = await env.api('PUT', '/api/contributions/products/DBC-JEUGD', { token, body });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ serviceIds: ['DBC-LEERPLICHT'], paymentTermDays: 30 });
  const finance = await env.token('dbc-finance');
  expect((await env.api('PUT', '/api/contributions/products/DBC-JEUGD', { token: finance, body })).status).toBe(403);
  const financePages = await signedIn(env, 'dbc-finance');
  expect((await financePages.get('/bijdragen/producten/DBC-JEUGD/gegevens')).status).toBe(403);
});

test('fixed shares above the budget are refused on the rules form; a valid change is saved', async () => {
  const admin = await signedIn(env, 'region-admin');
  const product = await admin.get(`/bijdragen/producten/${P}`);
  expect(product.html).toContain(`href="/bijdragen/producten/${P}/verdeelregels"`);
  const form = await admin.get(`/bijdragen/producten/${P}/verdeelregels`);
  expect(form.status).toBe(200);
  expect(form.html).toContain('DOR 40.000,00'); // the current rules filled in
  const over = await admin.post(`/bijdragen/producten/${P}/verdeelregels`, {
    fixed: 'DOR 70.000,00\nZWN 20.000,00',
    base: '',
    rest: 'inwoners',
  });
  expect(over.status).toBe(400);
  expect(over.html).toContain(
    `id="rules-fixed-error">De vaste bedragen (samen € 90.000,00) zijn hoger dan de begroting van ${YEAR} (€ 80.000,00).</p>`,
  );
  expect(over.html).toContain('ZWN 20.000,00</textarea>');
  expect((await env.models.ContributionProduct.findById(P).lean())!.rules).toMatchObject({ fixed: { DOR: 4_000_000 } });

  const ok = await admin.post(`/bijdragen/producten/${P}/verdeelregels`, { fixed: 'DOR 30.000,00', base: '', rest: 'inwoners' });
  expect(ok.status).toBe(303);
  expect((await env.models.ContributionProduct.findById(P).lean())!.rules).toMatchObject({ fixed: { DOR: 3_000_000 } });
  expect((await admin.get(`/bijdragen/producten/${P}`)).html).toContain('De verdeelregels zijn gewijzigd.');
});

test('the admin records a merger: participations move to the merged municipality; errors are Dutch', async () => {
  const admin = await signedIn(env, 'region-admin');
  const form = await admin.get('/bijdragen/fusies');
  expect(form.status).toBe(200);
  expect(form.html).toContain('<legend class="utrecht-form-fieldset__legend">Gemeenten die opgaan in de nieuwe gemeente</legend>');
  const bad = await admin.post('/bijdragen/fusies', { into: 'HIA', date: 'volgend jaar' });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('id="merger-merged-error">Kies minstens één gemeente die opgaat in de nieuwe gemeente.</p>');
  expect(bad.html).toContain('id="merger-date-error">Vul een geldige datum in (dd-mm-jjjj).</p>');
  expect(bad.html).toMatch(/<option value="HIA" selected>/);

  const before = await env.models.Participation.countDocuments();
  const date = `${YEAR}-07-01`;
  const body = new URLSearchParams({ into: 'HIA', date });
  body.append('merged', 'PAP');
  body.append('merged', 'ZWN');
  // Two values under one name: post the form body by hand, with the page's token.
  const csrf = /name="_csrf" value="([^"]+)"/.exec(bad.html)![1]!;
  body.set('_csrf', csrf);
  const res = await fetch(`${env.baseUrl}/bijdragen/fusies`, {
    method: 'POST',
    headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const ended = await env.models.Participation.find({ participant: { $in: ['PAP', 'ZWN'] }, product: P }).lean();
  expect(ended.every((p) => p.to === `${YEAR}-06-30`)).toBe(true);
  expect(await env.models.Participation.countDocuments()).toBeGreaterThanOrEqual(before);
});
