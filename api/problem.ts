// RFC 9457 problem details for every error of the JSON API: the stable refusal code, its
// parameters and field, and an English detail made from the code.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Refusal, refuse } from '../domain/refusals';
import { bodyRefusal } from '../lib/body-errors';
import { isTransient } from '../lib/transient';

const TITLES: Record<number, string> = {
  400: 'Bad input',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** The Refusal behind any error, or null for a fault of ours. */
export function asRefusal(err: unknown): Refusal | null {
  return bodyRefusal(err) ?? (err instanceof Refusal ? err : null);
}

export function problemBody(r: Refusal, instance: string) {
  return {
    type: 'about:blank',
    title: TITLES[r.status] ?? 'Error',
    status: r.status,
    detail: r.message,
    instance,
    code: r.code,
    params: r.params,
    ...(r.field ? { field: r.field } : {}),
  };
}

export function problemHandler(log: { error: (o: object, m: string) => void; warn: (o: object, m: string) => void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    const refusal = asRefusal(err);
    if (!refusal && isTransient(err)) {
      log.warn({ err, path: req.path }, 'a dependency is briefly unavailable');
      res.status(503).set('retry-after', '5').type('application/problem+json').json({
        type: 'about:blank',
        title: TITLES[503],
        status: 503,
        detail: 'A service Eenvoud depends on is briefly unavailable; try again in a few seconds.',
        instance: req.originalUrl,
      });
      return;
    }
    if (!refusal) {
      log.error({ err, path: req.path }, 'unhandled error');
      res.status(500).type('application/problem+json').json({
        type: 'about:blank',
        title: TITLES[500],
        status: 500,
        detail: 'An unexpected error occurred. It has been logged.',
        instance: req.originalUrl,
      });
      return;
    }
    // A client's mistake is not our error: logged as a warning for the transport refusals only.
    if (refusal.status === 413 || refusal.status === 415) log.warn({ path: req.path, code: refusal.code }, 'body refused');
    res.status(refusal.status).type('application/problem+json').json(problemBody(refusal, req.originalUrl));
  };
}

export const notFoundRoute: RequestHandler = (_req, _res, next) => {
  next(refuse('not_found', { thing: 'page' }));
};
