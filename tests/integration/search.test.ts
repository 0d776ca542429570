// Search, filters, sorting and paging on the request lists, in the API and on the pages; the
// filter lives in the URL and the filtered list downloads as CSV. Built on a token field
// (FerretDB v1 has no $text), so this runs on the real FerretDB.
import { parse } from 'csv-parse/sync';
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  await env.api('POST', '/api/requests', {
    token: t.requester,
    body: { serviceId: 'DOR-LEERPLICHT', title: 'Verzuimanalyse Coördinatie', description: 'Met aanbevelingen per school' },
  });
  await env.api('POST', '/api/requests', { token: t.requester, body: { serviceId: 'DOR-LEERPLICHT', title: 'Thuiszitters 2027' } });
  await requestUpTo(env, t, 'in_progress', { title: 'Verzuim mbo in uitvoering' });
  // Another municipality's request with the same word: never in ZWN's results.
  await env.api('POST', '/api/requests', {
    token: await env.token('pap-requester'),
    body: { serviceId: 'DOR-LEERPLICHT', title: 'Verzuim Papendrecht' },
  });
});
afterAll(() => env.close());

const titles = async (query: string, token = t.requester) =>
  ((await env.api('GET', `/api/requests?${query}`, { token })).body.items as { title: string }[]).map((r) => r.title).sort();

test('q finds by the start of a title word, without accents, and by description words; only the own organisation', async () => {
  expect(await titles('q=verzuim')).toEqual(['Verzuim mbo in uitvoering', 'Verzuimanalyse Coördinatie']);
  expect(await titles('q=coordinatie')).toEqual(['Verzuimanalyse Coördinatie']);
  expect(await titles('q=aanbevelingen')).toEqual(['Verzuimanalyse Coördinatie']);
  expect(await titles('q=verzuim%20mbo')).toEqual(['Verzuim mbo in uitvoering']);
  expect(await titles('q=verzuim&status=in_progress')).toEqual(['Verzuim mbo in uitvoering']);
});

test('paging and sorting: the pages add up to the whole list', async () => {
  const all = (await env.api('GET', '/api/requests?sort=title&pageSize=200', { token: t.requester })).body;
  const first = (await env.api('GET', '/api/requests?sort=title&pageSize=2&page=1', { token: t.requester })).body;
  const second = (await env.api('GET', '/api/requests?sort=title&pageSize=2&page=2', { token: t.requester })).body;
  expect(first.total).toBe(all.total);
  expect([...first.items, ...second.items].map((r: { title: string }) => r.title)).toEqual(
    all.items.slice(0, 4).map((r: { title: string }) => r.title),
  );
});

test('the page keeps the filter in the URL, says how many it found, and downloads the same list as CSV', async () => {
  const requester = await signedIn(env, 'zwn-requester');
  const page = (await requester.get('/aanvragen?zoek=verzuim&sortering=title')).html;
  expect(page).toContain('2 gevonden.');
  expect(page).toContain('value="verzuim"');
  expect(page).not.toContain('Thuiszitters 2027');
  // (Handlebars writes = in attributes as &#x3D;; the browser reads it back.)
  expect(page.replace(/&#x3D;/g, '=')).toContain('href="/aanvragen.csv?zoek=verzuim&amp;sortering=title"');
  const csv = await requester.get('/aanvragen.csv?zoek=verzuim&sortering=title');
  const rows = parse(csv.html, { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.titel)).toEqual(['Verzuim mbo in uitvoering', 'Verzuimanalyse Coördinatie']);
  const none = (await requester.get('/aanvragen?zoek=bestaatniet')).html;
  expect(none).toContain('Niets gevonden met deze zoekopdracht.');
});

test('the provider searches its own work; the API offers the same CSV', async () => {
  expect(await titles('q=verzuim', t.coordinator)).toEqual([
    'Verzuim Papendrecht',
    'Verzuim mbo in uitvoering',
    'Verzuimanalyse Coördinatie',
  ]);
  const res = await fetch(`${env.baseUrl}/api/requests.csv?q=thuiszitters`, { headers: { authorization: `Bearer ${t.requester}` } });
  expect(res.status).toBe(200);
  expect((parse(await res.text(), { columns: true }) as Record<string, string>[]).map((r) => r.titel)).toEqual(['Thuiszitters 2027']);
});

test('finance searches invoices by number, order reference or line title; the CSV follows the search', async () => {
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Gefactureerd onderzoek' });
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester });
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  const invoice = (await env.models.Invoice.findById(run.invoiceIds[0]).lean())!;
  const zwn = await env.token('zwn-finance');
  const numbers = async (q: string, token = zwn) =>
    ((await env.api('GET', `/api/invoices?q=${encodeURIComponent(q)}`, { token })).body as { number: string }[]).map((i) => i.number);
  expect(await numbers(invoice.number!)).toEqual([invoice.number]);
  expect(await numbers(invoice.number!.slice(0, 8).toLowerCase())).toContain(invoice.number);
  expect(await numbers(invoice.orderReference)).toEqual([invoice.number]);
  expect(await numbers('gefactureerd')).toEqual([invoice.number]);
  expect(await numbers('bestaatniet')).toEqual([]);
  expect(await numbers('.*')).toEqual([]); // a search is text, never a pattern
  const finance = await signedIn(env, 'zwn-finance');
  const page = (await finance.get('/facturen?zoek=gefactureerd')).html;
  expect(page).toContain(invoice.number!);
  expect(page).toContain('Deze facturen met regels downloaden (CSV)');
  const csv = parse((await finance.get('/facturen.csv?zoek=bestaatniet')).html, { columns: true }) as unknown[];
  expect(csv).toEqual([]);
});

