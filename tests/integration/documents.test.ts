// Invoice documents: HTML, PDF and UBL show the same amounts to the cent, with the provider's
// letterhead and the buyer's order reference; the UBL has the Peppol/NLCIUS essentials.
import { convert } from 'xmlbuilder2';
import { invoiceRunWorkflowId } from '../../contracts';
import { formatEuro } from '../../domain/money';
import { createTestEnv, type TestEnv } from '../support/env';
import { pdfText } from '../support/pdf';
import { validateUbl } from '../support/ubl-validate';
import { currentPeriod, today } from '../support/story';

let env: TestEnv;
let standardInvoice: string; // ZWN sells ICT advice to DOR: 21% VAT
let outOfScopeInvoice: string; // DOR sells compulsory-education work to ZWN: out of scope
let creditNote: string;

const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });

async function completedRequest(
  requester: string,
  coordinator: string,
  staff: string,
  reviewer: string,
  serviceId: string,
  minutes: number[],
  assignee: string,
) {
  const { body } = await post('/api/requests', requester, { serviceId, title: `Advies ${serviceId}` });
  const id = body.requestId;
  await post(`/api/requests/${id}/accept-intake`, coordinator, { estimateMinutes: 1200 });
  await post(`/api/requests/${id}/approve-quote`, requester);
  await post(`/api/requests/${id}/assign`, coordinator, { assignee });
  for (const m of minutes) await post(`/api/requests/${id}/time-entries`, staff, { date: today(), minutes: m, description: 'Werk' });
  await post(`/api/requests/${id}/submit-result`, staff, { reference: 'R' });
  await post(`/api/requests/${id}/review`, reviewer, { approved: true });
  const done = await post(`/api/requests/${id}/accept-result`, requester);
  expect(done.body.status).toBe('completed');
}

beforeAll(async () => {
  env = await createTestEnv();
  const tk = (u: string) => env.token(u);
  // ICT advice from ZWN to DOR: 90.00/h, rounded up to 15 minutes, 21% VAT. 50 -> 60 and 7 -> 15 minutes.
  await completedRequest(
    await tk('dor-requester'),
    await tk('zwn-coordinator'),
    await tk('zwn-staff'),
    await tk('zwn-coordinator'),
    'ZWN-ICT',
    [50, 7],
    'zwn-staff',
  );
  await completedRequest(
    await tk('zwn-requester'),
    await tk('dor-coordinator'),
    await tk('dor-staff'),
    await tk('dor-reviewer'),
    'DOR-LEERPLICHT',
    [95, 133],
    'dor-staff',
  );
  for (const [finance, provider] of [
    ['zwn-finance', 'ZWN'],
    ['dor-finance', 'DOR'],
  ] as const) {
    await post('/api/invoice-runs', await tk(finance), { period: currentPeriod() });
    await env.client.workflow.getHandle(invoiceRunWorkflowId(provider, currentPeriod())).result();
  }
  standardInvoice = (await env.models.Invoice.findOne({ provider: 'ZWN' }).lean())!._id;
  outOfScopeInvoice = (await env.models.Invoice.findOne({ provider: 'DOR' }).lean())!._id;
  await post(`/api/invoices/${outOfScopeInvoice}/lines/1/dispute`, await tk('zwn-finance'), { reason: 'Een uur te veel' });
  await post(`/api/invoices/${outOfScopeInvoice}/lines/1/resolve`, await tk('dor-finance'), { creditCents: 9_375 });
  creditNote = (await env.models.Invoice.findOne({ kind: 'credit_note' }).lean())!._id;
}, 120_000);
afterAll(() => env.close());

