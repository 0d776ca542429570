// Finance pages over HTTP: a correction booked from the invoice page (Dutch errors, input kept,
// only the provider's finance), a receipt registered by hand, and the invoices and balances CSV
// downloads with the session, holding only the signed-in organisation's rows.
import { invoiceWorkflowId } from '../../contracts';
import { INVOICE_STATUS_NL } from '../../i18n/nl';
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
let requestId = '';

/** An issued invoice straight in the database (the pages only read it). */
const invoice = (id: string, number: string, provider: string, buyer: string, gross: number, lineRequest: string | null) => ({
  _id: id,
  number,
  provider,
  buyer,
  period: '2026-01',
  runKey: `test-${id}`,
  agreementId: 'a',
  orderReference: `ORD-${id}`,
  issueDate: '2026-02-01',
  dueDate: '2026-03-03',
  lines: lineRequest
    ? [
        {
          requestId: lineRequest,
          title: 'Testopdracht',
          minutes: 120,
          rateCentsPerHour: 9500,
          amountCents: 19000,
          vatCategory: 'O',
          entryCount: 1,
        },
      ]
    : [
        {
          requestId: `R-${id}`,
          title: 'Elders',
          minutes: 60,
          rateCentsPerHour: gross,
          amountCents: gross,
          vatCategory: 'O',
          entryCount: 1,
        },
      ],
  netCents: gross,
  vatCents: 0,
  grossCents: gross,
  outstandingCents: gross,
  status: 'issued',
});

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  requestId = await requestUpTo(env, t, 'submitted', { title: 'Te corrigeren opdracht' });
  await env.models.Invoice.create([
    invoice('INV-WEB-ZWN', 'DOR-2026-08001', 'DOR', 'ZWN', 19000, requestId),
    invoice('INV-WEB-PAP', 'DOR-2026-08002', 'DOR', 'PAP', 5000, null),
    invoice('INV-WEB-HIX', 'PAP-2026-08003', 'PAP', 'HIX', 7000, null),
  ]);
});
afterAll(() => env.close());

test('provider finance books a correction from the invoice page; errors are Dutch and keep the input; the buyer cannot', async () => {
  const finance = await signedIn(env, 'dor-finance');
  const page = await finance.get('/facturen/INV-WEB-ZWN');
  expect(page.status).toBe(200);
  expect(page.html).toContain('<h2>Correctie boeken</h2>');
  expect(page.html).toContain(`<option value="${requestId}">Te corrigeren opdracht</option>`);
  expect(page.html).toMatch(/<label class="utrecht-form-label" for="correction-hours">Uren<\/label>/);

  const bad = await finance.post('/facturen/INV-WEB-ZWN/correcties', {
    requestId: '',
    date: '31-02-2026',
    hours: 'nul',
    description: 'Vergeten reistijd',
  });
  expect(bad.status).toBe(400);
  expect(bad.html).toContain('id="correction-request-error">Kies de opdracht.</p>');
  expect(bad.html).toContain('id="correction-date-error">Vul een geldige datum in (dd-mm-jjjj).</p>');
  expect(bad.html).toContain('id="correction-hours-error">Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30.</p>');
  expect(bad.html).toContain('value="Vergeten reistijd"');
  const notOnInvoice = await finance.post('/facturen/INV-WEB-ZWN/correcties', {
    requestId: 'R-INV-WEB-PAP',
    date: today(),
    hours: '1',
    description: 'Verkeerde opdracht',
  });
  expect(notOnInvoice.status).toBe(400);
  expect(notOnInvoice.html).toContain('Deze opdracht staat niet op deze factuur.');
  expect(await env.models.TimeEntry.countDocuments({ description: /^Correctie op/ })).toBe(0);

  const ok = await finance.post('/facturen/INV-WEB-ZWN/correcties', {
    requestId,
    date: today(),
    hours: '0:45',
    description: 'Vergeten reistijd',
  });
  expect(ok.status).toBe(303);
  expect(ok.location).toBe('/facturen/INV-WEB-ZWN');
  expect((await finance.get('/facturen/INV-WEB-ZWN')).html).toContain('De correctie is geboekt.');
  const entries = await env.models.TimeEntry.find({ requestId, description: /^Correctie op/ }).lean();
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ minutes: 45, status: 'approved', description: 'Correctie op DOR-2026-08001: Vergeten reistijd' });

  // The buyer's finance sees no correction form and cannot post one.
  const buyer = await signedIn(env, 'zwn-finance');
  const buyerPage = await buyer.get('/facturen/INV-WEB-ZWN');
  expect(buyerPage.status).toBe(200);
  expect(buyerPage.html).not.toContain('Correctie boeken');
  const refused = await buyer.post('/facturen/INV-WEB-ZWN/correcties', { requestId, date: today(), hours: '1', description: 'Mag niet' });
  expect(refused.status).toBe(403);
  expect(await env.models.TimeEntry.countDocuments({ requestId, description: /^Correctie op/ })).toBe(1);
});

