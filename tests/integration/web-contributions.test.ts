// Contribution pages over HTTP: the preview of the seed example, the CBS import with a bad row,
// a participation overlap refused on the form, a participant that sees only its own rows, and
// POSTs without the CSRF token refused.
import { contributionStepWorkflowId } from '../../contracts';
import { formatEuro } from '../../domain/money';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { waitFor } from '../support/story';
import { signedIn, type WebClient } from '../support/web-client';

let env: TestEnv;
const YEAR = Number(todayInNL().slice(0, 4));
const P = 'DBC-LP-BASIS';
// The advance is invoiced for next year: workflow ids (contribution-<product>-<year>-A1) are per
// Temporal namespace, shared by the test files of a Jest worker; the API test invoices last
// year's and this year's steps, the browser test those of the year after next.
const NEXT = YEAR + 1;

beforeAll(async () => {
  env = await createTestEnv();
  await seedContributions(env, [YEAR, NEXT]);
});
afterAll(() => env.close());

/** The text of a table cell of a participant's row. */
const shareOf = (html: string, code: string) =>
  new RegExp(`<tr data-participant="${code}">[\\s\\S]*?<td class="num share">([^<]+)</td>`).exec(html)?.[1];

/** Posts a multipart form (a file upload) with the client's cookies and the page's CSRF token. */
async function postMultipart(
  c: WebClient,
  path: string,
  csrf: string,
  fields: Record<string, string>,
  file: { name: string; text: string },
) {
  const form = new FormData();
  form.set('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set(file.name, new Blob([file.text], { type: 'text/csv' }), 'inwoners.csv');
  const res = await fetch(env.baseUrl + path, {
    method: 'POST',
    body: form,
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    redirect: 'manual',
  });
  for (const cookie of res.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const i = pair!.indexOf('=');
    c.cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1));
  }
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

