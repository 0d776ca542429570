// Attachments over the API and on the pages, stored with GridFS on the real FerretDB: the kind
// is judged by content, the size is limited, a refusal stores nothing, only the parties
// download (as an attachment, with its type), every download is audited, and a real ClamAV
// daemon (when installed: scripts/install-clamav.sh) stops an infected file.
import { zipSync, strToU8 } from 'fflate';
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const DOCX = Buffer.from(
  zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    'word/document.xml': strToU8('<w:document/>'),
  }),
);
const ZIP = Buffer.from(zipSync({ 'script.js': strToU8('alert(1)') }));
// The start of a Windows program: "MZ", then a header full of zero bytes.
const EXE = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), Buffer.alloc(200)]);

const formWith = (name: string, bytes: Buffer, fields: Record<string, string> = {}) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return form;
};

let env: TestEnv;
let t: StoryTokens;
let id: string;
beforeAll(async () => {
  env = await createTestEnv({ config: { ATTACHMENT_MAX_MB: '1' } });
  t = await storyTokens(env);
  id = await requestUpTo(env, t, 'in_progress', { title: 'Met bijlagen' });
});
afterAll(() => env.close());

const upload = (token: string, name: string, bytes: Buffer, fields?: Record<string, string>, headers?: Record<string, string>) =>
  env.api('POST', `/api/requests/${id}/attachments`, { token, form: formWith(name, bytes, fields), headers });
const storedFiles = () => env.models.Request.db.db!.collection('attachments.files').countDocuments({ 'metadata.requestId': id });
const storedChunks = () => env.models.Request.db.db!.collection('attachments.chunks').countDocuments();

