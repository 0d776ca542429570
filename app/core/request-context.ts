// What the application layer knows of the call it serves beyond its input: the caller's
// Idempotency-Key. It travels down to Temporal as the Update id (and fixes the id of what a
// POST creates), so a repeat after a crash of the API process finds the first call's outcome
// in the workflow instead of doing the work again.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';

const store = new AsyncLocalStorage<{ idempotencyKey: string }>();

export function withIdempotencyKey<T>(key: string, work: () => Promise<T>): Promise<T> {
  return store.run({ idempotencyKey: key }, work);
}

/** The key of the call being served, if it has one. */
export const idempotencyKeyNow = (): string | undefined => store.getStore()?.idempotencyKey;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A 26-character id in the alphabet of ULIDs, fixed by the key (and a purpose): the same on every repeat. */
export function idFromKey(key: string, purpose: string): string {
  const bytes = crypto.createHash('sha256').update(`${purpose}\n${key}`).digest();
  let id = '0';
  for (let i = 0; i < 25; i++) id += CROCKFORD[bytes[i]! % 32];
  return id;
}
