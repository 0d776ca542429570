// Error kinds shared by the API, activities and workflows. A workflow throws them as
// ApplicationFailure with `type` set to the kind; the API maps the kind to an HTTP status.

export const ERROR_STATUS = {
  BadInput: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  InvalidState: 409,
  Conflict: 409,
  RateLimited: 429,
} as const;
export type ErrorKind = keyof typeof ERROR_STATUS;

export interface ErrorDetails {
  field?: string;
  state?: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = kind;
  }
}

export const badInput = (field: string, message: string) => new DomainError('BadInput', message, { field });
export const forbidden = (message: string) => new DomainError('Forbidden', message);
export const notFound = (what: string) => new DomainError('NotFound', `${what} not found`);
export const invalidState = (state: string, message: string) => new DomainError('InvalidState', message, { state });
export const conflict = (message: string, details: ErrorDetails = {}) => new DomainError('Conflict', message, details);

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && value in ERROR_STATUS;
}