test('a PDF and a Word document are stored in GridFS on FerretDB and come back byte for byte, as attachments with their type', async () => {
  const pdf = await upload(t.requester, '../../etc/Advies aanvraag.pdf', PDF);
  expect(pdf).toMatchObject({
    status: 201,
    body: {
      name: 'Advies aanvraag.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      context: 'request',
      uploadedByName: 'Anne de Vries',
    },
  });
  // The name says .txt, the content is a Word document: the stored name gets the real extension.
  const docx = await upload(t.coordinator, 'notitie.txt', DOCX);
  expect(docx.body).toMatchObject({ name: 'notitie.txt.docx', contentType: expect.stringContaining('wordprocessingml') });

  const res = await fetch(`${env.baseUrl}/api/requests/${id}/attachments/${pdf.body.id}`, {
    headers: { authorization: `Bearer ${t.staff}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="Advies aanvraag.pdf"');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);

  const list = await env.api('GET', `/api/requests/${id}/attachments`, { token: t.requester });
  expect(list.body.map((a: { name: string }) => a.name)).toEqual(['Advies aanvraag.pdf', 'notitie.txt.docx']);
  // The timeline of both sides shows them.
  const timeline = await env.api('GET', `/api/requests/${id}/timeline`, { token: t.requester });
  expect(timeline.body.items.filter((i: { kind: string }) => i.kind === 'attachment').map((i: { name: string }) => i.name)).toEqual([
    'Advies aanvraag.pdf',
    'notitie.txt.docx',
  ]);
});

test('a refused upload gets its code and leaves nothing stored: too big, a program named .pdf, a plain zip, an empty file, no file', async () => {
  const files = await storedFiles();
  const chunks = await storedChunks();
  const big = await upload(t.requester, 'groot.pdf', Buffer.concat([PDF, Buffer.alloc(1024 * 1024)]));
  expect(big).toMatchObject({ status: 413, body: { code: 'attachment_too_large', params: { maxBytes: 1024 * 1024 }, field: 'file' } });
  const exe = await upload(t.requester, 'factuur.pdf', EXE);
  expect(exe).toMatchObject({ status: 415, body: { code: 'attachment_type', params: { name: 'factuur.pdf' } } });
  const zip = await upload(t.requester, 'stukken.zip', ZIP);
  expect(zip).toMatchObject({ status: 415, body: { code: 'attachment_type' } });
  const empty = await upload(t.requester, 'leeg.txt', Buffer.alloc(0));
  expect(empty).toMatchObject({ status: 400, body: { code: 'attachment_empty' } });
  const none = await env.api('POST', `/api/requests/${id}/attachments`, { token: t.requester, form: new FormData() });
  expect(none).toMatchObject({ status: 400, body: { code: 'attachment_missing' } });
  const json = await env.api('POST', `/api/requests/${id}/attachments`, { token: t.requester, body: { file: 'x' } });
  expect(json).toMatchObject({ status: 400, body: { code: 'attachment_missing' } });
  expect(await storedFiles()).toBe(files);
  expect(await storedChunks()).toBe(chunks);
});

test('another municipality can neither list, download nor add; a finance role of the buyer may download', async () => {
  const file = (await env.api('GET', `/api/requests/${id}/attachments`, { token: t.requester })).body[0];
  const pap = await env.token('pap-requester');
  expect((await env.api('GET', `/api/requests/${id}/attachments`, { token: pap })).status).toBe(404);
  const stolen = await fetch(`${env.baseUrl}/api/requests/${id}/attachments/${file.id}`, { headers: { authorization: `Bearer ${pap}` } });
  expect(stolen.status).toBe(404);
  expect(await stolen.text()).not.toContain('%PDF');
  expect((await upload(pap, 'x.pdf', PDF)).status).toBe(404);
  // Another request's id with this file's id: not found either.
  const other = await requestUpTo(env, t, 'submitted', { title: 'Andere' });
  const crossed = await fetch(`${env.baseUrl}/api/requests/${other}/attachments/${file.id}`, {
    headers: { authorization: `Bearer ${t.requester}` },
  });
  expect(crossed.status).toBe(404);
  // A buyer who is no requester cannot add a file to an answer, but the requester can.
  const finance = await env.token('zwn-finance');
  const byFinance = await fetch(`${env.baseUrl}/api/requests/${id}/attachments/${file.id}`, {
    headers: { authorization: `Bearer ${finance}` },
  });
  expect(byFinance.status).toBe(200);
  await byFinance.arrayBuffer();
  expect((await upload(finance, 'y.pdf', PDF, { context: 'answer' })).body).toMatchObject({ code: 'role_required' });
  expect((await upload(t.staff, 'y.pdf', PDF, { context: 'answer' })).body).toMatchObject({ code: 'role_required' });
});

test('every download is in the audit trail, chained, also when downloads happen at the same time', async () => {
  const file = (await env.api('GET', `/api/requests/${id}/attachments`, { token: t.requester })).body[0];
  const get = (token: string) =>
    fetch(`${env.baseUrl}/api/requests/${id}/attachments/${file.id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
      r.arrayBuffer(),
    );
  await Promise.all([get(t.requester), get(t.staff), get(t.coordinator), get(t.requester), get(t.reviewer)]);
  const trail = await env.api('GET', `/api/requests/${id}/attachments/${file.id}/downloads`, { token: t.requester });
  const actions = trail.body.map((e: { action: string }) => e.action);
  expect(actions[0]).toBe('addAttachment');
  // Earlier tests downloaded it twice (dor-staff, zwn-finance); these five make seven.
  expect(actions.filter((a: string) => a === 'downloadAttachment')).toHaveLength(7);
  expect(trail.body.map((e: { seq: number }) => e.seq)).toEqual(trail.body.map((_: unknown, i: number) => i + 1));
  expect(new Set(trail.body.map((e: { actor: string }) => e.actor))).toEqual(
    new Set(['zwn-requester', 'dor-staff', 'zwn-finance', 'dor-coordinator', 'dor-reviewer']),
  );
  const { verifyChain } = await import('../../lib/audit-chain');
  const events = await env.models.AuditEvent.find({ subject: `attachment-${file.id}` }).lean();
  expect(verifyChain(events as never)).toMatchObject({ ok: true, events: 8 });
});

test('a repeat with the same Idempotency-Key stores the file once', async () => {
  const before = await storedFiles();
  const first = await upload(
    t.requester,
    'eenmaal.csv',
    Buffer.from('school;leerlingen\nDe Linde;120\n'),
    {},
    { 'idempotency-key': 'k-1' },
  );
  const again = await upload(
    t.requester,
    'eenmaal.csv',
    Buffer.from('school;leerlingen\nDe Linde;120\n'),
    {},
    { 'idempotency-key': 'k-1' },
  );
  expect(first.status).toBe(201);
  expect(again.body.id).toBe(first.body.id);
  expect(first.body.contentType).toBe('text/csv');
  expect(await storedFiles()).toBe(before + 1);
});

test('on the pages: the result with its PDF, a refused file shown on the form, the answer with a file, and the download', async () => {
  const staff = await signedIn(env, 'dor-staff');
  await staff.get(`/aanvragen/${id}`);
  const tooBig = new FormData();
  tooBig.append('reference', 'DMS-9');
  tooBig.append('bestanden', new Blob([new Uint8Array(Buffer.concat([PDF, Buffer.alloc(1024 * 1024)]))]), 'advies.pdf');
  const refused = await staff.postFiles(`/aanvragen/${id}/acties/submitResult`, tooBig);
  expect(refused.status).toBe(413);
  expect(refused.html).toContain('Het bestand is te groot: een bijlage mag hoogstens 1 MB zijn. Er is niets opgeslagen.');
  expect(refused.html).toContain('value="DMS-9"'); // what was typed stays
  const wrong = new FormData();
  wrong.append('reference', 'DMS-9');
  wrong.append('bestanden', new Blob([new Uint8Array(EXE)]), 'advies.pdf');
  const wrongType = await staff.postFiles(`/aanvragen/${id}/acties/submitResult`, wrong);
  expect(wrongType.status).toBe(415);
  expect(wrongType.html).toContain('advies.pdf is geen toegestaan bestand');
  expect((await env.api('GET', `/api/requests/${id}`, { token: t.staff })).body.status).toBe('in_progress'); // nothing happened

  const ok = new FormData();
  ok.append('reference', 'DMS-9');
  ok.append('bestanden', new Blob([new Uint8Array(PDF)]), 'advies.pdf');
  const sent = await staff.postFiles(`/aanvragen/${id}/acties/submitResult`, ok);
  expect(sent.status).toBe(303);
  const result = (await env.api('GET', `/api/requests/${id}/attachments`, { token: t.requester })).body.find(
    (a: { context: string }) => a.context === 'result',
  );
  expect(result).toMatchObject({ name: 'advies.pdf', uploadedBy: 'dor-staff' });

  const requester = await signedIn(env, 'zwn-requester');
  const page = await requester.get(`/aanvragen/${id}`);
  expect(page.html).toContain(`href="/aanvragen/${id}/bijlagen/${result.id}" download>advies.pdf</a>`);
  const dl = await requester.download(`/aanvragen/${id}/bijlagen/${result.id}`);
  expect(dl.status).toBe(200);
  expect(dl.headers.get('content-disposition')).toMatch(/^attachment; filename="?advies\.pdf"?$/);
  expect(dl.bytes.equals(PDF)).toBe(true);
  const pap = await signedIn(env, 'pap-requester');
  const refusedDownload = await pap.download(`/aanvragen/${id}/bijlagen/${result.id}`);
  expect(refusedDownload.status).toBe(404);
  expect(refusedDownload.bytes.toString()).not.toContain('%PDF');
});

test('an answer with a file: stored with the answer; when the answer is refused, the file is not kept', async () => {
  const q = await requestUpTo(env, t, 'submitted', { title: 'Met vraag' });
  await env.api('POST', `/api/requests/${q}/clarification-question`, { token: t.coordinator, body: { text: 'Welke scholen?' } });
  const requester = await signedIn(env, 'zwn-requester');
  await requester.get(`/aanvragen/${q}`);
  const empty = new FormData();
  empty.append('text', ''); // refused: an answer needs text
  empty.append('bestanden', new Blob([new Uint8Array(Buffer.from('De Linde\nHet Baken\n'))]), 'scholen.txt');
  const refused = await requester.postFiles(`/aanvragen/${q}/acties/answerClarification`, empty);
  expect(refused.status).toBe(400);
  expect(await env.models.Request.db.db!.collection('attachments.files').countDocuments({ 'metadata.requestId': q })).toBe(0);
  const full = new FormData();
  full.append('text', 'Zie de lijst');
  full.append('bestanden', new Blob([new Uint8Array(Buffer.from('De Linde\nHet Baken\n'))]), 'scholen.txt');
  expect((await requester.postFiles(`/aanvragen/${q}/acties/answerClarification`, full)).status).toBe(303);
  const files = (await env.api('GET', `/api/requests/${q}/attachments`, { token: t.coordinator })).body;
  expect(files).toMatchObject([{ name: 'scholen.txt', context: 'answer', clarification: 0, contentType: 'text/plain' }]);
});
