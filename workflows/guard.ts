import { Refusal } from '../domain/refusals';
import { refusalFailure } from '../contracts/failures';

/** Runs a pure check; a Refusal becomes a non-retryable failure that carries its code to the caller. */
export function guard(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof Refusal) throw refusalFailure(err);
    throw err;
  }
}