test("a signed-in finance user downloads the invoices and balances CSV with only its own organisation's rows", async () => {
  const zwn = await signedIn(env, 'zwn-finance');
  const list = await zwn.get('/facturen');
  expect(list.html).toContain('href="/facturen.csv"');
  const invoices = await zwn.get('/facturen.csv');
  expect(invoices.status).toBe(200);
  const lines = invoices.html.trim().split('\n');
  expect(lines[0]).toBe(
    'nummer,soort,leverancier,afnemer,factuurdatum,vervaldatum,ordernummer,regel,opdracht,minuten,tarief,bedrag,btw_categorie,netto,btw,totaal,status,statuscode',
  );
  expect(lines.slice(1)).toEqual([
    `DOR-2026-08001,Factuur,Gemeente Dordrecht,Gemeente Zwijndrecht,2026-02-01,2026-03-03,ORD-INV-WEB-ZWN,1,${requestId},120,95.00,190.00,O,190.00,0.00,190.00,${INVOICE_STATUS_NL.issued},issued`,
  ]);
  // The same bytes as the API's export for the same organisation.
  const api = await fetch(`${env.baseUrl}/api/exports/invoices.csv`, {
    headers: { authorization: `Bearer ${await env.token('zwn-finance')}` },
  });
  expect(await api.text()).toBe(invoices.html);

  expect((await zwn.get('/saldi')).html).toContain('href="/saldi.csv"');
  const balances = await zwn.get('/saldi.csv');
  expect(balances.status).toBe(200);
  const rows = balances.html.trim().split('\n');
  expect(rows[0]).toBe('crediteur,debiteur,gefactureerd,gecrediteerd,betaald,openstaand');
  expect(rows.slice(1)).toEqual(['DOR,ZWN,190.00,0.00,0.00,190.00']);

  // PAP's finance (buyer finance only) sees its incoming DOR invoice: not its outgoing one, never ZWN's.
  const pap = await signedIn(env, 'pap-finance');
  const papRows = (await pap.get('/facturen.csv')).html.trim().split('\n').slice(1);
  expect(papRows.map((r) => r.split(',')[0]).sort()).toEqual(['DOR-2026-08002']);
  expect((await pap.get('/saldi.csv')).html).not.toContain('ZWN');
  // The netting proposal explains itself: PAP is owed 70 by HIX and owes 50 to DOR, so only 20 moves.
  const saldi = (await pap.get('/saldi')).html;
  expect(saldi).toContain('Gemeente Papendrecht heeft € 70,00 tegoed van andere organisaties en is zelf € 50,00 schuldig.');
  expect(saldi).toContain('Het verschil, € 20,00, is uw netto positie');
  expect(saldi).toMatch(/Daarvoor zijn \d betalingen nodig in plaats van 3/);

  // Without a session the download is the login page, not CSV; requesters are refused.
  const anonymous = await fetch(`${env.baseUrl}/facturen.csv`, { redirect: 'manual' });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get('location')).toBe('/inloggen?terug=%2Ffacturen.csv');
  const requester = await signedIn(env, 'zwn-requester');
  expect((await requester.get('/saldi.csv')).status).toBe(403);
});

// Last: the receipt changes the balances that the CSV test above reads.
test('provider finance registers a receipt by hand on the invoice page; errors are Dutch; the buyer has its own payment form', async () => {
  // The invoice's workflow, as an invoice run starts it: the receipt goes through it.
  await env.client.workflow.start('invoiceWorkflow', {
    workflowId: invoiceWorkflowId('INV-WEB-PAP'),
    taskQueue: env.taskQueue,
    args: [
      {
        invoiceId: 'INV-WEB-PAP',
        provider: 'DOR',
        buyer: 'PAP',
        dueDate: '2026-03-03',
        lines: [{ amountCents: 5000, vatCents: 0 }],
        grossCents: 5000,
      },
    ],
  });
  const finance = await signedIn(env, 'dor-finance');
  const page = await finance.get('/facturen/INV-WEB-PAP');
  expect(page.html).toContain('<h2>Ontvangst registreren</h2>');
  expect(page.html).toMatch(/<label class="utrecht-form-label" for="receipt-amount">Ontvangen bedrag in euro<\/label>/);
  expect(page.html).toMatch(/id="receipt-amount"[^>]*value="50,00"/);
  expect(page.html).not.toContain('<h2>Betaling registreren</h2>');

  const tooMuch = await finance.post('/facturen/INV-WEB-PAP/ontvangsten', { amount: '60,00', date: today(), reference: 'NL12 BANK 0000' });
  expect(tooMuch.status).toBe(400);
  expect(tooMuch.html).toMatch(/id="receipt-amount-error">[^<]*50,00/);
  expect(tooMuch.html).toContain('value="NL12 BANK 0000"');
  const ok = await finance.post('/facturen/INV-WEB-PAP/ontvangsten', { amount: '20,00', date: today(), reference: 'NL12 BANK 0000' });
  expect(ok.status).toBe(303);
  const after = await finance.get('/facturen/INV-WEB-PAP');
  expect(after.html).toContain('De ontvangst is geregistreerd.');
  const state = await env.models.Invoice.findById('INV-WEB-PAP').lean();
  expect(state).toMatchObject({ paidCents: 2000, outstandingCents: 3000 });

  // The buyer's finance registers its own payment on its form, not a receipt.
  const buyer = await signedIn(env, 'pap-finance');
  const buyerPage = await buyer.get('/facturen/INV-WEB-PAP');
  expect(buyerPage.html).toContain('<h2>Betaling registreren</h2>');
  expect(buyerPage.html).not.toContain('Ontvangst registreren');
  expect((await buyer.post('/facturen/INV-WEB-PAP/ontvangsten', { amount: '1,00', date: today() })).status).toBe(403);
  expect((await env.models.Invoice.findById('INV-WEB-PAP').lean())!.paidCents).toBe(2000);
});
