// Regional steering on the real system: the shared centre's steering role sees the region's
// figures per quarter (per municipality, per service, agreements, contribution products, the
// trend), the same in JSON, CSV and on the page, and never a request's content. Everyone
// else is refused, and no municipality can give itself the role.
import { invoiceRunWorkflowId } from '../../contracts';
import { quarterOf } from '../../domain/steering';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
let steering: string;
const SECRET = 'Dossier Vertrouwelijk 4471';
const year = Number(todayInNL().slice(0, 4));
const quarter = quarterOf(todayInNL());
let requestId: string;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  steering = await env.token('regio-sturing');
  const pap = await env.token('pap-requester');
  requestId = await requestUpTo(env, t, 'awaiting_acceptance', { title: SECRET });
  await env.api('POST', `/api/requests/${requestId}/accept-result`, { token: t.requester });
  const papId = await requestUpTo(env, t, 'awaiting_acceptance', { title: `${SECRET} PAP`, requester: pap });
  await env.api('POST', `/api/requests/${papId}/accept-result`, { token: pap });
  await requestUpTo(env, t, 'submitted', { title: `${SECRET} open` });
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  await seedContributions(env, [year], { tag: 'STURING' });
  const advance = await env.api('POST', '/api/contributions/products/DBC-LP-STURING-BASIS/advances', {
    token: await env.token('dbc-finance'),
    body: { year },
  });
  expect(advance.status).toBe(202);
  await env.client.workflow.getHandle(advance.body.workflowId).result();
}, 180_000);
afterAll(() => env.close());

type Row = { org: string; requests: number; minutes: number; hoursCents: number; contributionCents: number; totalCents: number };

test('per municipality: requests, hours and euros by hours and by contribution, as the invoices and time entries hold them', async () => {
  const res = await env.api('GET', '/api/steering', { token: steering });
  expect(res.status).toBe(200);
  expect(res.body.quarter).toBe(quarter);
  const rows = res.body.perMunicipality as Row[];
  expect(rows.map((r) => r.org)).toEqual(expect.arrayContaining(['DOR', 'ZWN', 'PAP', 'HIA', 'SLI', 'ALB', 'GRA']));
  // Counted from the stored documents, independently of the feature.
  const net = async (buyer: string, contribution: boolean) =>
    (await env.models.Invoice.find({ buyer, runKey: contribution ? /^DBC-LP-STURING-BASIS:/ : { $not: /^DBC-LP-/ } }).lean()).reduce(
      (s, i) => s + (i.kind === 'credit_note' ? -1 : 1) * i.netCents,
      0,
    );
  for (const org of ['ZWN', 'PAP', 'GRA']) {
    const row = rows.find((r) => r.org === org)!;
    const minutes = (await env.models.TimeEntry.find({ buyer: org }).lean()).reduce((s, e) => s + e.minutes, 0);
    expect(row).toMatchObject({
      requests: await env.models.Request.countDocuments({ buyer: org }),
      minutes,
      hoursCents: await net(org, false),
      contributionCents: await net(org, true),
    });
    expect(row.totalCents).toBe(row.hoursCents + row.contributionCents);
  }
  const zwn = rows.find((r) => r.org === 'ZWN')!;
  expect(zwn.requests).toBe(2);
  expect(zwn.hoursCents).toBeGreaterThan(0);
  expect(zwn.contributionCents).toBeGreaterThan(0);
  // The totals, the trend's last quarter and the sum of the rows are one figure.
  const sum = rows.reduce((s, r) => s + r.totalCents, 0);
  expect(res.body.totals.totalCents).toBe(sum);
  expect(res.body.trend).toHaveLength(8);
  expect(res.body.trend.at(-1)).toMatchObject({ quarter, totalCents: sum, requests: res.body.totals.requests });
  // Per service: the hours' euros of the leerplicht service; the product in force this year.
  expect(res.body.perService.find((s: { serviceId: string }) => s.serviceId === 'DOR-LEERPLICHT')).toMatchObject({
    requests: 3,
    hoursCents: (await net('ZWN', false)) + (await net('PAP', false)),
  });
  const product = res.body.products.find((p: { id: string }) => p.id === 'DBC-LP-STURING-BASIS');
  expect(product).toMatchObject({ year, invoicedCents: rows.reduce((s, r) => s + r.contributionCents, 0) });
  expect(product.budgetCents).toBeGreaterThan(product.invoicedCents);
  const agreement = res.body.agreements.find((a: { id: string }) => a.id === 'DVO-ZWN-DOR-LEERPLICHT');
  expect(agreement).toMatchObject({ minutesToDate: zwn.minutes, invoicedCents: zwn.hoursCents });
});

