// The shared centre's money (scenario 2) through the API, on real Temporal and FerretDB:
// participation, key figures from a CBS table, the allocation preview, advances, a budget
// amendment, the settlement, reports, a merger, and the growth model's service transfer.
import { parse } from 'csv-parse/sync';
import {
  contributionScheduleId,
  contributionStepWorkflowId,
  invoiceRunWorkflowId,
  invoiceWorkflowId,
  type ContributionStepResult,
  type InvoiceState,
} from '../../contracts';
import { daysInclusive } from '../../domain/dates';
import { centsToDecimal, formatEuro } from '../../domain/money';
import { ensureContributionSchedules } from '../../lib/schedules';
import { seedContributions } from '../support/contributions';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';
import { pdfText } from '../support/pdf';
import { validateUbl } from '../support/ubl-validate';

let env: TestEnv;
const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });
const get = (path: string, token: string) => env.api('GET', path, { token });

const THIS_YEAR = Number(today().slice(0, 4));
const Y = THIS_YEAR - 1; // an ended year: advances, then the settlement
const P = 'DBC-LP-BASIS';
const SEED_SHARES = { DOR: 4_000_000, ZWN: 1_177_398, PAP: 801_577, HIA: 643_890, SLI: 630_749, ALB: 496_715, GRA: 249_671 };
const CBS_CSV = [
  '"RegioS";"Perioden";"BevolkingOp1Januari_1"',
  '"GM0505    ";"2004JJ00";"119500"',
  '"GM0642    ";"2004JJ00";"44800"',
  '"GM0590    ";"2004JJ00";"30500"',
  '"GM0531    ";"2004JJ00";"24500"',
  '"GM0610    ";"2004JJ00";"24000"',
  '"GM0482    ";"2004JJ00";"18900"',
  '"GM0693    ";"2004JJ00";"9500"',
  '"GM0363    ";"2004JJ00";"736500"',
].join('\n');

async function finished(workflowId: string): Promise<ContributionStepResult> {
  return env.client.workflow.getHandle(workflowId).result();
}

