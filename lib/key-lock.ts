// One writer per key at a time, on FerretDB v1 and MongoDB alike: the lock is a document with
// the key as its unique _id, inserted first (an insert with a unique key is atomic on both)
// and deleted when the work is done. A second caller waits for it. A lock left behind by a
// crashed process is taken over once it is older than `staleMs`, or at once by a retry of the
// same work (the same `owner`), which must then be idempotent.
import { ulid } from 'ulid';
import { isDuplicateKey, type Models } from '../models';

export class LockBusyError extends Error {
  constructor(key: string) {
    super(`${key} is being changed by someone else; try again`);
    this.name = 'LockBusy';
  }
}

export async function withKeyLock<T>(
  models: Pick<Models, 'KeyLock'>,
  key: string,
  work: () => Promise<T>,
  opts: { staleMs?: number; waitMs?: number; owner?: string } = {},
): Promise<T> {
  const staleMs = opts.staleMs ?? 15_000;
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  const token = ulid();
  for (let attempt = 0; ; attempt++) {
    try {
      await models.KeyLock.create({ _id: key, token, at: Date.now(), owner: opts.owner ?? null });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await models.KeyLock.findById(key).lean();
      if (held && (Date.now() - held.at > staleMs || (opts.owner && held.owner === opts.owner))) {
        await models.KeyLock.deleteOne({ _id: key, token: held.token });
        continue;
      }
      if (Date.now() > deadline) throw new LockBusyError(key);
      // Back off a little more each time, with jitter, so waiting writers do not march in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 + attempt * 10) + Math.floor(Math.random() * 20)));
    }
  }
  try {
    return await work();
  } finally {
    await models.KeyLock.deleteOne({ _id: key, token });
  }
}