async function fetchAs(user: string, path: string) {
  const res = await fetch(env.baseUrl + path, { headers: { authorization: `Bearer ${await env.token(user)}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

const ublAmounts = (xml: string) => {
  const doc = convert(xml, { format: 'object' }) as any;
  const root = doc.Invoice ?? doc.CreditNote;
  const total = root['cac:LegalMonetaryTotal'];
  const cents = (v: any) => Math.round(Number(v['#']) * 100);
  return {
    root,
    net: cents(total['cbc:TaxExclusiveAmount']),
    gross: cents(total['cbc:PayableAmount']),
    vat: cents(root['cac:TaxTotal']['cbc:TaxAmount']),
  };
};

describe.each([
  ['a standard-rated invoice', () => standardInvoice, 'dor-finance'],
  ['an out-of-scope invoice', () => outOfScopeInvoice, 'zwn-finance'],
  ['a credit note', () => creditNote, 'zwn-finance'],
])('%s', (_what, idOf, buyerUser) => {
  test('when it is downloaded as HTML, PDF and UBL, then all three show the stored amounts to the cent', async () => {
    const id = idOf();
    const stored = (await env.models.Invoice.findById(id).lean())!;
    const html = await fetchAs(buyerUser, `/api/invoices/${id}/document.html`);
    const pdf = await fetchAs(buyerUser, `/api/invoices/${id}/document.pdf`);
    const ubl = await fetchAs(buyerUser, `/api/invoices/${id}/ubl.xml`);
    expect([html.status, pdf.status, ubl.status]).toEqual([200, 200, 200]);
    expect(pdf.type).toBe('application/pdf');

    const page = html.body.toString('utf8');
    const text = await pdfText(pdf.body);
    for (const cents of [stored.netCents, stored.vatCents, stored.grossCents, ...stored.lines.map((l) => l.amountCents as number)]) {
      expect(page).toContain(formatEuro(cents));
      expect(text).toContain(formatEuro(cents));
    }
    expect(ublAmounts(ubl.body.toString('utf8'))).toMatchObject({ net: stored.netCents, vat: stored.vatCents, gross: stored.grossCents });

    const provider = (await env.models.Organisation.findById(stored.provider).lean())!;
    for (const letterhead of [provider.name, provider.oin, provider.kvk!, provider.iban, stored.orderReference, stored.number!]) {
      expect(page).toContain(letterhead);
      expect(text).toContain(letterhead);
    }
  });

  test('when another municipality asks for the documents, then 404', async () => {
    for (const format of ['document.html', 'document.pdf', 'ubl.xml']) {
      expect((await fetchAs('pap-finance', `/api/invoices/${idOf()}/${format}`)).status).toBe(404);
    }
  });
});

test('the UBL carries the Peppol BIS 3 ids, OINs with scheme 0190, the buyer reference, the VAT breakdown and the IBAN', async () => {
  const xml = (await fetchAs('dor-finance', `/api/invoices/${standardInvoice}/ubl.xml`)).body.toString('utf8');
  const { root } = ublAmounts(xml);
  expect(root['cbc:CustomizationID']).toBe('urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0');
  expect(root['cbc:ProfileID']).toBe('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0');
  expect(root['cbc:InvoiceTypeCode']).toBe('380');
  expect(root['cbc:BuyerReference']).toBe('DOR-PO-2026-118');
  const seller = root['cac:AccountingSupplierParty']['cac:Party'];
  expect(seller['cbc:EndpointID']).toMatchObject({ '@schemeID': '0190', '#': (await env.models.Organisation.findById('ZWN').lean())!.oin });
  expect(seller['cac:PartyLegalEntity']['cbc:CompanyID']['@schemeID']).toBe('0190');
  const sub = root['cac:TaxTotal']['cac:TaxSubtotal'];
  expect(sub['cac:TaxCategory']).toMatchObject({ 'cbc:ID': 'S', 'cbc:Percent': '21' });
  // 75 minutes at 90.00/h = 112.50; VAT 21% = 23.63 (23.625 half-up)
  expect(sub['cbc:TaxableAmount']['#']).toBe('112.50');
  expect(sub['cbc:TaxAmount']['#']).toBe('23.63');
  expect(root['cac:PaymentMeans']['cbc:PaymentMeansCode']).toBe('58');
  expect(root['cac:PaymentMeans']['cac:PayeeFinancialAccount']['cbc:ID']).toMatch(/^NL\d{2}BNGH/);

  const note = (await fetchAs('zwn-finance', `/api/invoices/${creditNote}/ubl.xml`)).body.toString('utf8');
  const cn = ublAmounts(note).root;
  expect(cn['cbc:CreditNoteTypeCode']).toBe('381');
  const invoice = (await env.models.Invoice.findById(outOfScopeInvoice).lean())!;
  expect(cn['cac:BillingReference']['cac:InvoiceDocumentReference']['cbc:ID']).toBe(invoice.number);
  expect(cn['cac:TaxTotal']['cac:TaxSubtotal']['cac:TaxCategory']['cbc:TaxExemptionReason']).toContain('Niet onderworpen');
});

describe('the UBL against the official rules (UBL 2.1 XSD, EN 16931, Peppol BIS 3 with the NL rules, SI-UBL 2.0)', () => {
  test.each([
    ['standard-rated invoice', () => standardInvoice, 'dor-finance', 'Invoice'],
    ['out-of-scope invoice', () => outOfScopeInvoice, 'zwn-finance', 'Invoice'],
    ['credit note', () => creditNote, 'zwn-finance', 'CreditNote'],
  ] as const)(
    'the %s passes every rule, as Peppol and as NLCIUS',
    async (_what, idOf, user, kind) => {
      for (const profile of ['peppol', 'nlcius']) {
        const xml = (await fetchAs(user, `/api/invoices/${idOf()}/ubl.xml?profile=${profile}`)).body.toString('utf8');
        const result = await validateUbl(xml, kind);
        expect({ profile, xsd: result.xsdErrors, fatal: result.fatal.map((f) => `${f.rule}: ${f.text}`) }).toEqual({
          profile,
          xsd: [],
          fatal: [],
        });
      }
    },
    120_000,
  );

  test('a document whose totals do not add up is rejected by the rules (the check can fail)', async () => {
    const xml = (await fetchAs('dor-finance', `/api/invoices/${standardInvoice}/ubl.xml`)).body.toString('utf8');
    const broken = xml.replace(
      /<cbc:PayableAmount currencyID="EUR">[\d.]+<\/cbc:PayableAmount>/,
      '<cbc:PayableAmount currencyID="EUR">1.00</cbc:PayableAmount>',
    );
    const result = await validateUbl(broken, 'Invoice');
    expect(result.fatal.length).toBeGreaterThan(0);
  }, 60_000);
});
