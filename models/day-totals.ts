// The day totals (models/index.ts DayTotal) of entries written before they existed: built once
// per database from the entries, then kept with every write. A process waits for this before
// its first cap check; the builds of two processes at once write the same values.
import type { Models } from './index';

const MIGRATION = 'day-totals-v1';
const ready = new WeakMap<Models, Promise<void>>();

export function dayTotalsReady(models: Models): Promise<void> {
  let p = ready.get(models);
  if (!p) {
    p = build(models);
    ready.set(models, p);
    p.catch(() => ready.delete(models)); // the next cap check tries again
  }
  return p;
}

async function build(models: Models): Promise<void> {
  if (await models.Migration.exists({ _id: MIGRATION })) return;
  const days = new Map<string, Record<string, number>>();
  const entries = models.TimeEntry.find({ correction: { $ne: true } })
    .select({ userId: 1, date: 1, minutes: 1 })
    .lean()
    .cursor();
  for await (const e of entries) {
    const id = `${e.userId}|${e.date}`;
    days.set(id, { ...days.get(id), [e._id]: e.minutes });
  }
  const ops = [...days].map(([_id, minutes]) => ({
    updateOne: {
      filter: { _id },
      update: { $set: Object.fromEntries(Object.entries(minutes).map(([k, m]) => [`minutes.${k}`, m])) },
      upsert: true,
    },
  }));
  for (let i = 0; i < ops.length; i += 500) await models.DayTotal.bulkWrite(ops.slice(i, i + 500), { ordered: false });
  await models.Migration.updateOne({ _id: MIGRATION }, { $setOnInsert: { at: new Date().toISOString() } }, { upsert: true });
}