describe('contributions to the shared centre', () => {
  let admin: string;
  let fin: string;
  let zwn: string;
  let pap: string;
  const counts = async () => ({
    versions: await env.models.KeyFigureVersion.countDocuments(),
    participations: await env.models.Participation.countDocuments(),
    budgets: await env.models.ContributionBudget.countDocuments(),
    steps: await env.models.ContributionStep.countDocuments(),
    invoices: await env.models.Invoice.countDocuments(),
  });

  beforeAll(async () => {
    env = await createTestEnv();
    admin = await env.token('region-admin');
    fin = await env.token('dbc-finance');
    zwn = await env.token('zwn-finance');
    pap = await env.token('pap-finance');
  });
  afterAll(() => env.close());

  test('the centre sets up a product, participation, key figures from a CBS table and a budget', async () => {
    const product = await post('/api/contributions/products', admin, {
      _id: P,
      name: 'Leerplichtadministratie (regionaal)',
      serviceLevel: 'basis',
      serviceIds: ['DBC-LEERPLICHT'],
      rules: { fixed: { DOR: 4_000_000 }, rest: [{ by: 'keyFigure', name: 'inwoners' }] },
    });
    expect(product.status).toBe(201);
    expect((await post('/api/contributions/products', zwn, { _id: 'ZWN-X', name: 'x', rules: { rest: [] } })).status).toBe(403);
    // An admin of a municipality is not a shared centre: no products, key figures or mergers of its own.
    await env.models.User.create({
      _id: 'dor-admin',
      name: 'Beheer Dordrecht',
      email: 'dor-admin@demo.eenvoud.nl',
      memberships: [{ org: 'DOR', roles: ['admin'] }],
      skills: [],
    });
    const dorAdmin = await env.token('dor-admin');
    const counts = async () => [await env.models.ContributionProduct.countDocuments(), await env.models.KeyFigureVersion.countDocuments()];
    const before = await counts();
    const refused = await post('/api/contributions/products', dorAdmin, { _id: 'DOR-X', name: 'x', rules: { rest: [] } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/shared centre/);
    expect((await get('/api/contributions/key-figures', dorAdmin)).status).toBe(403);
    expect(await counts()).toEqual(before);
    for (const participant of Object.keys(SEED_SHARES)) {
      const r = await post(`/api/contributions/products/${P}/participations`, admin, { participant, from: `${Y}-01-01` });
      expect(r.status).toBe(201);
    }
    const imported = await post('/api/contributions/key-figures/import', admin, {
      name: 'inwoners',
      referenceDate: '2004-01-01',
      csv: CBS_CSV,
    });
    expect(imported.status).toBe(201);
    expect(imported.body.version).toMatchObject({ _id: 'DBC:inwoners:v1', figures: { DOR: 119_500, GRA: 9_500 }, source: 'csv' });
    expect(imported.body.skipped).toEqual([{ row: 9, region: 'GM0363' }]);
    expect((await post(`/api/contributions/products/${P}/budgets`, fin, { year: Y, budgetCents: 8_000_000 })).status).toBe(201);
  });

  test("the preview shows the seed's example: EUR 80,000, DOR fixed 40,000, the rest by population, and explains each share", async () => {
    const before = await counts();
    const res = await get(`/api/contributions/products/${P}/preview?year=${Y}`, fin);
    expect(res.status).toBe(200);
    const shares = Object.fromEntries(
      res.body.allocation.shares.map((s: { participant: string; totalCents: number }) => [s.participant, s.totalCents]),
    );
    expect(shares).toEqual(SEED_SHARES);
    expect(res.body.allocation.keyFigureVersions).toEqual(['DBC:inwoners:v1']);
    expect(res.body.allocation.shares.find((s: { participant: string }) => s.participant === 'ZWN').explanation).toMatch(
      /44800 inwoners × 365 days \(DBC:inwoners:v1\): 16352000 \/ 55553000 of 4000000 ct/,
    );
    expect(res.body.lines.find((l: { participant: string }) => l.participant === 'ZWN')).toMatchObject({
      kind: 'invoice',
      amountCents: 294_349,
    });
    expect(await counts()).toEqual(before); // a preview writes nothing
    // Participants do not see the preview of the others' shares.
    expect((await get(`/api/contributions/products/${P}/preview?year=${Y}`, zwn)).status).toBe(403);
  });

  describe('bad input gets a problem+json error and changes nothing', () => {
    test('a CSV with bad rows: every bad row with its number, nothing imported', async () => {
      const before = await counts();
      const csv = 'Regio;Inwoners\nGM0505;119500\nGM0642;veel\nGM0505;1\n';
      const res = await post('/api/contributions/key-figures/import', admin, { name: 'inwoners', referenceDate: '2005-01-01', csv });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ field: 'csv', detail: 'the CSV has 2 bad row(s); nothing was imported' });
      expect(res.body.code).toBe('csv_rows_invalid');
      expect(res.body.params.rows.map((e: { row: number }) => e.row)).toEqual([3, 4]);
      expect(await counts()).toEqual(before);
    });
    test('a participation that overlaps its own earlier participation: 409', async () => {
      const before = await counts();
      const res = await post(`/api/contributions/products/${P}/participations`, admin, { participant: 'ZWN', from: `${Y}-06-01` });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/ZWN already participates in DBC-LP-BASIS from/);
      expect(await counts()).toEqual(before);
    });
    test('fixed shares that exceed the budget: 400', async () => {
      const before = await counts();
      const res = await post(`/api/contributions/products/${P}/budgets`, fin, { year: Y, budgetCents: 3_999_999 });
      expect(res.status).toBe(400);
      // The budget is too small for the fixed shares: refused on the amount, with the rule's code.
      expect(res.body).toMatchObject({ field: 'budgetCents', code: 'fixed_exceeds_total', params: { totalCents: 3_999_999 } });
      expect(await counts()).toEqual(before);
    });
    test('a key figure missing for a participant: 400 naming it, for the preview and for an advance', async () => {
      await post('/api/contributions/products', admin, {
        _id: 'DBC-LP-LEERLINGEN',
        name: 'Leerplicht naar leerlingen',
        rules: { rest: [{ by: 'keyFigure', name: 'leerlingen' }] },
      });
      for (const participant of ['ZWN', 'GRA'])
        await post('/api/contributions/products/DBC-LP-LEERLINGEN/participations', admin, { participant, from: `${Y}-01-01` });
      await post('/api/contributions/key-figures', admin, { name: 'leerlingen', referenceDate: `${Y}-01-01`, figures: { ZWN: 6_700 } });
      expect((await post('/api/contributions/products/DBC-LP-LEERLINGEN/budgets', fin, { year: Y, budgetCents: 100_000 })).status).toBe(
        201,
      );
      const before = await counts();
      const preview = await get(`/api/contributions/products/DBC-LP-LEERLINGEN/preview?year=${Y}`, fin);
      expect(preview.status).toBe(400);
      expect(preview.body).toMatchObject({ field: 'keyFigures' });
      expect(preview.body.detail).toMatch(/key figure "leerlingen" is missing for GRA/);
      const advance = await post('/api/contributions/products/DBC-LP-LEERLINGEN/advances', fin, { year: Y });
      expect(advance.status).toBe(400);
      expect(await counts()).toEqual(before);
    });
    test('two overlapping joins at the same moment: exactly one 201 and one 409', async () => {
      for (const [participant, from, other] of [
        ['PAP', `${Y}-01-01`, `${Y}-03-01`],
        ['HIA', `${Y}-02-01`, `${Y}-02-01`],
      ] as const) {
        const results = await Promise.all([
          post('/api/contributions/products/DBC-LP-LEERLINGEN/participations', admin, { participant, from }),
          post('/api/contributions/products/DBC-LP-LEERLINGEN/participations', admin, { participant, from: other }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
        expect(await env.models.Participation.countDocuments({ product: 'DBC-LP-LEERLINGEN', participant })).toBe(1);
      }
      expect(await env.models.KeyLock.countDocuments()).toBe(0); // every lock released
    });
    test('a settlement for a year that has not ended: 409', async () => {
      await post(`/api/contributions/products/${P}/budgets`, fin, { year: THIS_YEAR, budgetCents: 8_000_000 });
      await post(`/api/contributions/products/${P}/actuals`, fin, { year: THIS_YEAR, actualCents: 8_000_000 });
      const before = await counts();
      const res = await post(`/api/contributions/products/${P}/settlements`, fin, { year: THIS_YEAR });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'year_not_ended', params: { year: THIS_YEAR } });
      expect(await counts()).toEqual(before);
    });
  });

  describe('advances, a budget amendment and the settlement', () => {
    let a1: ContributionStepResult;

    test('the first advance invoices a quarter of every provisional contribution, numbered gap-free, each as an invoice workflow', async () => {
      const res = await post(`/api/contributions/products/${P}/advances`, fin, { year: Y });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ instalment: 1, alreadyStarted: false });
      a1 = await finished(res.body.workflowId);
      expect(a1.invoiceIds).toHaveLength(7);
      const invoices = await env.models.Invoice.find({ _id: { $in: a1.invoiceIds } }).lean();
      expect(invoices.map((i) => i.number).sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `DBC-${THIS_YEAR}-0000${n}`));
      const zwnInvoice = invoices.find((i) => i.buyer === 'ZWN')!;
      expect(zwnInvoice).toMatchObject({
        kind: 'invoice',
        provider: 'DBC',
        period: `${Y}-Q1`,
        netCents: 294_349,
        grossCents: 294_349,
        status: 'issued',
      });
      expect(invoices.find((i) => i.buyer === 'DOR')!.netCents).toBe(1_000_000);
      const state: InvoiceState = await env.client.workflow.getHandle(invoiceWorkflowId(zwnInvoice._id)).query('getInvoiceState');
      expect(state).toMatchObject({ status: 'issued', outstandingCents: 294_349 });
      await recordHistory(env, res.body.workflowId, 'contribution-advance');
    });

    test('running the same advance again invoices nothing twice', async () => {
      const before = await counts();
      const again = await post(`/api/contributions/products/${P}/advances`, fin, { year: Y, instalment: 1 });
      expect(again.status).toBe(202);
      expect(again.body.alreadyStarted).toBe(true);
      expect(await counts()).toEqual(before);
    });

    test('a contribution invoice bills no hours, so an hour correction on it is refused and changes nothing', async () => {
      const id = a1.invoiceIds.find((i) => i.endsWith('-ZWN'))!;
      const entries = await env.models.TimeEntry.countDocuments();
      const res = await post(`/api/invoices/${id}/corrections`, fin, { requestId: P, date: `${Y}-01-15`, minutes: 60, description: 'x' });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(await env.models.TimeEntry.countDocuments()).toBe(entries);
    });

    test('the same figure in the API, the HTML, the PDF and the UBL, which passes the official rules', async () => {
      const id = a1.invoiceIds.find((i) => i.endsWith('-ZWN'))!;
      const api = await get(`/api/invoices/${id}`, zwn);
      expect(api.body.grossCents).toBe(294_349);
      const html = await fetch(`${env.baseUrl}/api/invoices/${id}/document.html`, { headers: { authorization: `Bearer ${zwn}` } });
      const page = await html.text();
      const pdf = await fetch(`${env.baseUrl}/api/invoices/${id}/document.pdf`, { headers: { authorization: `Bearer ${zwn}` } });
      const text = (await pdfText(Buffer.from(await pdf.arrayBuffer()))).replace(/\s+/g, ' ');
      // A contribution line says what it is for and its amount; it has no hours and no rate.
      const description = `Voorschot Leerplichtadministratie (regionaal) ${Y}-Q1 (termijn 1 van 4; voorlopige bijdrage ${Y}:`;
      for (const doc of [page, text]) {
        expect(doc).toContain('2.943,49');
        expect(doc).toContain(description);
        expect(doc).not.toContain('0:00');
        expect(doc).not.toMatch(/Uren|Tarief/);
      }
      expect(page).toMatch(/<td class="num">[^<]*2\.943,49<\/td><td>O<\/td>/);
      expect(page).not.toContain('NaN');
      const ubl = await (await fetch(`${env.baseUrl}/api/invoices/${id}/ubl.xml`, { headers: { authorization: `Bearer ${zwn}` } })).text();
      expect(ubl).toContain('<cbc:PayableAmount currencyID="EUR">2943.49</cbc:PayableAmount>');
      expect(ubl).toContain('<cbc:LineExtensionAmount currencyID="EUR">2943.49</cbc:LineExtensionAmount>');
      const result = await validateUbl(ubl, 'Invoice');
      expect({ xsd: result.xsdErrors, fatal: result.fatal.map((f) => `${f.rule}: ${f.text}`) }).toEqual({ xsd: [], fatal: [] });
    }, 120_000);

    test('reconciliation matches a contribution line against the recorded step, not against a request', async () => {
      const id = a1.invoiceIds.find((i) => i.endsWith('-ZWN'))!;
      const res = await get(`/api/invoices/${id}/reconciliation`, zwn);
      expect(res.status).toBe(200);
      expect(res.body.lines).toHaveLength(1);
      expect(res.body.lines[0]).toMatchObject({
        lineNo: 1,
        amountCents: 294_349,
        match: 'contribution',
        contribution: {
          stepId: `${P}:${Y}:A1`,
          kind: 'advance',
          instalment: 1,
          instalments: 4,
          contributionCents: 1_177_398,
          invoicedBeforeCents: 0,
          plannedCents: 294_349,
        },
      });
    });

    test('one municipality cannot see another one’s contribution invoice', async () => {
      const id = a1.invoiceIds.find((i) => i.endsWith('-ZWN'))!;
      expect((await get(`/api/invoices/${id}`, pap)).status).toBe(404);
      expect((await get(`/api/invoices/${id}/document.pdf`, pap)).status).toBe(404);
      expect((await post(`/api/invoices/${id}/payments`, pap, { amountCents: 1, date: today() })).status).toBe(404);
    });

    test('a budget amendment changes only the advances not yet invoiced, and the advances add up to the new contribution', async () => {
      expect(
        (await post(`/api/contributions/products/${P}/budgets`, fin, { year: Y, budgetCents: 8_800_000, reason: 'extra formatie' })).status,
      ).toBe(201);
      const preview = await get(`/api/contributions/products/${P}/preview?year=${Y}`, fin);
      const zwnLine = preview.body.lines.find((l: { participant: string }) => l.participant === 'ZWN');
      // new yearly share of ZWN: 4,800,000 × 44,800 / 152,200 = 1,412,877.8 → 1,412,878 (largest remainder)
      expect(zwnLine).toMatchObject({
        contributionCents: 1_412_878,
        invoicedBeforeCents: 294_349,
        amountCents: Math.floor((1_412_878 - 294_349) / 3),
      });
      for (let k = 2; k <= 4; k++) {
        const res = await post(`/api/contributions/products/${P}/advances`, fin, { year: Y });
        expect(res.body.instalment).toBe(k);
        await finished(res.body.workflowId);
      }
      const paid = await env.models.Invoice.find({ buyer: 'ZWN', provider: 'DBC', kind: 'invoice' }).lean();
      expect(paid.reduce((s, i) => s + i.netCents, 0)).toBe(1_412_878);
      expect(paid[0]!.netCents).toBe(294_349); // the invoiced advance did not change
      const fifth = await post(`/api/contributions/products/${P}/advances`, fin, { year: Y }); // there is no fifth
      expect(fifth.status).toBe(409);
      expect(fifth.body).toMatchObject({ code: 'all_advances_invoiced', params: { instalments: 4, year: Y } });
    });

    test('the settlement: a credit note (381) for each participant whose definitive contribution is lower; DOR’s fixed share needs none', async () => {
      await post(`/api/contributions/products/${P}/actuals`, fin, { year: Y, actualCents: 8_500_000 });
      const res = await post(`/api/contributions/products/${P}/settlements`, fin, { year: Y });
      expect(res.status).toBe(202);
      const result = await finished(res.body.workflowId);
      await recordHistory(env, res.body.workflowId, 'contribution-settlement');
      expect(result.invoiceIds).toEqual([]);
      expect(result.creditNoteIds.map((id) => id.slice(-3)).sort()).toEqual(['ALB', 'GRA', 'HIA', 'PAP', 'SLI', 'ZWN']);
      const note = (await env.models.Invoice.findById(`${P}-${Y}-S-ZWN`).lean())!;
      // definitive: 4,500,000 × 44,800 / 152,200 = 1,324,572.9 → 1,324,573; advances 1,412,878
      expect(note).toMatchObject({ kind: 'credit_note', netCents: 1_412_878 - 1_324_573, status: 'issued' });
      expect(note.creditedInvoiceId).toBe(`${P}-${Y}-A4-ZWN`);
      const ubl = await (
        await fetch(`${env.baseUrl}/api/invoices/${note._id}/ubl.xml`, { headers: { authorization: `Bearer ${zwn}` } })
      ).text();
      expect(ubl).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
      const noteAmount = formatEuro(1_412_878 - 1_324_573);
      const notePdf = await fetch(`${env.baseUrl}/api/invoices/${note._id}/document.pdf`, { headers: { authorization: `Bearer ${zwn}` } });
      const noteText = (await pdfText(Buffer.from(await notePdf.arrayBuffer()))).replace(/\s+/g, ' ');
      const noteHtml = await (
        await fetch(`${env.baseUrl}/api/invoices/${note._id}/document.html`, { headers: { authorization: `Bearer ${zwn}` } })
      ).text();
      for (const doc of [noteText, noteHtml]) {
        expect(doc).toContain(noteAmount);
        expect(doc).toContain(`Afrekening Leerplichtadministratie (regionaal) ${Y}: definitieve bijdrage`);
        expect(doc).not.toContain('0:00');
      }
      expect(ubl).toContain(`<cbc:PayableAmount currencyID="EUR">${centsToDecimal(1_412_878 - 1_324_573)}</cbc:PayableAmount>`);
      const result381 = await validateUbl(ubl, 'CreditNote');
      expect({ xsd: result381.xsdErrors, fatal: result381.fatal.map((f) => `${f.rule}: ${f.text}`) }).toEqual({ xsd: [], fatal: [] });
      // Settling again changes nothing; the year takes no more budget changes.
      const before = await counts();
      expect((await post(`/api/contributions/products/${P}/settlements`, fin, { year: Y })).body.alreadyStarted).toBe(true);
      expect((await post(`/api/contributions/products/${P}/budgets`, fin, { year: Y, budgetCents: 1 })).status).toBe(409);
      expect(await counts()).toEqual(before);
    }, 120_000);

    test('reports per participant and product, with payments; a participant sees only its own rows, also as CSV', async () => {
      const firstId = a1.invoiceIds.find((i) => i.endsWith('-ZWN'))!;
      expect(
        (await post(`/api/invoices/${firstId}/payments`, zwn, { amountCents: 294_349, date: today(), reference: 'BNG-9' })).status,
      ).toBe(201);
      const centre = await get(`/api/contributions/reports?year=${Y}`, fin);
      expect(centre.status).toBe(200);
      expect(centre.body.rows.filter((r: { product: string }) => r.product === P)).toHaveLength(7);
      expect(centre.body.rows.find((r: { product: string; participant: string }) => r.product === P && r.participant === 'ZWN')).toEqual({
        product: P,
        participant: 'ZWN',
        year: Y,
        budgetCents: 1_412_878,
        advancesCents: 1_412_878,
        actualCents: 1_324_573,
        settlementCents: -(1_412_878 - 1_324_573),
        paidCents: 294_349,
        outstandingCents: 1_412_878 - 294_349,
      });
      expect(centre.body.products.find((r: { product: string }) => r.product === P)).toMatchObject({
        participant: null,
        budgetCents: 8_800_000,
        advancesCents: 8_800_000,
        actualCents: 8_500_000,
        settlementCents: -300_000,
      });
      const own = await get(`/api/contributions/reports?year=${Y}`, zwn);
      expect(own.body.rows.map((r: { participant: string }) => r.participant)).toEqual(['ZWN']);
      expect(own.body.products).toEqual([]);
      const csv = await fetch(`${env.baseUrl}/api/contributions/reports.csv?year=${Y}`, { headers: { authorization: `Bearer ${pap}` } });
      const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
      expect(rows.every((r) => r.deelnemer === 'PAP')).toBe(true);
      expect(rows.find((r) => r.product === P)).toMatchObject({ deelnemer: 'PAP', voorschotten: expect.stringMatching(/^\d+\.\d{2}$/) });
      expect(
        (await get(`/api/contributions/participations`, pap)).body.every((p: { participant: string }) => p.participant === 'PAP'),
      ).toBe(true);
    });
  });

  test('a merger moves participation and key figures to the merged municipality from its date', async () => {
    const date = `${THIS_YEAR}-07-01`;
    const res = await post('/api/contributions/mergers', admin, { into: 'ALB', merged: ['GRA'], date });
    expect(res.status).toBe(201);
    expect(res.body.ended).toEqual(expect.arrayContaining([`${P}:GRA:${Y}-01-01`]));
    const v = await env.models.KeyFigureVersion.findOne({ name: 'inwoners', referenceDate: date }).lean();
    expect(v!.figures).toMatchObject({ ALB: 18_900 + 9_500 });
    expect((v!.figures as Record<string, number>).GRA).toBeUndefined();
    const preview = await get(`/api/contributions/products/${P}/preview?year=${THIS_YEAR}`, fin);
    const shares = Object.fromEntries(preview.body.allocation.shares.map((s: { participant: string }) => [s.participant, s]));
    // 1 January to 30 June: 181 days, 182 in a leap year; 1 July to 31 December: always 184.
    const before = daysInclusive(`${THIS_YEAR}-01-01`, `${THIS_YEAR}-06-30`);
    expect(before).toBe(THIS_YEAR % 4 === 0 && (THIS_YEAR % 100 !== 0 || THIS_YEAR % 400 === 0) ? 182 : 181);
    expect(shares.GRA.days).toBe(before);
    expect(shares.ALB.explanation).toMatch(new RegExp(`18900 inwoners × ${before} days .* \\+ 28400 inwoners × 184 days`));
  });

  test('the Temporal Schedule of the centre invoices every advance that has started, in order, once', async () => {
    expect(await ensureContributionSchedules(env.client, env.models, env.taskQueue)).toEqual(['DBC']);
    await env.client.schedule.getHandle(contributionScheduleId('DBC')).delete();
    const handle = await env.client.workflow.start('scheduledContributionAdvancesWorkflow', {
      workflowId: `scheduled-contributions-${THIS_YEAR}`,
      taskQueue: env.taskQueue,
      args: [{ provider: 'DBC' }],
    });
    const started: string[] = await handle.result();
    const due = Math.floor((Number(today().slice(5, 7)) - 1) / 3) + 1;
    expect(started).toEqual(Array.from({ length: due }, (_, i) => contributionStepWorkflowId(P, THIS_YEAR, 'advance', i + 1)));
    await recordHistory(env, handle.workflowId, 'contribution-scheduled-advances');
    const again = await env.client.workflow.execute('scheduledContributionAdvancesWorkflow', {
      workflowId: `scheduled-contributions-${THIS_YEAR}-again`,
      taskQueue: env.taskQueue,
      args: [{ provider: 'DBC' }],
    });
    expect(again).toEqual([]);
  });
});

