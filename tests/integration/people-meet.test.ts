// The defects people met in their first minutes, each as it looks from the API and the pages:
// lost descriptions and quote notes, a four-eyes review that could deadlock, a silent-acceptance
// date that outlived a rejection, the reviewer's internal note at the buyer, corrections that
// bypassed the workflows, credit notes that read like invoices, "Afgehandeld" with money due.
import { correctionWorkflowId, invoiceRunWorkflowId, requestWorkflowId } from '../../contracts';
import { seedContributions } from '../support/contributions';
import { createTestEnv, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { pdfText } from '../support/pdf';
import { currentPeriod, requestUpTo, storyTokens, today, waitFor, workflowState, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

let env: TestEnv;
let t: StoryTokens;
const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });
const get = (path: string, token: string) => env.api('GET', path, { token });
const action = (body: { actions: { action: string; allowed: boolean; refusal?: { code: string } }[] }, name: string) =>
  body.actions.find((a) => a.action === name);

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

describe('what the requester writes reaches the centre, and the quote comes with its explanation', () => {
  test('the description is kept in the request, shown at intake and on the page, and sent in the submission mail', async () => {
    const description = 'Graag een analyse van het verzuim op vo-scholen,\nuitgesplitst per school.';
    const submitted = await post('/api/requests', t.requester, { serviceId: 'DOR-LEERPLICHT', title: 'Verzuim vo', description });
    expect(submitted.status).toBe(201);
    const id = submitted.body.requestId;
    expect((await get(`/api/requests/${id}`, t.coordinator)).body.description).toBe(description);
    const mail = await waitFor(
      'the submission mail',
      () => env.models.Mail.findOne({ to: 'dor-coordinator', requestId: id, kind: 'submitted' }).lean(),
      (m) => m !== null,
    );
    expect(mail!.html).toContain('uitgesplitst per school.');
    const coordinator = await signedIn(env, 'dor-coordinator');
    expect((await coordinator.get('/intake')).html).toContain('Graag een analyse van het verzuim op vo-scholen, uitgesplitst per school.');
    expect((await coordinator.get(`/aanvragen/${id}`)).html).toContain('uitgesplitst per school.');

    const note = 'Inclusief twee gesprekken met de leerplichtambtenaren.';
    expect((await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 900, note })).status).toBe(200);
    const forRequester = await get(`/api/requests/${id}`, t.requester);
    expect(forRequester.body).toMatchObject({ status: 'quoted', quoteNote: note });
    const quoteMail = await waitFor(
      'the quote mail',
      () => env.models.Mail.findOne({ to: 'zwn-requester', requestId: id, kind: 'quote' }).lean(),
      (m) => m !== null,
    );
    expect(quoteMail!.html).toContain(note);
    const requester = await signedIn(env, 'zwn-requester');
    const page = await requester.get(`/aanvragen/${id}`);
    expect(page.html).toContain(note);
    expect(page.html).toMatch(
      /De uitvoerder raamt 15 uur × € 93,75 per uur \(tarief op \d\d-\d\d-\d{4}\) = <strong class="amount">€ 1.406,25<\/strong> excl. btw/,
    );
  });
});

