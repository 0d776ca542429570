// Bank statements on the real system: provider finance imports a CAMT.053 file, the proposal
// matches credits to open invoices, confirming registers the payments through the invoice
// workflows, and nothing is ever registered twice: not by importing the statement again, not
// by two imports at once, not by confirming twice. A malformed file changes nothing.
import { invoiceRunWorkflowId } from '../../contracts';
import { camt053 } from '../support/camt';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
const invoices: Record<string, { id: string; number: string; grossCents: number }> = {};

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  const pap = await env.token('pap-requester');
  for (const [buyer, requester] of [
    ['ZWN', t.requester],
    ['PAP', pap],
  ] as const) {
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: `Bank ${buyer}`, requester });
    await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester });
  }
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  for (const id of run.invoiceIds) {
    const inv = (await env.models.Invoice.findById(id).lean())!;
    invoices[inv.buyer] = { id: inv._id, number: inv.number!, grossCents: inv.grossCents };
  }
}, 120_000);
afterAll(() => env.close());

const euros = (cents: number) => (cents / 100).toFixed(2);
const statement = (id: string) =>
  camt053({
    statementId: id,
    entries: [
      {
        amount: euros(invoices.ZWN!.grossCents),
        txs: [{ amount: euros(invoices.ZWN!.grossCents), remittance: `Factuur ${invoices.ZWN!.number}` }],
      },
      {
        amount: euros(5_000 + 1_234),
        txs: [
          { amount: euros(5_000), endToEndId: invoices.PAP!.number, debtor: 'Gemeente Papendrecht' },
          { amount: euros(1_234), remittance: 'Restitutie abonnement' },
        ],
      },
    ],
  });
const upload = (xml: string, token = t.finance, name = 'afschrift.xml') => {
  const form = new FormData();
  form.append('file', new Blob([new TextEncoder().encode(xml)]), name);
  return env.api('POST', '/api/bank-statements', { token, form });
};
const invoice = async (buyer: string) =>
  (await env.api('GET', `/api/invoices/${invoices[buyer]!.id}`, { token: t.finance })).body as { paidCents: number; status: string };

test('the proposal: an exact match, a partial payment inside a batch booking, and a line to place by hand', async () => {
  const res = await upload(statement('STMT-1'));
  expect(res.status).toBe(201);
  const [s] = res.body;
  expect(s.lines.map((l: { match: string; status: string }) => [l.match, l.status])).toEqual([
    ['exact', 'proposed'],
    ['partial', 'proposed'],
    ['unmatched', 'proposed'],
  ]);
  expect(s.lines[1]).toMatchObject({ batch: true, invoices: [{ number: invoices.PAP!.number, amountCents: 5_000 }] });
  // Nothing is registered before a person confirms.
  expect((await invoice('ZWN')).paidCents).toBe(0);
});

test('confirming registers the payments through the invoices; confirming again and importing again register nothing twice', async () => {
  const id = (await env.api('GET', '/api/bank-statements', { token: t.finance })).body[0].id as string;
  const confirmed = await env.api('POST', `/api/bank-statements/${encodeURIComponent(id)}/confirm`, { token: t.finance, body: {} });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.lines.map((l: { status: string }) => l.status)).toEqual(['registered', 'registered', 'proposed']);
  expect(await invoice('ZWN')).toMatchObject({ paidCents: invoices.ZWN!.grossCents, status: 'paid' });
  expect((await invoice('PAP')).paidCents).toBe(5_000);
  // The invoice's audit trail names who registered it.
  const audit = await env.models.AuditEvent.find({ subject: `invoice-${invoices.PAP!.id}`, action: 'registerPayment' }).lean();
  expect(audit.map((e) => e.actor)).toEqual(['dor-finance']);

  const again = await env.api('POST', `/api/bank-statements/${encodeURIComponent(id)}/confirm`, {
    token: t.finance,
    body: { lines: [1, 2] },
  });
  expect(again.status).toBe(200);
  expect((await invoice('PAP')).paidCents).toBe(5_000);
  const reimport = await upload(statement('STMT-1'));
  expect(reimport).toMatchObject({ status: 409, body: { code: 'bank_statement_duplicate', params: { statementId: 'STMT-1' } } });
  expect(await env.models.BankStatement.countDocuments()).toBe(1);
  // The unmatched line cannot be confirmed.
  const wrong = await env.api('POST', `/api/bank-statements/${encodeURIComponent(id)}/confirm`, { token: t.finance, body: { lines: [3] } });
  expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'lines' } });
});