test("figures only: no request's title anywhere in the overview, the CSVs or the page", async () => {
  const json = JSON.stringify((await env.api('GET', '/api/steering', { token: steering })).body);
  expect(json).not.toContain('Dossier');
  for (const table of ['municipalities', 'services', 'agreements', 'products', 'trend']) {
    const csv = await env.api('GET', `/api/steering/export.csv?table=${table}&quarter=${quarter}`, { token: steering });
    expect(csv.status).toBe(200);
    expect(String(csv.headers.get('content-type'))).toContain('text/csv');
    expect(String(csv.body)).not.toContain('Dossier');
  }
  const page = await (await signedIn(env, 'regio-sturing')).get(`/sturing?kwartaal=${quarter}`);
  expect(page.status).toBe(200);
  expect(page.html).toContain('Regionale sturing');
  expect(page.html).not.toContain('Dossier');
  // And the request itself stays out of reach.
  expect((await env.api('GET', `/api/requests/${requestId}`, { token: steering })).status).toBe(404);
});

test('the CSV has the same figures as the JSON', async () => {
  const o = (await env.api('GET', '/api/steering', { token: steering })).body;
  const csv = String((await env.api('GET', '/api/steering/export.csv?table=municipalities', { token: steering })).body);
  const zwn = o.perMunicipality.find((r: Row) => r.org === 'ZWN') as Row;
  const line = csv.split(/\r?\n/).find((l) => l.includes(',ZWN,') || l.includes(';ZWN;'))!;
  const cells = line.split(/[;,]/);
  expect(cells).toContain((zwn.hoursCents / 100).toFixed(2));
  expect(cells).toContain((zwn.contributionCents / 100).toFixed(2));
  expect(cells).toContain((zwn.minutes / 60).toFixed(2));
});

test('an earlier quarter has its own figures; a wrong quarter or table is a clear 400', async () => {
  const earlier = await env.api('GET', `/api/steering?quarter=${year - 1}-Q1`, { token: steering });
  expect(earlier.status).toBe(200);
  expect(earlier.body.totals).toMatchObject({ requests: 0, minutes: 0, totalCents: 0 });
  const bad = await env.api('GET', '/api/steering?quarter=2026-Q5', { token: steering });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ code: 'invalid_input', field: 'quarter' });
  const table = await env.api('GET', '/api/steering/export.csv?table=requests', { token: steering });
  expect(table.status).toBe(400);
  expect(table.body).toMatchObject({ code: 'invalid_input', field: 'table' });
});

test('refused to everyone without the role, on the API and the page', async () => {
  for (const user of ['dor-coordinator', 'zwn-finance', 'dbc-finance', 'dor-beheer']) {
    const token = await env.token(user);
    const res = await env.api('GET', '/api/steering', { token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('role_required');
    expect((await env.api('GET', '/api/steering/export.csv?table=trend', { token })).status).toBe(403);
  }
  const page = await (await signedIn(env, 'zwn-finance')).get('/sturing');
  expect(page.status).toBe(403);
  expect(page.html).not.toContain('Per gemeente');
});

test('a municipality cannot give itself the steering role; a shared centre can, and it is audited', async () => {
  const zwnAdmin = await env.token('zwn-beheer');
  const before = (await env.models.User.findById('zwn-staff').lean())!.memberships;
  const refused = await env.api('PUT', '/api/organisation/users/zwn-staff/roles', {
    token: zwnAdmin,
    body: { roles: ['staff', 'steering'] },
  });
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({ code: 'role_not_for_org', params: { role: 'steering', org: 'ZWN' } });
  expect((await env.models.User.findById('zwn-staff').lean())!.memberships).toEqual(before);
  const invite = await env.api('POST', '/api/organisation/invitations', {
    token: zwnAdmin,
    body: { email: 'stuur@zwijndrecht.nl', roles: ['steering'] },
  });
  expect(invite.status).toBe(422);
  expect(await env.models.Invitation.countDocuments({ email: 'stuur@zwijndrecht.nl' })).toBe(0);

  const centre = await env.token('region-admin');
  const granted = await env.api('PUT', '/api/organisation/users/dbc-finance/roles', {
    token: centre,
    body: { roles: ['provider_finance', 'steering'] },
  });
  expect(granted.status).toBe(200);
  expect((await env.api('GET', '/api/steering', { token: await env.token('dbc-finance') })).status).toBe(200);
  const audit = await env.api('GET', '/api/organisation/audit', { token: centre });
  expect(JSON.stringify(audit.body)).toMatch(/setRoles[^]*steering/);
});
