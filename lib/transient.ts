// A dependency that is briefly away (the database restarting, a connection pool cleared) is not
// the caller's problem: calls that are safe to repeat are tried again for a while.

const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
]);

/** Socket faults of a connection the database dropped (killed or restarting). */
const SOCKET_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

type Fault = { name?: string; message?: string; code?: unknown };
const inChain = (err: unknown, test: (e: Fault) => boolean): boolean => {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    if (test(e as Fault)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
};

/** The database is briefly away: whatever read or wrote nothing yet may be tried again. */
export const isDatabaseTransient = (err: unknown): boolean =>
  inChain(
    err,
    (e) =>
      TRANSIENT_NAMES.has(e.name ?? '') ||
      (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) ||
      /buffering timed out|ECONNREFUSED|ECONNRESET|EPIPE|socket has been ended|connection .* closed/i.test(e.message ?? ''),
  );

/**
 * Temporal did not answer in time, or no worker took the task (one was just killed). A query
 * may be asked again; an Update's outcome is unknown, so only its caller may repeat it (with
 * the same Idempotency-Key).
 */
export const isTemporalUnavailable = (err: unknown): boolean =>
  inChain(err, (e) => /\b(DEADLINE_EXCEEDED|UNAVAILABLE)\b/.test(e.message ?? ''));

/** Either: the caller gets 503 with Retry-After, not 500. */
export const isTransient = (err: unknown): boolean => isDatabaseTransient(err) || isTemporalUnavailable(err);

/**
 * Runs `work` again after a failure `retryable` calls transient, with growing pauses, for up
 * to `budgetMs`.
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  { budgetMs = 30_000, retryable = isDatabaseTransient }: { budgetMs?: number; retryable?: (err: unknown) => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let pause = 250; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      return await work();
    } catch (err) {
      if (!retryable(err) || Date.now() + pause > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
