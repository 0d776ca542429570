// The claim step of an invoice run, called directly (as Temporal would retry it): on the real
// database, a retry or a resume after a crash never puts an entry on two claims, never drops
// one, and keeps a buyer's claim as it was first written.
import { MockActivityEnvironment } from '@temporalio/testing';
import { invoicingActivities } from '../../activities/invoicing';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';

let env: TestEnv;
let claim: ReturnType<typeof invoicingActivities>['claimBillingForRun'];
const period = todayInNL().slice(0, 7);
let seq = 0;

beforeAll(async () => {
  env = await createTestEnv();
  claim = invoicingActivities({ models: env.models }).claimBillingForRun;
});
afterAll(() => env.close());

async function approved(buyer: string, minutes = 60): Promise<string> {
  const _id = `BC-${buyer}-${++seq}`;
  await env.models.TimeEntry.create({
    _id,
    requestId: `REQ-${buyer}`,
    agreementId: `DVO-${buyer}-DOR-LEERPLICHT`,
    buyer,
    provider: 'DOR',
    userId: 'dor-staff',
    date: `${period}-01`,
    minutes,
    description: 'Werk',
    status: 'approved',
    createdAt: new Date().toISOString(),
  });
  return _id;
}

const run = (runTag: string) => new MockActivityEnvironment().run(claim, { runKey: `run-${runTag}`, provider: 'DOR', period, runTag });

async function claimedIds(): Promise<string[]> {
  return (await env.models.BillingClaim.find().select({ entryIds: 1 }).lean()).flatMap((c) => c.entryIds);
}

test('when the claim step runs twice, then the second attempt returns the same claims and writes nothing', async () => {
  await approved('ZWN');
  await approved('ZWN', 30);
  await approved('PAP');
  const first = await run('a');
  expect(first).toEqual([
    { buyer: 'PAP', invoiceId: `DOR-${period}-PAP-a`, entries: 1 },
    { buyer: 'ZWN', invoiceId: `DOR-${period}-ZWN-a`, entries: 2 },
  ]);
  // An hour approved between the attempts waits for the next run: the ZWN claim stays as it was.
  const late = await approved('ZWN', 15);
  expect(await run('a')).toEqual(first);
  expect(await env.models.BillingClaim.countDocuments()).toBe(2);
  expect(await claimedIds()).not.toContain(late);

  const next = await run('b');
  expect(next).toEqual([{ buyer: 'ZWN', invoiceId: `DOR-${period}-ZWN-b`, entries: 1 }]);
  const ids = await claimedIds();
  expect(ids).toContain(late);
  expect(new Set(ids).size).toBe(ids.length);
});

test('when a crash left one buyer claimed, then the resumed step adds only the buyers still missing', async () => {
  const hia = await approved('HIA');
  const sli = await approved('SLI');
  // What the crashed attempt wrote before it died: the HIA claim only.
  await env.models.BillingClaim.collection.insertOne({
    _id: `DOR-${period}-HIA-c` as never,
    provider: 'DOR',
    buyer: 'HIA',
    runKey: 'run-c',
    period,
    entryIds: [hia],
    requestIds: ['REQ-HIA'],
    entries: [{ _id: hia, requestId: 'REQ-HIA', agreementId: 'DVO-HIA-DOR-LEERPLICHT', date: `${period}-01`, minutes: 60 }],
  });
  expect(await run('c')).toEqual([
    { buyer: 'HIA', invoiceId: `DOR-${period}-HIA-c`, entries: 1 },
    { buyer: 'SLI', invoiceId: `DOR-${period}-SLI-c`, entries: 1 },
  ]);
  const ids = await claimedIds();
  expect(ids.filter((id) => id === hia)).toHaveLength(1);
  expect(ids).toContain(sli);
  // Every approved entry is on exactly one claim.
  const all = (await env.models.TimeEntry.find({ status: 'approved' }).select({ _id: 1 }).lean()).map((e) => e._id).sort();
  expect([...ids].sort()).toEqual(all);
});