describe('the four-eyes review cannot deadlock', () => {
  let id: string;
  test('the suggestions keep the only reviewer free: Dordrecht’s reviewer is suggested last, with a warning', async () => {
    id = await requestUpTo(env, t, 'accepted', { title: 'Vier ogen' });
    const suggestions = await get(`/api/requests/${id}/assignment-suggestions`, t.coordinator);
    expect(suggestions.status).toBe(200);
    const ids = suggestions.body.map((s: { userId: string }) => s.userId);
    expect(ids[ids.length - 1]).toBe('dor-reviewer');
    expect(suggestions.body.find((s: { userId: string }) => s.userId === 'dor-reviewer')).toMatchObject({ takesLastReviewer: true });
    expect(suggestions.body.find((s: { userId: string }) => s.userId === 'dor-staff')).toMatchObject({ takesLastReviewer: false });
    const page = await (await signedIn(env, 'dor-coordinator')).get(`/aanvragen/${id}`);
    expect(page.html).toMatch(/Pieter Jansen — heeft de vaardigheid, [^<]* — let op: enige vrije toetser<\/option>\s*<\/select>/);
  });

  test('when the only reviewer worked on it, the page says nobody can review, and the coordinator names a colleague', async () => {
    // The coordinator chooses the reviewer anyway; the reviewer registers hours and submits the result.
    expect((await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-reviewer' })).status).toBe(200);
    expect((await post(`/api/requests/${id}/time-entries`, t.reviewer, { date: today(), minutes: 60, description: 'Werk' })).status).toBe(
      201,
    );
    expect((await post(`/api/requests/${id}/submit-result`, t.reviewer, { reference: 'DMS-9', notes: '' })).status).toBe(200);

    const asCoordinator = await get(`/api/requests/${id}`, t.coordinator);
    expect(asCoordinator.body.status).toBe('in_review');
    expect(asCoordinator.body.review).toMatchObject({ blocked: true, free: [] });
    expect(action(asCoordinator.body, 'nominateReviewer')).toEqual({ action: 'nominateReviewer', allowed: true });
    const asReviewer = await get(`/api/requests/${id}`, t.reviewer);
    expect(action(asReviewer.body, 'review')).toMatchObject({ allowed: false, refusal: { code: 'four_eyes' } });
    expect((await post(`/api/requests/${id}/review`, t.reviewer, { approved: true })).body.code).toBe('four_eyes');
    // The coordinators hear that nobody can review, instead of nobody being told.
    const told = await waitFor(
      'the mail to the coordinator',
      () => env.models.Mail.findOne({ to: 'dor-coordinator', requestId: id, kind: 'review-requested' }).lean(),
      (m) => m !== null,
    );
    expect(told!.html).toContain('niemand kan de interne toets');
    const page = await (await signedIn(env, 'dor-coordinator')).get(`/aanvragen/${id}`);
    expect(page.html).toContain('Deze opdracht kan niet getoetst worden');
    expect(page.html).toContain('<h3 id="h-nominate">Toetser aanwijzen</h3>');
    const reviewerPage = await (await signedIn(env, 'dor-reviewer')).get(`/aanvragen/${id}`);
    expect(reviewerPage.html).toContain(
      'U heeft zelf uren op deze opdracht geregistreerd, dus u mag haar niet toetsen (vier-ogenprincipe).',
    );

    // Somebody who worked on it, or works elsewhere, cannot be named; nothing changes.
    const contributor = await post(`/api/requests/${id}/nominate-reviewer`, t.coordinator, { reviewer: 'dor-reviewer' });
    expect(contributor).toMatchObject({
      status: 400,
      body: { code: 'reviewer_not_eligible', params: { why: 'contributor' }, field: 'reviewer' },
    });
    const stranger = await post(`/api/requests/${id}/nominate-reviewer`, t.coordinator, { reviewer: 'zwn-staff' });
    expect(stranger).toMatchObject({ status: 400, body: { code: 'reviewer_not_eligible', params: { why: 'not_staff' } } });
    expect((await workflowState(env, id)).nominatedReviewer).toBeNull();

    const named = await post(`/api/requests/${id}/nominate-reviewer`, t.coordinator, { reviewer: 'dor-staff' });
    expect(named.status).toBe(200);
    expect((await get(`/api/requests/${id}`, t.coordinator)).body.review).toMatchObject({ blocked: false });
    const tasks = await get('/api/my/tasks', t.staff);
    expect(tasks.body.toReview.map((r: { _id: string }) => r._id)).toContain(id);
    expect((await post(`/api/requests/${id}/review`, t.staff, { approved: true })).status).toBe(200);
    expect((await workflowState(env, id)).status).toBe('awaiting_acceptance');
  });

  test('after the buyer rejects the result, the silent-acceptance date is cleared until the next result', async () => {
    const waiting = await workflowState(env, id);
    expect(waiting.deadlines.acceptance).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await post(`/api/requests/${id}/reject-result`, t.requester, { reason: 'Bijlage ontbreekt' })).status).toBe(200);
    expect((await workflowState(env, id)).deadlines.acceptance).toBeNull();
    expect((await env.models.Request.findById(id).lean())!.deadlines).toMatchObject({ acceptance: null });
    expect((await (await signedIn(env, 'zwn-requester')).get(`/aanvragen/${id}`)).html).not.toContain('Stilzwijgende acceptatie');
    // The rework: a new result, the named colleague reviews again, the buyer accepts.
    expect((await post(`/api/requests/${id}/submit-result`, t.reviewer, { reference: 'DMS-10', notes: '' })).status).toBe(200);
    expect((await post(`/api/requests/${id}/review`, t.staff, { approved: true })).status).toBe(200);
    expect((await workflowState(env, id)).deadlines.acceptance).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await post(`/api/requests/${id}/accept-result`, t.requester)).status).toBe(200);
    await env.client.workflow.getHandle(requestWorkflowId(id)).result();
    await recordHistory(env, requestWorkflowId(id), 'request-nominated-reviewer-and-rework');
  });
});

