// RFC 9457 problem details for every error, with one mapping from error kinds to statuses.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { DomainError, ERROR_STATUS, isErrorKind, type ErrorDetails } from '../domain/errors';

const TITLES: Record<number, string> = {
  400: 'Bad input',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict with the current state',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** Turns a Temporal update/query failure into the DomainError the workflow raised. */
export function fromTemporal(err: unknown): unknown {
  if (err instanceof WorkflowNotFoundError) return new DomainError('NotFound', 'request not found');
  let cause: unknown = err;
  if (err instanceof WorkflowUpdateFailedError) cause = err.cause;
  if (cause instanceof ApplicationFailure && isErrorKind(cause.type)) {
    const details = (cause.details?.[0] ?? {}) as ErrorDetails;
    return new DomainError(cause.type, cause.message, details);
  }
  return err;
}

export function zodToDomain(err: z.ZodError): DomainError {
  const issue = err.issues[0];
  const field = issue?.path.join('.') || 'body';
  return new DomainError('BadInput', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}

export function problemHandler(log: { error: (o: object, m: string) => void }): ErrorRequestHandler {
  return (rawErr, req, res, _next) => {
    let err = fromTemporal(rawErr);
    if (err instanceof z.ZodError) err = zodToDomain(err);
    if (rawErr?.type === 'entity.parse.failed') err = new DomainError('BadInput', 'body is not valid JSON', { field: 'body' });
    let status = 500;
    let detail = 'An unexpected error occurred. It has been logged.';
    let extra: ErrorDetails = {};
    if (err instanceof DomainError) {
      status = ERROR_STATUS[err.kind];
      detail = err.message;
      extra = err.details;
    } else {
      log.error({ err: rawErr, path: req.path }, 'unhandled error');
    }
    res
      .status(status)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, instance: req.originalUrl, ...extra });
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new DomainError('NotFound', `no route for ${req.method} ${req.path}`));
};
