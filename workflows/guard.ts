import { ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';

/** Runs a pure check; a DomainError becomes a non-retryable failure the API can map. */
export function guard(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.create({ type: err.kind, message: err.message, details: [err.details], nonRetryable: true });
    }
    throw err;
  }
}