test("the reviewer's internal note never reaches the buying municipality", async () => {
  const id = await requestUpTo(env, t, 'in_review', { title: 'Interne toets' });
  const note = 'INTERN: de cijfers van school 3 nalopen';
  expect((await post(`/api/requests/${id}/review`, t.reviewer, { approved: false, reason: note })).status).toBe(200);
  expect((await get(`/api/requests/${id}`, t.coordinator)).body.lastReason).toBe(note);
  const buyer = await get(`/api/requests/${id}`, t.requester);
  expect(buyer.body.lastReason).toBeNull();
  expect(JSON.stringify(buyer.body)).not.toContain('school 3');
  const list = await get('/api/requests?buyer=ZWN&pageSize=200', t.requester);
  expect(JSON.stringify(list.body)).not.toContain('school 3');
  const audit = await get(`/api/requests/${id}/audit`, t.requester);
  expect(audit.body.map((e: { action: string }) => e.action)).toContain('rejectReview');
  expect(JSON.stringify(audit.body)).not.toContain('school 3');
  expect(JSON.stringify((await get(`/api/requests/${id}/audit`, t.coordinator)).body)).toContain('school 3');
  const page = await (await signedIn(env, 'zwn-requester')).get(`/aanvragen/${id}`);
  expect(page.html).not.toContain('school 3');
  const provider = await (await signedIn(env, 'dor-coordinator')).get(`/aanvragen/${id}`);
  expect(provider.html).toContain('Toelichting bij de interne toets (alleen voor de uitvoerder):');
  expect(await env.models.Mail.countDocuments({ to: 'zwn-requester', html: { $regex: 'school 3' } })).toBe(0);
});

describe('invoices, credit notes and corrections', () => {
  let invoiceId: string;
  let requestId: string;
  let creditNoteId: string;
  // Papendrecht buys one request, so its invoice has one line.
  const papFinance = () => env.token('pap-finance');

  beforeAll(async () => {
    const requester = await env.token('pap-requester');
    requestId = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Factuurregel', requester });
    await post(`/api/requests/${requestId}/accept-result`, requester);
    const run = await post('/api/invoice-runs', t.finance, { period: currentPeriod() });
    expect(run.status).toBe(202);
    const result = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
    invoiceId = result.invoiceIds.find((i: string) => i.includes('-PAP-'))!;
  });

  test('the HTML invoice on the page shows hours, never NaN; who may read it is the table’s finance rule', async () => {
    const finance = await signedIn(env, 'dor-finance');
    const html = await finance.get(`/facturen/${invoiceId}/document.html`);
    expect(html.status).toBe(200);
    expect(html.html).toMatch(/<td class="num">1:00<\/td><td class="num">€ 93,75<\/td>/);
    expect(html.html).not.toContain('NaN');
    // Members of a party without a finance role do not read invoices: not the list, not the detail, not the documents.
    const papRequester = await env.token('pap-requester');
    for (const path of [
      `/api/invoices/${invoiceId}`,
      `/api/invoices/${invoiceId}/document.pdf`,
      `/api/invoices/${invoiceId}/ubl.xml`,
      '/api/invoices',
    ])
      expect([path, (await get(path, papRequester)).status]).toEqual([path, 403]);
    // Another municipality's finance does not learn that it exists.
    expect((await get(`/api/invoices/${invoiceId}`, await env.token('zwn-finance'))).status).toBe(404);
    expect((await get(`/api/invoices/${invoiceId}`, t.coordinator)).body.code).toBe('role_required');
  });

  test('a dispute is resolved with a credit that reads as a credit: no hours × rate, no amount to pay, no due date', async () => {
    const buyer = await papFinance();
    expect((await post(`/api/invoices/${invoiceId}/lines/1/dispute`, buyer, { reason: 'Te veel' })).status).toBe(200);
    const resolved = await post(`/api/invoices/${invoiceId}/lines/1/resolve`, t.finance, { creditCents: 2_500 });
    expect(resolved.status).toBe(200);
    creditNoteId = resolved.body.creditNoteIds[0];
    const invoice = await get(`/api/invoices/${invoiceId}`, buyer);
    const credit = await get(`/api/invoices/${creditNoteId}`, buyer);
    const finance = await signedIn(env, 'dor-finance');
    const html = (await finance.get(`/facturen/${creditNoteId}/document.html`)).html;
    const pdfRes = await fetch(`${env.baseUrl}/api/invoices/${creditNoteId}/document.pdf`, {
      headers: { authorization: `Bearer ${buyer}` },
    });
    const pdf = (await pdfText(Buffer.from(await pdfRes.arrayBuffer()))).replace(/\s+/g, ' ');
    expect(html).toContain(`<dt>Crediteert factuur</dt><dd>${invoice.body.number} (reden: Te veel)</dd>`);
    expect(pdf).toContain(`Crediteert factuur ${invoice.body.number} (Te veel)`);
    for (const doc of [html, pdf]) {
      expect(doc).toContain('Totaal gecrediteerd');
      expect(doc).not.toContain('Totaal te betalen');
      expect(doc).not.toContain('Vervaldatum');
      expect(doc).not.toMatch(/0:00|NaN/);
      expect(doc).toContain('€ 25,00');
    }
    expect(credit.body).toMatchObject({ grossCents: 2_500 });
    expect(html).not.toMatch(/<th class="num">Uren<\/th>/);
  });

  test('an invoice with money outstanding is never labelled as done: "Akkoord, nog te betalen"', async () => {
    // The credit settled the only line's dispute: every line is decided, money is still due.
    const buyer = await signedIn(env, 'pap-finance');
    const page = await buyer.get(`/facturen/${invoiceId}`);
    expect(page.html).toContain('<dd id="invoice-status">Akkoord, nog te betalen</dd>');
    expect(page.html).not.toContain('Afgehandeld');
    expect((await buyer.get('/facturen')).html).not.toContain('Afgehandeld');
  });

  test('a correction of hours is an action of a workflow, with audit, also after payment', async () => {
    const buyer = await papFinance();
    const outstanding = (await get(`/api/invoices/${invoiceId}`, buyer)).body.outstandingCents;
    expect((await post(`/api/invoices/${invoiceId}/payments`, buyer, { amountCents: outstanding, date: today() })).status).toBe(201);
    const refusedOnCredit = await post(`/api/invoices/${creditNoteId}/corrections`, t.finance, {
      requestId,
      date: today(),
      minutes: 30,
      description: 'x',
    });
    expect(refusedOnCredit).toMatchObject({ status: 409, body: { code: 'no_hours_on_invoice' } });
    const booked = await post(`/api/invoices/${invoiceId}/corrections`, t.finance, {
      requestId,
      date: today(),
      minutes: 30,
      description: 'Nagekomen overleg',
    });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ requestId, minutes: 30, status: 'approved' });
    const correctionId = String(booked.body.entryId).split('-C')[1];
    const wfId = correctionWorkflowId(correctionId!);
    expect((await env.client.workflow.getHandle(wfId).describe()).status.name).toBe('COMPLETED');
    const entry = await env.models.TimeEntry.findById(booked.body.entryId).lean();
    expect(entry).toMatchObject({ status: 'approved', minutes: 30, userId: 'dor-finance' });
    expect(entry!.description).toMatch(/^Correctie op DOR-\d{4}-\d{5}: Nagekomen overleg$/);
    const audit = await env.models.AuditEvent.find({ subject: `correction-${correctionId}` }).lean();
    expect(audit).toEqual([expect.objectContaining({ action: 'bookCorrection', actor: 'dor-finance', org: 'DOR' })]);
    await recordHistory(env, wfId, 'correction-booked');
  });
});