test('two imports of one statement at the same moment store it once (on FerretDB)', async () => {
  const xml = camt053({ statementId: 'STMT-RACE', entries: [{ amount: '10.00', txs: [{ amount: '10.00', remittance: 'x' }] }] });
  const results = await Promise.all([upload(xml), upload(xml), upload(xml)]);
  expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  expect(await env.models.BankStatement.countDocuments({ statementId: 'STMT-RACE' })).toBe(1);
});

test('a malformed file is refused with what is wrong, and nothing is stored or registered', async () => {
  const before = await env.models.BankStatement.countDocuments();
  const broken = await upload('<Document><BkToCstmrStmt><Stmt>');
  expect(broken).toMatchObject({ status: 400, body: { code: 'bank_statement_invalid', params: { problem: 'not_xml' } } });
  const other = await upload('<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>');
  expect(other.body.params.problem).toBe('not_camt053');
  expect(await env.models.BankStatement.countDocuments()).toBe(before);
  const web = await signedIn(env, 'dor-finance');
  await web.get('/bankafschriften');
  const form = new FormData();
  form.append('bestanden', new Blob([new TextEncoder().encode('<Document><BkToCstmrStmt>')]), 'kapot.xml');
  const page = await web.postFiles('/bankafschriften', form);
  expect(page.status).toBe(400);
  expect(page.html).toContain('Dit bestand is geen leesbare XML.');
  expect(page.html).toContain('Er is niets ingelezen.');
});

test('only provider finance imports; another organisation does not see the statement', async () => {
  const id = (await env.api('GET', '/api/bank-statements', { token: t.finance })).body[0].id as string;
  const zwn = await env.token('zwn-finance');
  // ZWN has provider finance too (it sells ICT advice), but this statement is DOR's.
  expect((await env.api('GET', `/api/bank-statements/${encodeURIComponent(id)}`, { token: zwn })).status).toBe(404);
  expect((await env.api('GET', '/api/bank-statements', { token: zwn })).body).toEqual([]);
  const pap = await env.token('pap-finance');
  expect((await upload(statement('STMT-9'), pap)).body).toMatchObject({ code: 'role_required' });
  expect((await env.api('GET', '/api/bank-statements', { token: t.requester })).status).toBe(403);
});

test('on the page: the proposal shows each line, and confirming the chosen lines registers them', async () => {
  const web = await signedIn(env, 'dor-finance');
  const xml = camt053({
    statementId: 'STMT-WEB',
    entries: [{ amount: '10.00', txs: [{ amount: '10.00', remittance: `Deelbetaling ${invoices.PAP!.number}` }] }],
  });
  await web.get('/bankafschriften');
  const form = new FormData();
  form.append('bestanden', new Blob([new TextEncoder().encode(xml)]), 'STMT-WEB.xml');
  const sent = await web.postFiles('/bankafschriften', form);
  expect(sent.status).toBe(303);
  const page = await web.get(sent.location!);
  expect(page.html).toContain('Deelbetaling');
  expect(page.html).toContain(invoices.PAP!.number);
  const confirmed = await web.post(`${sent.location!}/bevestigen`, { regel: '1' });
  expect(confirmed.status).toBe(303);
  expect((await invoice('PAP')).paidCents).toBe(5_000 + 1_000);
  expect((await web.get(sent.location!)).html).toContain('Geregistreerd');
});
