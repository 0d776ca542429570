// Invoices people can check: every line opens the time entries it billed, the rounding is
// explained in words, and the hours specification downloads as CSV; only the parties' finance
// may read it.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { invoiceRunWorkflowId } from '../../contracts';
import { roundMinutes } from '../../domain/money';
import { createTestEnv, type TestEnv } from '../support/env';
import { currentPeriod, requestUpTo, STORY_ENTRIES, storyTokens, today, type StoryTokens } from '../support/story';
import { pdfText } from '../support/pdf';
import { validateUbl } from '../support/ubl-validate';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
let invoiceId: string;
let requestId: string;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  requestId = await requestUpTo(env, t, 'in_progress', { title: 'Controleerbare factuur' });
  for (const e of STORY_ENTRIES) {
    const r = await env.api('POST', `/api/requests/${requestId}/time-entries`, { token: t.staff, body: { date: today(), ...e } });
    expect(r.status).toBe(201);
  }
  await env.api('POST', `/api/requests/${requestId}/submit-result`, { token: t.staff, body: { reference: 'R', notes: '' } });
  await env.api('POST', `/api/requests/${requestId}/review`, { token: t.reviewer, body: { approved: true } });
  await env.api('POST', `/api/requests/${requestId}/accept-result`, { token: t.requester });
  const period = currentPeriod();
  expect((await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } })).status).toBe(202);
  invoiceId = (await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result()).invoiceIds[0];
});
afterAll(() => env.close());

test('each line lists the entries it billed, as registered and as billed, with the rounding', async () => {
  const res = await env.api('GET', `/api/invoices/${invoiceId}/hours`, { token: await env.token('zwn-finance') });
  expect(res.status).toBe(200);
  const line = res.body.lines.find((l: { requestId: string }) => l.requestId === requestId);
  const registered = STORY_ENTRIES.map((e) => e.minutes);
  const billed = registered.map((m) => roundMinutes(m, 'up6'));
  expect(
    line.entries.map((e: { minutes: number; billedMinutes: number; description: string; userName: string }) => [
      e.minutes,
      e.billedMinutes,
      e.description,
      e.userName,
    ]),
  ).toEqual(STORY_ENTRIES.map((e, i) => [e.minutes, billed[i], e.description, 'Joris van Dijk']));
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  expect(line.rounding).toEqual({ rule: 'up6', registeredMinutes: sum(registered), billedMinutes: sum(billed), entryCount: 2 });
  // The line's hours on the invoice are the billed minutes.
  expect(line.minutes).toBe(sum(billed));
});

test('the page says the rounding in words and opens the entries; the CSV has one row per entry', async () => {
  const buyer = await signedIn(env, 'zwn-finance');
  const page = (await buyer.get(`/facturen/${invoiceId}`)).html;
  expect(page).toContain('Uren afgerond per registratie op 6 minuten: 3,8 → 3,9 uur');
  expect(page).toContain('Urenregistraties van regel 1 (2)');
  expect(page).toContain('Dossieronderzoek verzuimmeldingen');
  const csv = await buyer.get(`/facturen/${invoiceId}/urenspecificatie.csv`);
  const rows = parse(csv.html, { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => [r.minuten, r.gefactureerde_minuten, r.medewerker])).toEqual([
    ['95', '96', 'Joris van Dijk'],
    ['133', '138', 'Joris van Dijk'],
  ]);
  const api = await fetch(`${env.baseUrl}/api/invoices/${invoiceId}/hours.csv`, { headers: { authorization: `Bearer ${t.finance}` } });
  expect(api.status).toBe(200);
  expect(api.headers.get('content-disposition')).toMatch(/^attachment; filename="?urenspecificatie-DOR-\d{4}-\d{5}\.csv"?$/);
  expect(await api.text()).toBe(csv.html);
});

test('another municipality, or staff of a party, cannot read the specification', async () => {
  for (const user of ['pap-finance', 'dor-staff', 'zwn-requester']) {
    const res = await env.api('GET', `/api/invoices/${invoiceId}/hours`, { token: await env.token(user) });
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toContain('Dossieronderzoek');
  }
});

test('the specification as PDF travels inside the UBL, which still passes the official rules', async () => {
  const headers = { authorization: `Bearer ${t.finance}` };
  const pdf = Buffer.from(await (await fetch(`${env.baseUrl}/api/invoices/${invoiceId}/hours.pdf`, { headers })).arrayBuffer());
  // SAVE_PDF=file.pdf keeps it, to look at (pdftoppm).
  if (process.env.SAVE_PDF) fs.writeFileSync(process.env.SAVE_PDF, pdf);
  const text = await pdfText(pdf);
  expect(text).toContain('Urenspecificatie bij factuur DOR-');
  expect(text).toContain('Analyse en rapportage');
  const xml = await (await fetch(`${env.baseUrl}/api/invoices/${invoiceId}/ubl.xml`, { headers })).text();
  const embedded = /<cbc:EmbeddedDocumentBinaryObject mimeCode="application\/pdf" filename="(urenspecificatie-[^"]+\.pdf)">([^<]+)</.exec(
    xml,
  );
  expect(embedded).not.toBeNull();
  expect(await pdfText(Buffer.from(embedded![2]!, 'base64'))).toContain('Dossieronderzoek verzuimmeldingen');
  const result = await validateUbl(xml, 'Invoice');
  expect({ xsd: result.xsdErrors, fatal: result.fatal.map((f) => `${f.rule}: ${f.text}`) }).toEqual({ xsd: [], fatal: [] });
}, 120_000);

test('a credit note has no hours specification: a refusal with a code, not an empty PDF', async () => {
  const zwnFinance = await env.token('zwn-finance');
  const disputed = await env.api('POST', `/api/invoices/${invoiceId}/lines/1/dispute`, { token: zwnFinance, body: { reason: 'Te veel' } });
  expect(disputed.status).toBe(200);
  const resolved = await env.api('POST', `/api/invoices/${invoiceId}/lines/1/resolve`, { token: t.finance, body: { creditCents: 100 } });
  expect(resolved.status).toBe(200);
  const noteId = resolved.body.creditNoteIds[0] as string;
  const pdf = await env.api('GET', `/api/invoices/${noteId}/hours.pdf`, { token: t.finance });
  expect(pdf.status).toBeGreaterThanOrEqual(400);
  expect(pdf.body.code).toBe('no_hours_on_invoice');
  expect((await env.api('GET', `/api/invoices/${noteId}/hours`, { token: t.finance })).body.lines).toEqual([]);
});