test('allocation rules are checked in one place: the API refuses fixed shares above a budget; a stranger’s fixed share is a warning', async () => {
  const year = Number(today().slice(0, 4));
  await seedContributions(env, [year]);
  const admin = await env.token('region-admin');
  const P = 'DBC-LP-BASIS';
  const over = await env.api('PUT', `/api/contributions/products/${P}/rules`, {
    token: admin,
    body: { fixed: { DOR: 9_000_000 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
  });
  expect(over).toMatchObject({ status: 400, body: { code: 'fixed_exceeds_budget', field: 'rules.fixed', params: { year } } });
  const stranger = await env.api('PUT', `/api/contributions/products/${P}/rules`, {
    token: admin,
    body: { fixed: { DOR: 4_000_000, XXX: 100 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
  });
  expect(stranger).toMatchObject({ status: 400, body: { code: 'not_a_municipality', params: { codes: ['XXX'] } } });
  // GRA's participation ends before the year: its fixed share is ignored by the allocation, which the preview says.
  await env.models.Participation.deleteMany({ product: P, participant: 'GRA' });
  const withGra = await env.api('PUT', `/api/contributions/products/${P}/rules`, {
    token: admin,
    body: { fixed: { DOR: 4_000_000, GRA: 100_000 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
  });
  expect(withGra.status).toBe(200);
  const preview = await get(`/api/contributions/products/${P}/preview?year=${year}`, admin);
  expect(preview.body.warnings).toEqual([{ code: 'fixed_share_non_participant', params: { participants: ['GRA'] }, field: 'rules.fixed' }]);
  const page = await (await signedIn(env, 'region-admin')).get(`/bijdragen/producten/${P}/verdeling?jaar=${year}`);
  expect(page.html).toContain('Er staat een vast bedrag voor Gemeente Graafstroom, maar die gemeente neemt niet deel aan dit product.');
});
