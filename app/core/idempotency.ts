// Idempotent POSTs: the first request with an Idempotency-Key claims it (an insert with a unique
// _id, atomic on FerretDB and MongoDB); a repeat with the same key and body gets the first
// answer again and changes nothing; the same key with another body is refused. Keys live 24
// hours: older ones are treated as gone and removed by the scheduled clean-up.
import crypto from 'node:crypto';
import { refuse } from '../../domain/refusals';
import { IDEMPOTENCY_TTL_MS } from '../../domain/retention';
import type { Actor } from '../../domain/roles';
import { isDuplicateKey, type Models } from '../../models';

/** A claim without an answer after this long belongs to a call that died. */
const ABANDONED_MS = 20_000;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * `scope` names this life of the key (the key and the moment it was first claimed): work keyed
 * by it downstream (request-context.ts) is the same on every repeat, and new once the key expired.
 */
export type IdempotencyClaim = { kind: 'first'; id: string; scope: string } | { kind: 'replay'; status: number; body: unknown };

export function idempotencyStore(models: Pick<Models, 'IdempotencyKey'>) {
  /** Claims the key for this request, or returns the answer the first request got. */
  async function claim(
    actor: Actor,
    key: string,
    request: { method: string; path: string; body: unknown },
    /** The work is one Temporal call keyed by the same key: running it again alongside is safe. */
    repeatable = false,
  ): Promise<IdempotencyClaim> {
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw refuse('invalid_input', { problem: 'invalid_format' }, 'Idempotency-Key');
    const id = sha256(`${actor.userId}\n${key}`);
    const fingerprint = sha256(`${request.method}\n${request.path}\n${JSON.stringify(request.body ?? null)}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const born = Date.now();
        await models.IdempotencyKey.create({ _id: id, fingerprint, state: 'pending', at: born, born });
        return { kind: 'first', id, scope: `${id}.${born}` };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const held = await models.IdempotencyKey.findById(id).lean();
      if (!held) continue; // cleaned up in between: claim again
      if (Date.now() - held.at > IDEMPOTENCY_TTL_MS) {
        await models.IdempotencyKey.deleteOne({ _id: id, at: held.at });
        continue;
      }
      if (held.fingerprint !== fingerprint) throw refuse('idempotency_key_reused', {}, 'Idempotency-Key');
      // A first call without an answer yet may have died with its API process. Work that is one
      // Temporal call keyed by the same key (request-context.ts) runs again at once: Temporal
      // gives both the one outcome. Other work waits until the first call is surely gone.
      if (held.state !== 'done' && !repeatable && Date.now() - held.at < ABANDONED_MS)
        throw refuse('idempotency_key_in_progress', {}, 'Idempotency-Key');
      if (held.state !== 'done') {
        await models.IdempotencyKey.updateOne({ _id: id, state: 'pending' }, { $set: { at: Date.now() } });
        return { kind: 'first', id, scope: `${id}.${held.born ?? held.at}` };
      }
      return { kind: 'replay', status: held.status!, body: storedBody(held.body) };
    }
    throw refuse('concurrent_change', {});
  }

  return {
    claim,
    /** The answer of the first request, for every repeat. */
    async answered(id: string, status: number, body: unknown): Promise<void> {
      // Keys of answers must be safe in documents: the answer is stored as JSON text inside an object.
      await models.IdempotencyKey.updateOne({ _id: id }, { $set: { state: 'done', status, body: { json: JSON.stringify(body ?? null) } } });
    },
    /** The request failed on our side: a repeat may try again. */
    async release(id: string): Promise<void> {
      await models.IdempotencyKey.deleteOne({ _id: id, state: 'pending' });
    },
  };
}
export type IdempotencyStore = ReturnType<typeof idempotencyStore>;

/** The stored answer's body, as the first request got it. */
export const storedBody = (body: unknown): unknown =>
  body && typeof body === 'object' && typeof (body as { json?: unknown }).json === 'string'
    ? JSON.parse((body as { json: string }).json)
    : body;