test('invoices filter by status as people read it, sort and page in the API (with the total) and on the page', async () => {
  const zwn = await env.token('zwn-finance');
  const all = (await env.api('GET', '/api/invoices', { token: zwn })).body as { number: string; status: string }[];
  expect(all.length).toBeGreaterThan(0);
  const issued = await env.api('GET', '/api/invoices?status=issued', { token: zwn });
  expect(issued.body.map((i: { number: string }) => i.number)).toEqual(all.map((i) => i.number));
  expect((await env.api('GET', '/api/invoices?status=paid', { token: zwn })).body).toEqual([]);
  const paged = await env.api('GET', '/api/invoices?page=2&pageSize=1', { token: zwn });
  expect(paged.headers.get('x-total-count')).toBe(String(all.length));
  expect(paged.body).toHaveLength(all.length > 1 ? 1 : 0);
  expect((await env.api('GET', '/api/invoices?status=nonsense', { token: zwn })).body).toMatchObject({
    code: 'invalid_input',
    field: 'status',
  });
  const finance = await signedIn(env, 'zwn-finance');
  const page = (await finance.get('/facturen?status=paid')).html;
  expect(page).toContain('Niets gevonden met deze zoekopdracht.');
  expect(page.replace(/&#x3D;/g, '=')).toContain('href="/facturen.csv?status=paid"');
  const csv = parse((await finance.get('/facturen.csv?status=issued')).html, { columns: true }) as Record<string, string>[];
  expect(csv.length).toBeGreaterThan(0);
  // Dutch for people, the code for spreadsheets that pivot on it.
  expect(csv.every((r) => r.status === 'Verzonden' && r.statuscode === 'issued' && r.soort === 'Factuur')).toBe(true);
});

test('the intake and my tasks search in the URL and download as CSV; the API takes the same filter', async () => {
  const coordinator = await signedIn(env, 'dor-coordinator');
  const page = (await coordinator.get('/intake?zoek=thuiszitters')).html;
  expect(page).toContain('Thuiszitters 2027');
  expect(page).not.toContain('Verzuimanalyse Coördinatie');
  const csv = parse((await coordinator.get('/intake.csv?zoek=verzuim')).html, { columns: true }) as Record<string, string>[];
  expect(csv.map((r) => [r.lijst, r.titel, r.status]).sort()).toEqual([
    ['Nieuwe aanvragen', 'Verzuim Papendrecht', 'Ingediend'],
    ['Nieuwe aanvragen', 'Verzuimanalyse Coördinatie', 'Ingediend'],
  ]);
  const staff = await env.token('dor-staff');
  const found = await env.api('GET', '/api/my/tasks?q=mbo', { token: staff });
  expect(found.body.assigned.map((r: { title: string }) => r.title)).toEqual(['Verzuim mbo in uitvoering']);
  expect((await env.api('GET', '/api/my/tasks?q=bestaatniet', { token: staff })).body.assigned).toEqual([]);
  const web = await signedIn(env, 'dor-staff');
  expect((await web.get('/taken?zoek=bestaatniet')).html).toContain('Niets gevonden met deze zoekopdracht.');
});

test('key figures filter by figure and municipality, and download as CSV', async () => {
  const token = await env.token('region-admin');
  for (const name of ['inwoners', 'leerlingen 5-18'])
    await env.api('POST', '/api/contributions/key-figures', {
      token,
      body: { name, referenceDate: '2026-01-01', figures: { DOR: 118_000, ZWN: 44_000, PAP: 30_500 } },
    });
  const admin = await signedIn(env, 'region-admin');
  const page = (await admin.get('/bijdragen/kengetallen?kengetal=inwoners&zoek=papen')).html;
  expect(page).toContain('Papendrecht');
  expect(page).not.toContain('Zwijndrecht</td>');
  const csv = parse((await admin.get('/bijdragen/kengetallen.csv?kengetal=inwoners&zoek=PAP')).html, { columns: true }) as Record<
    string,
    string
  >[];
  expect(csv.map((r) => [r.kengetal, r.gemeentecode])).toEqual([['inwoners', 'PAP']]);
  const api = await env.api('GET', '/api/contributions/key-figures?name=inwoners', { token });
  expect(new Set(api.body.map((v: { name: string }) => v.name))).toEqual(new Set(['inwoners']));
});
