// How a Refusal crosses Temporal: an ApplicationFailure whose type is the refusal's kind (so
// retry policies can name the kinds) and whose details carry the code, parameters and field.
import { ApplicationFailure } from '@temporalio/common';
import { Refusal, refusalFrom, type ErrorKind } from '../domain/refusals';

/**
 * Failure types that no retry can fix: activities throw them, workflows never retry them.
 * (The kinds activities can raise; recorded histories carry this list, so it stays as it is.)
 */
export const NON_RETRYABLE_ERRORS: ErrorKind[] = ['BadInput', 'Forbidden', 'NotFound', 'InvalidState', 'Conflict'];

export function refusalFailure(err: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: err.kind, message: err.message, details: [err.info()], nonRetryable: true });
}

/** The Refusal inside a failure (following its causes), or null. */
export function refusalOf(err: unknown): Refusal | null {
  for (let cause: unknown = err, depth = 0; cause && depth < 6; depth++) {
    if (cause instanceof Refusal) return cause;
    if (cause instanceof ApplicationFailure) {
      const found = refusalFrom(cause.details?.[0]);
      if (found) return found;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return null;
}