describe('growth model: a service moves from the centre municipality to the shared centre', () => {
  let t: StoryTokens;
  let admin: string;
  beforeAll(async () => {
    env = await createTestEnv();
    t = await storyTokens(env);
    admin = await env.token('region-admin');
  });
  afterAll(() => env.close());

  /** A request of `requester` under the centre's service, done with the given minutes (approved on acceptance). */
  async function centreRequest(requester: string, minutes: number[]) {
    const call = async (path: string, token: string, body: object = {}) => {
      const r = await post(path, token, body);
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const coordinator = await env.token('dbc-coordinator');
    const staff = await env.token('dbc-staff');
    const { requestId: id, provider } = await call('/api/requests', requester, { serviceId: 'DOR-LEERPLICHT', title: 'Casus' });
    expect(provider).toBe('DBC');
    await call(`/api/requests/${id}/accept-intake`, coordinator, { estimateMinutes: 600 });
    await call(`/api/requests/${id}/assign`, coordinator, { assignee: 'dbc-staff' });
    for (const m of minutes) await call(`/api/requests/${id}/time-entries`, staff, { date: today(), minutes: m, description: 'Casus' });
    await call(`/api/requests/${id}/submit-result`, staff, { reference: 'R', notes: '' });
    await call(`/api/requests/${id}/review`, coordinator, { approved: true });
    expect((await call(`/api/requests/${id}/accept-result`, requester)).status).toBe('completed');
    return id as string;
  }

  test('new requests go to the centre; the open one finishes under Dordrecht, which bills it; agreements move with history', async () => {
    const open = await requestUpTo(env, t, 'in_progress');
    expect(
      (await post('/api/service-transfers', t.coordinator, { serviceId: 'DOR-LEERPLICHT', to: 'DBC', effectiveDate: today() })).status,
    ).toBe(403);
    expect(
      (
        await post('/api/service-transfers', admin, {
          serviceId: 'DOR-LEERPLICHT',
          to: 'DBC',
          effectiveDate: today(),
          financing: 'gratis',
        })
      ).status,
    ).toBe(400);
    // The centre finances the moved participants by contribution only.
    const res = await post('/api/service-transfers', admin, {
      serviceId: 'DOR-LEERPLICHT',
      to: 'DBC',
      effectiveDate: today(),
      targetServiceId: 'DBC-LEERPLICHT',
      financing: 'contribution',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      from: 'DOR',
      to: 'DBC',
      effectiveDate: today(),
      targetServiceId: 'DBC-LEERPLICHT',
      financing: 'contribution',
    });
    expect(res.body.agreements).toContainEqual({ from: 'DVO-ZWN-DOR-LEERPLICHT', to: 'DVO-ZWN-DOR-LEERPLICHT-DBC' });
    const [oldAgreement, newAgreement] = await Promise.all([
      env.models.Agreement.findById('DVO-ZWN-DOR-LEERPLICHT').lean(),
      env.models.Agreement.findById('DVO-ZWN-DOR-LEERPLICHT-DBC').lean(),
    ]);
    expect(oldAgreement!.validTo < today()).toBe(true); // history kept, ended the day before
    expect(newAgreement).toMatchObject({
      provider: 'DBC',
      serviceIds: ['DBC-LEERPLICHT'],
      validFrom: today(),
      orderReference: oldAgreement!.orderReference,
      hourBilling: false,
    });
    expect(oldAgreement!.hourBilling).toBe(true);
    // A second, different transfer of the same service is refused (another date, or other financing).
    expect(
      (await post('/api/service-transfers', admin, { serviceId: 'DOR-LEERPLICHT', to: 'DBC', effectiveDate: '2099-01-01' })).status,
    ).toBe(409);
    expect(
      (
        await post('/api/service-transfers', admin, {
          serviceId: 'DOR-LEERPLICHT',
          to: 'DBC',
          effectiveDate: today(),
          targetServiceId: 'DBC-LEERPLICHT',
          financing: 'hours',
        })
      ).status,
    ).toBe(409);

    const fresh = await post('/api/requests', t.requester, { serviceId: 'DOR-LEERPLICHT', title: 'Na de overdracht' });
    expect(fresh.status).toBe(201);
    expect(fresh.body).toMatchObject({ provider: 'DBC', serviceId: 'DBC-LEERPLICHT', agreementId: 'DVO-ZWN-DOR-LEERPLICHT-DBC' });

    // The open request goes on under Dordrecht and Dordrecht bills it.
    await post(`/api/requests/${open}/time-entries`, t.staff, { date: today(), minutes: 60, description: 'Afronding' });
    await post(`/api/requests/${open}/submit-result`, t.staff, { reference: 'R', notes: '' });
    await post(`/api/requests/${open}/review`, t.reviewer, { approved: true });
    expect((await post(`/api/requests/${open}/accept-result`, t.requester)).status).toBe(200);
    expect((await post('/api/invoice-runs', t.finance, { period: currentPeriod() })).status).toBe(202);
    const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    const invoice = (await env.models.Invoice.findById(run.invoiceIds[0]).lean())!;
    expect(invoice).toMatchObject({ provider: 'DOR', buyer: 'ZWN' });
    expect(invoice.lines.map((l) => l.requestId)).toEqual([open]);
  });

  let zwnCase: string;
  let papCase: string;
  test("financed by contribution: the centre's hour run leaves the hours of the moved agreements; one billed by hours is invoiced", async () => {
    // Rounding matters for invoices (up6: 95 -> 96, 133 -> 138), not for the hours used.
    zwnCase = await centreRequest(t.requester, [95, 40]);
    papCase = await centreRequest(await env.token('pap-requester'), [133]);
    // PAP's moved agreement is switched to hours (by the region admin), so the centre bills PAP's hours.
    const papAgreement = (await env.models.Agreement.findById('DVO-PAP-DOR-LEERPLICHT-DBC').lean())!;
    const { _id, ...terms } = papAgreement;
    const put = await env.api('PUT', `/api/admin/agreements/${_id}`, { token: admin, body: { ...terms, hourBilling: true } });
    expect(put.status).toBe(200);
    expect(put.body.hourBilling).toBe(true);

    const dbcFinance = await env.token('dbc-finance');
    expect((await post('/api/invoice-runs', dbcFinance, { period: currentPeriod() })).status).toBe(202);
    const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DBC', currentPeriod())).result();
    const invoices = await env.models.Invoice.find({ _id: { $in: run.invoiceIds } }).lean();
    expect(invoices.map((i) => i.buyer)).toEqual(['PAP']);
    expect(invoices[0]!.lines.map((l) => l.requestId)).toEqual([papCase]);
    const zwnEntries = await billedEntries(env, { requestId: zwnCase });
    expect(zwnEntries.map((e) => e.status)).toEqual(['approved', 'approved']);
    const papEntries = await billedEntries(env, { requestId: papCase });
    expect(papEntries.map((e) => e.status)).toEqual(['invoiced']);
  });

  test('hours as a key and actual costs from hours × rates count approved and invoiced hours, to the cent', async () => {
    const year = THIS_YEAR;
    const product = 'DBC-LP-UREN';
    expect(
      (
        await post('/api/contributions/products', admin, {
          _id: product,
          name: 'Casusbehandeling naar uren',
          serviceIds: ['DBC-LEERPLICHT'],
          rules: { basePerParticipant: 10_000, rest: [{ by: 'hours' }] },
        })
      ).status,
    ).toBe(201);
    for (const participant of ['ZWN', 'PAP', 'SLI'])
      expect(
        (await post(`/api/contributions/products/${product}/participations`, admin, { participant, from: `${year}-01-01` })).status,
      ).toBe(201);
    const fin = await env.token('dbc-finance');
    expect((await post(`/api/contributions/products/${product}/budgets`, fin, { year, budgetCents: 1_000_000 })).status).toBe(201);

    // ZWN 135 minutes (approved, not invoiced), PAP 133 (invoiced by the run above), SLI none.
    // Rest = 1,000,000 − 3 × 10,000 = 970,000 by 135 : 133 : 0 of 268 minutes:
    // ZWN 488,619.40 → 488,619; PAP 481,380.60 → 481,381 (largest remainder); SLI 0.
    const preview = await get(`/api/contributions/products/${product}/preview?year=${year}`, fin);
    expect(preview.status).toBe(200);
    const shares = (body: { allocation: { shares: { participant: string; totalCents: number }[] } }) =>
      Object.fromEntries(body.allocation.shares.map((s) => [s.participant, s.totalCents]));
    expect(shares(preview.body)).toEqual({ ZWN: 10_000 + 488_619, PAP: 10_000 + 481_381, SLI: 10_000 });
    expect(preview.body.allocation.parts).toEqual([{ by: 'hours', name: 'uren', weight: 1, cents: 970_000, weightSum: 268 }]);

    // Actual costs from hours × rates: 268 minutes at the centre's rate of 91.00 = 406.47 (406.466… half-up).
    const actual = await post(`/api/contributions/products/${product}/actuals`, fin, { year });
    expect(actual.status).toBe(201);
    expect(actual.body).toMatchObject({ mode: 'hours', actualCents: 40_647 });
    expect(actual.body.detail).toEqual([{ serviceId: 'DBC-LEERPLICHT', rateCentsPerHour: 9_100, minutes: 268, amountCents: 40_647 }]);
    // The settlement on the actuals: 40,647 − 3 × 10,000 = 10,647 by 135 : 133: ZWN 5,363.23 → 5,363; PAP 5,283.77 → 5,284 (largest remainder).
    const settlement = await get(`/api/contributions/products/${product}/preview?year=${year}&basis=actuals`, fin);
    expect(settlement.status).toBe(200);
    expect(shares(settlement.body)).toEqual({ ZWN: 10_000 + 5_363, PAP: 10_000 + 5_284, SLI: 10_000 });
  });
});

describe('a disputed contribution invoice', () => {
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(() => env.close());

  test("the dispute's credit note reconciles as a credit on the step's invoice, not as an unknown contribution", async () => {
    const tag = `D${Date.now().toString(36).toUpperCase()}`;
    await seedContributions(env, [THIS_YEAR], { tag });
    const product = `DBC-LP-${tag}-BASIS`;
    const fin = await env.token('dbc-finance');
    const gra = await env.token('gra-finance');
    const res = await post(`/api/contributions/products/${product}/advances`, fin, { year: THIS_YEAR });
    expect(res.status).toBe(202);
    const step = await finished(res.body.workflowId);
    const invoiceId = step.invoiceIds.find((i) => i.endsWith('-GRA'))!;
    expect((await post(`/api/invoices/${invoiceId}/lines/1/dispute`, gra, { reason: 'Inwonertal klopt niet' })).status).toBe(200);
    const resolved = await post(`/api/invoices/${invoiceId}/lines/1/resolve`, fin, { creditCents: 5_000 });
    expect(resolved.status).toBe(200);
    const note = (await env.models.Invoice.findOne({ kind: 'credit_note', creditedInvoiceId: invoiceId }).lean())!;
    expect(note.grossCents).toBe(5_000);
    const rec = await get(`/api/invoices/${note._id}/reconciliation`, gra);
    expect(rec.status).toBe(200);
    expect(rec.body.lines).toEqual([
      expect.objectContaining({
        amountCents: 5_000,
        match: 'contribution_credit',
        contribution: expect.objectContaining({ stepId: step.stepId }),
      }),
    ]);
    // The invoice itself still matches the step.
    expect((await get(`/api/invoices/${invoiceId}/reconciliation`, gra)).body.lines[0].match).toBe('contribution');
  });
});
