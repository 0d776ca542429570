// A minimal browser stand-in for page tests over HTTP: a cookie jar, the CSRF token of the
// last page, form posts without following redirects.
import type { TestEnv } from './env';

export interface WebClient {
  get(path: string): Promise<{ status: number; html: string; location: string | null }>;
  post(path: string, form: Record<string, string>): Promise<{ status: number; html: string; location: string | null }>;
  /** A multipart form (with files), the CSRF token first as on the pages. */
  postFiles(path: string, form: FormData): Promise<{ status: number; html: string; location: string | null }>;
  /** A download: status, headers and bytes. */
  download(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }>;
  cookies: Map<string, string>;
}

export function webClient(env: TestEnv): WebClient {
  const cookies = new Map<string, string>();
  let csrf = '';
  const send = async (method: string, path: string, body?: string | FormData) => {
    const res = await fetch(env.baseUrl + path, {
      method,
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(typeof body === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1));
    }
    const html = await res.text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? csrf;
    return { status: res.status, html, location: res.headers.get('location') };
  };
  return {
    cookies,
    get: (path) => send('GET', path),
    post: (path, form) => send('POST', path, new URLSearchParams({ _csrf: csrf, ...form }).toString()),
    postFiles: (path, form) => {
      const withToken = new FormData();
      withToken.append('_csrf', csrf);
      for (const [k, v] of form.entries()) withToken.append(k, v);
      return send('POST', path, withToken);
    },
    download: async (path) => {
      const res = await fetch(env.baseUrl + path, {
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        redirect: 'manual',
      });
      return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
    },
  };
}

/** A web client signed in as a demo user through the dev login form. */
export async function signedIn(env: TestEnv, userId: string): Promise<WebClient> {
  const c = webClient(env);
  const page = await c.get('/inloggen');
  const value = new RegExp(`value="(${userId}\\|[A-Z]+)"`).exec(page.html)?.[1];
  if (!value) throw new Error(`${userId} is not on the login page`);
  const res = await c.post('/inloggen', { user: value });
  if (res.status !== 303) throw new Error(`login of ${userId} failed: ${res.status}`);
  await c.get(res.location!); // picks up the signed-in session's token
  return c;
}
