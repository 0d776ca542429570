// The 24-hours-a-day cap across requests holds under concurrency on the real FerretDB: eight
// writers registering hours for one person on one day at once never pass 24 hours, lose no
// registration and get no false refusal; the entries are the ledger.
import { requestActivities } from '../../activities/requests';
import { SYSTEM_ACTOR } from '../../contracts';
import { addDays } from '../../domain/dates';
import { createViews } from '../../lib/views';
import { LockBusyError, withKeyLock } from '../../lib/key-lock';
import { dayTotalsReady } from '../../models/day-totals';
import { createTestEnv, PUBLIC_BASE_URL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, workflowState, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

/** Eight requests of one staff member in progress, then one registration on each at the same moment. */
async function race(assignee: string, minutes: number) {
  const staff = await env.token(assignee);
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await requestUpTo(env, t, 'in_progress', { title: `Race ${assignee} ${i}`, assignee }));
  const answers = await Promise.all(
    ids.map((id, i) =>
      env.api('POST', `/api/requests/${id}/time-entries`, { token: staff, body: { date: today(), minutes, description: `Werk ${i}` } }),
    ),
  );
  const entries = await env.models.TimeEntry.find({ userId: assignee, date: today() }).lean();
  return { answers, entries, ids };
}

test('when eight registrations of 200 minutes race for one person-day, seven fit and the eighth is refused with what is left', async () => {
  const { answers, entries } = await race('dor-staff', 200);
  const accepted = answers.filter((a) => a.status === 201);
  const refused = answers.filter((a) => a.status !== 201);
  expect(accepted).toHaveLength(7);
  expect(refused.map((r) => [r.status, r.body.code, r.body.params])).toEqual([
    [409, 'day_cap_exceeded', { date: today(), remainingMinutes: 40 }],
  ]);
  // Nothing lost, nothing doubled: exactly the accepted entries are there, 1,400 minutes.
  expect(entries).toHaveLength(7);
  expect(entries.reduce((s, e) => s + e.minutes, 0)).toBe(1_400);
  expect(new Set(entries.map((e) => e._id))).toEqual(new Set(accepted.map((a) => a.body.entryId)));
  expect(await env.models.KeyLock.countDocuments()).toBe(0);
});

test('when eight registrations that add up to exactly 24 hours race on an empty day, all of them are accepted', async () => {
  const { answers, entries } = await race('dor-staff-2', 180);
  expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
  expect(entries.reduce((s, e) => s + e.minutes, 0)).toBe(1_440);
  // The day is full now: one more minute on any request is refused.
  const more = await env.api('POST', `/api/requests/${entries[0]!.requestId}/time-entries`, {
    token: await env.token('dor-staff-2'),
    body: { date: today(), minutes: 1, description: 'Nog één minuut' },
  });
  expect(more).toMatchObject({ status: 409, body: { code: 'day_cap_exceeded', params: { remainingMinutes: 0 } } });
});

test('when an entry is edited to another length, the cap counts the rest of the day, not the entry itself', async () => {
  const staff = await env.token('dor-staff');
  const entry = (await env.models.TimeEntry.find({ userId: 'dor-staff', date: today() }).lean())[0]!;
  // 1,400 minutes on the day: this entry may grow by 40 minutes, not by 41.
  const put = (minutes: number) =>
    env.api('PUT', `/api/requests/${entry.requestId}/time-entries/${entry._id}`, {
      token: staff,
      body: { date: today(), minutes, description: entry.description },
    });
  expect((await put(241)).body).toMatchObject({ code: 'day_cap_exceeded', params: { remainingMinutes: 240 } });
  expect((await put(240)).status).toBe(200);
  const day = await env.models.TimeEntry.find({ userId: 'dor-staff', date: today() }).lean();
  expect(day.reduce((s, e) => s + e.minutes, 0)).toBe(1_440);
});

test('a lock left by a crashed write is taken over at once by a retry of the same write, while other work waits for it', async () => {
  const key = `day:test-lock:${today()}`;
  // The lock a worker left when it was killed in the middle of writing entry A.
  await env.models.KeyLock.create({ _id: key, token: 'dead-worker', at: Date.now(), owner: 'entry-A' });
  const order: string[] = [];
  // Another entry waits (here: gives up after 300 ms), since the lock is fresh and not its own.
  await expect(withKeyLock(env.models, key, async () => order.push('B'), { owner: 'entry-B', waitMs: 300 })).rejects.toBeInstanceOf(
    LockBusyError,
  );
  // The retry of entry A's write goes ahead at once and leaves no lock behind.
  const started = Date.now();
  await withKeyLock(env.models, key, async () => order.push('A'), { owner: 'entry-A', waitMs: 300 });
  expect(order).toEqual(['A']);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(await env.models.KeyLock.exists({ _id: key })).toBeNull();
});

