// The optional virus scan, against a real ClamAV daemon: an infected upload is refused and
// nothing is stored; a clean one is stored as scanned; when the configured scanner does not
// answer, nothing is stored and the caller may try again (503).
import { startClamd, type Clamd } from '../support/clamd';
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

// Built at run time, so that no virus scanner on a developer's machine quarantines this file.
const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let clamd: Clamd;
let env: TestEnv;
let t: StoryTokens;
let id: string;
beforeAll(async () => {
  clamd = await startClamd();
  env = await createTestEnv({ config: { CLAMAV_HOST: '127.0.0.1', CLAMAV_PORT: String(clamd.port) } });
  t = await storyTokens(env);
  id = await requestUpTo(env, t, 'submitted', { title: 'Met virusscan' });
});
afterAll(async () => {
  await env.close();
  await clamd.stop();
});

const upload = (name: string, bytes: Buffer) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return env.api('POST', `/api/requests/${id}/attachments`, { token: t.requester, form });
};
const stored = () => env.models.Request.db.db!.collection('attachments.files').countDocuments({ 'metadata.requestId': id });

test('an infected file is refused with the signature clamd names, and nothing is stored; a clean one is stored as scanned', async () => {
  const infected = await upload('leerlingen.txt', EICAR);
  expect(infected).toMatchObject({
    status: 422,
    body: { code: 'attachment_infected', params: { name: 'leerlingen.txt', signature: clamd.eicarSignature }, field: 'file' },
  });
  expect(await stored()).toBe(0);
  const clean = await upload('advies.pdf', PDF);
  expect(clean).toMatchObject({ status: 201, body: { scan: 'clean' } });
  expect(await stored()).toBe(1);
});

test('on the page the requester reads in Dutch that a virus was found', async () => {
  const web = await signedIn(env, 'zwn-requester');
  await web.get(`/aanvragen/${id}`);
  const form = new FormData();
  form.append('bestanden', new Blob([new Uint8Array(EICAR)]), 'brief.txt');
  const res = await web.postFiles(`/aanvragen/${id}/bijlagen`, form);
  expect(res.status).toBe(422);
  expect(res.html).toContain(`In brief.txt is een virus gevonden (${clamd.eicarSignature}). Het bestand is niet opgeslagen.`);
  expect(await stored()).toBe(1);
});

test('when the scanner is away, nothing is stored and the answer says to try again', async () => {
  await clamd.stop();
  const res = await upload('advies.pdf', PDF);
  expect(res).toMatchObject({ status: 503, body: { code: 'virus_scanner_unavailable' } });
  expect(await stored()).toBe(1);
  clamd = await startClamd(); // for afterAll
});
