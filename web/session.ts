// Web sessions: a signed cookie (cookie-session, HMAC with SESSION_SECRET) holding only who is
// signed in, for which organisation, and the CSRF token. Roles are read from the database on
// every request, so a changed membership counts at once.
import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import cookieSession from 'cookie-session';
import type { Config } from '../config';
import { refuse } from '../domain/refusals';

export const SESSION_COOKIE = 'eenvoud_sessie';
export const CSRF_FIELD = '_csrf';
/** A signed-in session lasts a working day, in the browser and on the server. */
export const SESSION_MAX_AGE_MS = 8 * 3600 * 1000;

export interface WebSession {
  /** Random id of this signed-in session; signing out ends it on the server. */
  sid?: string;
  userId?: string;
  org?: string;
  /** When the user signed in (ms since the epoch). */
  since?: number;
  csrf?: string;
  flash?: string;
  /** OIDC login in progress: PKCE verifier, state and where to go afterwards. */
  oidc?: { verifier: string; state: string; returnTo: string };
}

export function sessionMiddleware(config: Config): RequestHandler {
  return cookieSession({
    name: SESSION_COOKIE,
    keys: [config.SESSION_SECRET!],
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: config.NODE_ENV === 'production',
    maxAge: SESSION_MAX_AGE_MS,
  });
}

export function sessionOf(req: Request): WebSession {
  if (!req.session) throw new Error('no session middleware');
  return req.session as unknown as WebSession;
}

/** The synchronizer token of this session, created on first use. */
export function csrfToken(req: Request): string {
  const s = sessionOf(req);
  s.csrf ??= crypto.randomBytes(32).toString('base64url');
  return s.csrf;
}

/** Every state-changing request must carry the session's token in the form (or an X-CSRF-Token header). */
export const verifyCsrf: RequestHandler = (req, _res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  const expected = sessionOf(req).csrf;
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('x-csrf-token');
  const ok =
    typeof expected === 'string' &&
    typeof sent === 'string' &&
    sent.length === expected.length &&
    crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) return next(refuse('form_expired', {}));
  next();
};

/** A fresh session id for a new sign-in. */
export const newSessionId = () => crypto.randomBytes(18).toString('base64url');

/** A message shown once on the next page. */
export function flash(req: Request, message: string): void {
  sessionOf(req).flash = message;
}
export function takeFlash(req: Request): string | undefined {
  const s = sessionOf(req);
  const m = s.flash;
  if (m) delete s.flash;
  return m;
}