test('a retried write of an entry that is already there changes nothing, also when the day has filled since', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { title: 'Opnieuw geschreven', assignee: 'dor-staff-2' });
  const state = await workflowState(env, id);
  const acts = requestActivities({ models: env.models, views: createViews(), slaTimeScale: 1, publicBaseUrl: PUBLIC_BASE_URL });
  const date = addDays(today(), -7);
  const write = (entryId: string, minutes: number) =>
    acts.recordRequest({
      state,
      submittedBy: 'zwn-requester',
      submittedAt: new Date().toISOString(),
      // An event the trail already has: its append is a no-op.
      event: { seq: 1, action: 'submit', actor: SYSTEM_ACTOR, at: new Date().toISOString(), reason: null, before: null, after: null },
      entry: { op: 'insert', entryId, userId: 'dor-staff-2', date, minutes, description: 'Opnieuw' },
    });
  await write(`${id}-A`, 600);
  await write(`${id}-B`, 840);
  // A is written again (a retry after a crash), the day now full: no refusal, nothing doubled.
  await write(`${id}-A`, 600);
  expect(await dayFigures('dor-staff-2', date)).toEqual({ total: 1_440, entries: 1_440 });
  expect(await env.models.TimeEntry.countDocuments({ _id: `${id}-A` })).toBe(1);
  await expect(write(`${id}-C`, 1)).rejects.toMatchObject({ code: 'day_cap_exceeded' });
  expect(await dayFigures('dor-staff-2', date)).toEqual({ total: 1_440, entries: 1_440 });
});

/** The day total of a person-day, and the sum of that day's entries: one figure. */
async function dayFigures(userId: string, date: string) {
  const total = await env.models.DayTotal.findById(`${userId}|${date}`).lean();
  const entries = await env.models.TimeEntry.find({ userId, date, correction: { $ne: true } }).lean();
  return {
    total: Object.values(total?.minutes ?? {}).reduce((s, m) => s + m, 0),
    entries: entries.reduce((s, e) => s + e.minutes, 0),
  };
}

test('when entries are deleted, their minutes leave the day: the day total stays the sum of its entries', async () => {
  const staff = await env.token('dor-staff');
  const day = today();
  const [a, b] = await env.models.TimeEntry.find({ userId: 'dor-staff', date: day }).lean();
  expect(await dayFigures('dor-staff', day)).toEqual({ total: 1_440, entries: 1_440 });
  for (const e of [a!, b!])
    expect((await env.api('DELETE', `/api/requests/${e.requestId}/time-entries/${e._id}`, { token: staff })).status).toBe(200);
  const free = a!.minutes + b!.minutes;
  expect(await dayFigures('dor-staff', day)).toEqual({ total: 1_440 - free, entries: 1_440 - free });
  // Exactly the freed minutes fit again; one more does not.
  const log = (minutes: number) =>
    env.api('POST', `/api/requests/${a!.requestId}/time-entries`, { token: staff, body: { date: day, minutes, description: 'Weer vrij' } });
  expect((await log(free + 1)).body).toMatchObject({ code: 'day_cap_exceeded', params: { remainingMinutes: free } });
  expect((await log(free)).status).toBe(201);
  expect(await dayFigures('dor-staff', day)).toEqual({ total: 1_440, entries: 1_440 });
});

test('entries from before the day totals existed are counted: the totals are built from them once', async () => {
  // An entry written by an older version (no day total), and the build not yet run.
  const date = addDays(today(), -3);
  await env.models.TimeEntry.create({
    _id: `OLD-${date}`,
    requestId: 'REQ-OLD',
    agreementId: 'DVO-OLD',
    buyer: 'ZWN',
    provider: 'DOR',
    userId: 'dor-staff-2',
    date,
    minutes: 1_000,
    description: 'Van vóór de dagtotalen',
    status: 'approved',
    createdAt: new Date().toISOString(),
  });
  await env.models.Migration.deleteOne({ _id: 'day-totals-v1' });
  // A process that has not built them yet (its own models object).
  await dayTotalsReady({ ...env.models });
  expect(await dayFigures('dor-staff-2', date)).toEqual({ total: 1_000, entries: 1_000 });
  expect(await env.models.Migration.exists({ _id: 'day-totals-v1' })).not.toBeNull();
});
