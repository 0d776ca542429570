// Web sessions and CSRF over plain HTTP: cookie flags, forms refused without the token,
// a tampered cookie signs nobody in, Dutch error pages without stack traces.
import { createTestEnv, type TestEnv } from '../support/env';
import { SESSION_COOKIE, SESSION_MAX_AGE_MS } from '../../web/session';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

/** A tiny cookie jar: name=value pairs from Set-Cookie headers. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(res: Response) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [name, ...rest] = pair!.split('=');
        cookies.set(name!.trim(), rest.join('='));
      }
    },
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    cookies,
  };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

async function get(path: string, j: ReturnType<typeof jar>) {
  const res = await fetch(env.baseUrl + path, { headers: { cookie: j.header() }, redirect: 'manual' });
  j.take(res);
  return { res, html: await res.text() };
}

async function post(path: string, j: ReturnType<typeof jar>, form: Record<string, string>) {
  const res = await fetch(env.baseUrl + path, {
    method: 'POST',
    headers: { cookie: j.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  j.take(res);
  return { res, html: await res.text() };
}

test('when the login page is opened, then the session cookie is signed, httpOnly and SameSite=Lax', async () => {
  const j = jar();
  const { res, html } = await get('/inloggen', j);
  expect(res.status).toBe(200);
  const setCookies = res.headers.getSetCookie();
  const session = setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const signature = setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}.sig=`));
  expect(session).toBeDefined();
  expect(signature).toBeDefined();
  for (const c of [session!, signature!]) {
    expect(c.toLowerCase()).toContain('httponly');
    expect(c.toLowerCase()).toContain('samesite=lax');
    expect(c.toLowerCase()).toContain('path=/');
  }
  expect(csrfOf(html)).toMatch(/^[\w-]{40,}$/);
  expect(html).toContain('<html lang="nl"');
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
});

test('when a form is posted without or with a wrong CSRF token, then it is refused with a Dutch page', async () => {
  const j = jar();
  const { html } = await get('/inloggen', j);
  const token = csrfOf(html)!;
  const without = await post('/inloggen', j, { user: 'zwn-requester|ZWN' });
  expect(without.res.status).toBe(403);
  expect(without.html).toContain('Formulier verlopen');
  const wrong = await post('/inloggen', j, { user: 'zwn-requester|ZWN', _csrf: `${token.slice(0, -2)}xx` });
  expect(wrong.res.status).toBe(403);
  // Still nobody signed in
  const page = await get('/aanvragen', j);
  expect(page.res.status).toBe(303);
  expect(page.res.headers.get('location')).toBe('/inloggen?terug=%2Faanvragen');
});

test('when the token is sent, then the user is signed in; a POST to a page without it is refused too', async () => {
  const j = jar();
  const token = csrfOf((await get('/inloggen', j)).html)!;
  const login = await post('/inloggen', j, { user: 'zwn-requester|ZWN', _csrf: token });
  expect(login.res.status).toBe(303);
  expect(login.res.headers.get('location')).toBe('/actie-nodig');
  const mine = await get('/aanvragen', j);
  expect(mine.res.status).toBe(200);
  expect(mine.html).toContain('Mijn aanvragen');
  expect(mine.html).toContain('Anne de Vries');
  // The signed-in session has a fresh token; the old one no longer works.
  const fresh = csrfOf(mine.html)!;
  expect(fresh).not.toBe(token);
  const stale = await post('/aanvragen/nieuw', j, { _csrf: token, serviceId: 'DOR-LEERPLICHT', title: 'x', kind: 'one_off' });
  expect(stale.res.status).toBe(403);
  expect(await env.models.Request.countDocuments()).toBe(0);
  const noToken = await post('/uitloggen', j, {});
  expect(noToken.res.status).toBe(403);
  // A copy of the signed-in cookie, taken before signing out (as a thief or a shared computer would keep it).
  const copy = jar();
  for (const [k, v] of j.cookies) copy.cookies.set(k, v);
  expect((await get('/aanvragen', copy)).res.status).toBe(200);
  const out = await post('/uitloggen', j, { _csrf: fresh });
  expect(out.res.status).toBe(303);
  expect((await get('/aanvragen', j)).res.status).toBe(303);
  // Signing out ended the session on the server: the copied cookie opens nothing any more.
  const replay = await get('/aanvragen', copy);
  expect(replay.res.status).toBe(303);
  expect(replay.res.headers.get('location')).toMatch(/^\/inloggen/);
});

test('when a signed-in session is older than a working day, then the server no longer accepts it', async () => {
  const j = jar();
  const token = csrfOf((await get('/inloggen', j)).html)!;
  await post('/inloggen', j, { user: 'zwn-requester|ZWN', _csrf: token });
  expect((await get('/aanvragen', j)).res.status).toBe(200);
  // The same cookie, replayed after the session's lifetime (the server runs in this process).
  const later = Date.now() + SESSION_MAX_AGE_MS + 60_000;
  const now = jest.spyOn(Date, 'now').mockReturnValue(later);
  try {
    const res = await get('/aanvragen', j);
    expect(res.res.status).toBe(303);
    expect(res.res.headers.get('location')).toMatch(/^\/inloggen/);
  } finally {
    now.mockRestore();
  }
});

test('when the session cookie is tampered with, then nobody is signed in', async () => {
  const j = jar();
  const token = csrfOf((await get('/inloggen', j)).html)!;
  await post('/inloggen', j, { user: 'zwn-requester|ZWN', _csrf: token });
  const value = JSON.parse(Buffer.from(j.cookies.get(SESSION_COOKIE)!, 'base64').toString('utf8'));
  expect(value.userId).toBe('zwn-requester');
  // Claim to be Dordrecht's finance officer without the signing key.
  j.cookies.set(SESSION_COOKIE, Buffer.from(JSON.stringify({ ...value, userId: 'dor-finance', org: 'DOR' })).toString('base64'));
  const res = await get('/facturen', j);
  expect(res.res.status).toBe(303);
  expect(res.res.headers.get('location')).toMatch(/^\/inloggen/);
});

test('when a page fails or does not exist, then a Dutch error page without a stack trace answers', async () => {
  const j = jar();
  const token = csrfOf((await get('/inloggen', j)).html)!;
  await post('/inloggen', j, { user: 'pap-requester|PAP', _csrf: token });
  const missing = await get('/aanvragen/01ARZ3NDEKTSV4RRFFQ69G5FAV', j);
  expect(missing.res.status).toBe(404);
  expect(missing.html).toContain('<h1>Niet gevonden</h1>');
  expect(missing.html).not.toMatch(/at .*\.(ts|js):\d+/);
  const nowhere = await get('/bestaat-niet', j);
  expect(nowhere.res.status).toBe(404);
  expect(nowhere.html).toContain('Niet gevonden');
  // A requester has no access to finance pages.
  const finance = await get('/facturen', j);
  expect(finance.res.status).toBe(403);
  expect(finance.html).toContain('Geen toegang');
  // The JSON API keeps its problem+json answers.
  const api = await fetch(`${env.baseUrl}/api/nothing-here`);
  expect(api.headers.get('content-type')).toMatch(/problem\+json/);
});