test("the preview shows the seed example's shares: EUR 80,000, Dordrecht fixed EUR 40,000, the rest by inhabitants", async () => {
  const finance = await signedIn(env, 'dbc-finance');
  const menu = await finance.get('/bijdragen');
  expect(menu.status).toBe(200);
  expect(menu.html).toContain('<a href="/bijdragen" aria-current="page">Bijdragen</a>');
  expect(menu.html).toContain('Gemeente Dordrecht: vast bedrag € 40.000,00');

  const page = await finance.get(`/bijdragen/producten/${P}/verdeling?jaar=${YEAR}`);
  expect(page.status).toBe(200);
  expect(page.html).toMatch(/id="preview-total"[^>]*>€ 80.000,00</);
  expect(shareOf(page.html, 'DOR')).toBe('€ 40.000,00');
  expect(page.html).toContain('Vast bedrag € 40.000,00');
  expect(page.html).toMatch(/role="img" aria-labelledby="aandelen-title aandelen-desc"/);
  // The other six share the remaining EUR 40,000 by inhabitants, exactly as the API computes it.
  const api = await env.api('GET', `/api/contributions/products/${P}/preview?year=${YEAR}`, { token: await env.token('dbc-finance') });
  const shares = api.body.allocation.shares as { participant: string; totalCents: number }[];
  expect(shares).toHaveLength(7);
  let rest = 0;
  for (const s of shares.filter((x) => x.participant !== 'DOR')) {
    expect(shareOf(page.html, s.participant)).toBe(formatEuro(s.totalCents));
    expect(formatEuro(s.totalCents)).toMatch(/^€ \d{1,3}(\.\d{3})*,\d{2}$/);
    rest += s.totalCents;
  }
  expect(rest).toBe(4_000_000);
  // Each part explained: inhabitants × days of the participant against all, of the rest.
  expect(page.html).toMatch(/inwoners × dagen: [\d.]+ van [\d.]+ \([\d,]+%\) van € 40\.000,00 &#x3D; € [\d.]+,\d\d/);
  // Settling the current year is refused in Dutch before the year has ended.
  await finance.post(`/bijdragen/producten/${P}/werkelijke-kosten`, { year: String(YEAR), actual: '78.500,00' });
  const settle = await finance.post(`/bijdragen/producten/${P}/afrekeningen`, { year: String(YEAR) });
  expect(settle.status).toBe(409);
  expect(settle.html).toContain(`Het jaar ${YEAR} is nog niet afgelopen. Afrekenen kan vanaf 01-01-${YEAR + 1}.`);
  expect(await env.models.ContributionStep.countDocuments()).toBe(0);
});

test('a participant checks its own share: the same figure as the centre invoices, with the key figures, the fixed share of others and the days', async () => {
  const centre = await env.api('GET', `/api/contributions/products/${P}/preview?year=${YEAR}`, { token: await env.token('dbc-finance') });
  const papShare = (centre.body.allocation.shares as { participant: string; totalCents: number }[]).find((x) => x.participant === 'PAP')!;
  const token = await env.token('pap-finance');
  const mine = await env.api('GET', `/api/contributions/products/${P}/my-share?year=${YEAR}`, { token });
  expect(mine.status).toBe(200);
  expect(mine.body.share.totalCents).toBe(papShare.totalCents);
  expect(mine.body.budget.totalCents).toBe(8_000_000);
  expect(mine.body.others.fixed).toEqual([{ participant: 'DOR', name: 'Gemeente Dordrecht', cents: 4_000_000 }]);
  expect(mine.body.share.days).toBe(mine.body.yearDays);
  // The key figure with its version and source, and every participant's figure (public data).
  expect(mine.body.keyFigures[0]).toMatchObject({ name: 'inwoners', version: 1 });
  expect(mine.body.keyFigures[0].figures).toHaveLength(7);
  expect(mine.body.keyFigures[0].figures.filter((f: { own: boolean }) => f.own).map((f: { participant: string }) => f.participant)).toEqual(
    ['PAP'],
  );
  // The next advance, before it is invoiced.
  expect(mine.body.nextAdvance).toMatchObject({ instalment: 1 });
  expect(mine.body.nextAdvance.amountCents).toBeGreaterThan(0);

  const web = await signedIn(env, 'pap-requester');
  const overview = await web.get('/bijdragen');
  expect(overview.html).toContain(`/bijdragen/producten/${P}/mijn-aandeel?jaar=${YEAR}`);
  const page = await web.get(`/bijdragen/producten/${P}/mijn-aandeel?jaar=${YEAR}`);
  expect(page.status).toBe(200);
  expect(page.html).toMatch(new RegExp(`id="own-share">${formatEuro(papShare.totalCents).replace(/\./g, '\\.')}<`));
  expect(page.html).toContain('Gemeente Dordrecht € 40.000,00');
  expect(page.html).toContain('Het volgende voorschot (1 van');
  // The centre's full preview stays the centre's.
  expect((await web.get(`/bijdragen/producten/${P}/verdeling?jaar=${YEAR}`)).status).toBe(403);
  // A municipality that does not take part: not found.
  const casus = await env.api('GET', `/api/contributions/products/DBC-LP-CASUS/my-share?year=${YEAR}`, {
    token: await env.token('hia-finance'),
  });
  expect(casus.status).toBe(404);
});

test('a CBS import with a bad row shows the row number and imports nothing; a good file upload imports one version', async () => {
  const admin = await signedIn(env, 'region-admin');
  const before = await env.models.KeyFigureVersion.countDocuments();
  await admin.get('/bijdragen/kengetallen');
  const csv = ['"RegioS";"Perioden";"BevolkingOp1Januari_1"', '"GM0505    ";"2026JJ00";"121000"', '"GM0642    ";"2026JJ00";"veel"'].join(
    '\n',
  );
  const bad = await admin.post('/bijdragen/kengetallen/import', { name: 'inwoners', referenceDate: `${YEAR}-01-01`, csv });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('Het bestand heeft 1 foute regel; er is niets ingelezen.');
  expect(bad.html).toContain('Regel 3: het getal van GM0642 moet een geheel getal van 0 of meer zijn (gevonden: &quot;veel&quot;)');
  expect(bad.html).toContain('value="inwoners"'); // what was typed is kept
  expect(await env.models.KeyFigureVersion.countDocuments()).toBe(before);

  const page = await admin.get('/bijdragen/kengetallen');
  const good = csv.replace('"veel"', '"45000"');
  const upload = await postMultipart(
    admin,
    '/bijdragen/kengetallen/import',
    csrfOf(page.html),
    { name: 'inwoners', referenceDate: `${YEAR}-01-01`, csv: '' },
    { name: 'file', text: good },
  );
  expect(upload.status).toBe(303);
  expect(await env.models.KeyFigureVersion.countDocuments()).toBe(before + 1);
  const after = await admin.get('/bijdragen/kengetallen');
  expect(after.html).toContain('Versie 2 van &quot;inwoners&quot; is ingelezen.');
  expect(after.html).toContain('inwoners, versie 2');
  // Without the token the upload is refused, nothing written.
  const forged = await postMultipart(
    admin,
    '/bijdragen/kengetallen/import',
    'x'.repeat(43),
    { name: 'inwoners', referenceDate: `${YEAR}-01-01` },
    { name: 'file', text: good },
  );
  expect(forged.status).toBe(403);
  expect(await env.models.KeyFigureVersion.countDocuments()).toBe(before + 1);
  // A file over the 1 MB limit is refused before anything is read into the import.
  const huge = await postMultipart(
    admin,
    '/bijdragen/kengetallen/import',
    csrfOf(page.html),
    { name: 'inwoners', referenceDate: `${YEAR}-01-01` },
    { name: 'file', text: `${good}\n${'"GM0505    ";"2026JJ00";"121000"\n'.repeat(40_000)}` },
  );
  expect(huge.status).toBe(413);
  expect(huge.html).toContain('Te groot');
  expect(await env.models.KeyFigureVersion.countDocuments()).toBe(before + 1);
  // Remove the extra version again so the other tests keep the seed's figures.
  await env.models.KeyFigureVersion.deleteOne({ _id: 'DBC:inwoners:v2' });
});

test('an overlapping participation is refused on the form in Dutch, with the input kept', async () => {
  const admin = await signedIn(env, 'region-admin');
  await admin.get(`/bijdragen/producten/${P}`);
  const res = await admin.post(`/bijdragen/producten/${P}/deelnames`, {
    participant: 'ZWN',
    from: `${YEAR}-06-01`,
    to: '',
    orderReference: 'ZWN-extra',
  });
  expect(res.status).toBe(409);
  expect(res.html).toContain(
    `id="from-error">Deze deelname overlapt met de deelname van Gemeente Zwijndrecht van 01-01-${YEAR} zonder einddatum.</p>`,
  );
  expect(res.html).toContain(`value="${YEAR}-06-01"`);
  expect(res.html).toContain('value="ZWN-extra"');
  expect(res.html).toMatch(/<option value="ZWN" selected>/);
  expect(await env.models.Participation.countDocuments({ product: P, participant: 'ZWN' })).toBe(1);
  const missing = await admin.post(`/bijdragen/producten/${P}/deelnames`, { participant: '', from: 'gisteren' });
  expect(missing.status).toBe(400);
  expect(missing.html).toContain('id="participant-error">Kies een gemeente.</p>');
  expect(missing.html).toContain('id="from-error">Vul een geldige begindatum in (dd-mm-jjjj).</p>');
  // Centre finance may see the product but not change participation.
  const finance = await signedIn(env, 'dbc-finance');
  const page = await finance.get(`/bijdragen/producten/${P}`);
  expect(page.status).toBe(200);
  expect(page.html).not.toContain('Deelnemer toevoegen');
});

test('POSTs without the CSRF token are refused and change nothing', async () => {
  const finance = await signedIn(env, 'dbc-finance');
  await finance.get(`/bijdragen/producten/${P}/verdeling?jaar=${YEAR}`);
  const res = await fetch(`${env.baseUrl}/bijdragen/producten/${P}/voorschotten`, {
    method: 'POST',
    headers: {
      cookie: [...finance.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ year: String(YEAR) }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(403);
  expect(await res.text()).toContain('Formulier verlopen');
  expect(await env.models.ContributionStep.countDocuments()).toBe(0);
});

test("after the first advance a participant sees only its own share, invoices and report rows; another's invoice is 404", async () => {
  const finance = await signedIn(env, 'dbc-finance');
  await finance.get(`/bijdragen/producten/${P}/verdeling?jaar=${NEXT}`);
  const started = await finance.post(`/bijdragen/producten/${P}/voorschotten`, { year: String(NEXT) });
  expect(started.status).toBe(303);
  await env.client.workflow.getHandle(contributionStepWorkflowId(P, NEXT, 'advance', 1)).result();
  const zwnInvoice = `${P}-${NEXT}-A1-ZWN`;
  const papInvoice = `${P}-${NEXT}-A1-PAP`;
  await waitFor(
    'advance invoices',
    () => env.models.Invoice.countDocuments({ _id: { $in: [zwnInvoice, papInvoice] }, status: { $ne: 'draft' } }),
    (n) => n === 2,
  );
  const steps = await finance.get(`/bijdragen/producten/${P}/verdeling?jaar=${NEXT}`);
  expect(steps.html).toContain(`Voorschot 1 van 4`);
  expect(steps.html).toContain(`href="/facturen/${zwnInvoice}"`);

  const pap = await signedIn(env, 'pap-finance');
  const own = await pap.get(`/bijdragen?jaar=${NEXT}`);
  expect(own.status).toBe(200);
  expect(own.html).toContain(`href="/facturen/${papInvoice}"`);
  expect(own.html).not.toContain(zwnInvoice);
  const papShare = (
    await env.api('GET', `/api/contributions/reports?year=${NEXT}`, { token: await env.token('pap-finance') })
  ).body.rows.find((r: { product: string }) => r.product === P).budgetCents as number;
  expect(own.html).toContain(`<strong class="own-share">${formatEuro(papShare)}</strong>`);
  expect(own.html).not.toContain('Zwijndrecht');

  const report = await pap.get(`/bijdragen/rapportage?jaar=${NEXT}`);
  expect(report.html).toContain('data-participant="PAP"');
  expect(report.html).not.toMatch(/data-participant="(?!PAP)/);
  expect(report.html).not.toContain('Totalen per product');
  const csv = await pap.get(`/bijdragen/rapportage.csv?jaar=${NEXT}`);
  expect(csv.status).toBe(200);
  const lines = csv.html.trim().split('\n');
  expect(lines[0]).toBe('jaar,product,deelnemer,begroting,voorschotten,werkelijk,afrekening,betaald,openstaand');
  expect(lines.slice(1).every((l) => l.split(',')[2] === 'PAP')).toBe(true);

  const other = await pap.get(`/facturen/${zwnInvoice}`);
  expect(other.status).toBe(404);
  expect(other.html).toContain('Niet gevonden');
  // Nor the centre's pages.
  expect((await pap.get(`/bijdragen/producten/${P}/verdeling?jaar=${NEXT}`)).status).toBe(403);
  expect((await pap.get('/bijdragen/kengetallen')).status).toBe(403);
});
