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

test('when the claim is given the issue date, then it drafts each invoice, and the invoice made from that draft is the one made without it', async () => {
  const acts = invoicingActivities({ models: env.models });
  for (const buyer of ['ALB', 'GRA'])
    await env.models.Request.collection.insertOne({
      _id: `REQ-${buyer}` as never,
      buyer,
      provider: 'DOR',
      serviceId: 'DOR-LEERPLICHT',
      title: `Opdracht ${buyer}`,
    });
  await approved('ALB', 95);
  await approved('ALB', 20);
  await approved('GRA', 45);
  const issueDate = `${period}-28`;
  const env_ = new MockActivityEnvironment();
  const groups = (await env_.run(claim, { runKey: 'run-d', provider: 'DOR', period, runTag: 'd', issueDate })) as Awaited<
    ReturnType<typeof claim>
  >;
  expect(groups.map((g) => g.buyer)).toEqual(['ALB', 'GRA']);
  const drafts = await env.models.Invoice.find({ runKey: 'run-d' }).sort({ _id: 1 }).lean();
  expect(drafts.map((d) => [d.buyer, d.status, d.netCents > 0])).toEqual([
    ['ALB', 'draft', true],
    ['GRA', 'draft', true],
  ]);
  const made = async (buyer: string, invoiceId: string) =>
    (await env_.run(acts.createInvoiceForBuyer, {
      runKey: 'run-d',
      claimed: true,
      invoiceId,
      provider: 'DOR',
      buyer,
      period,
      issueDate,
    })) as Awaited<ReturnType<typeof acts.createInvoiceForBuyer>>;
  const figures = (i: { lines: unknown; vat: unknown; netCents: number; vatCents: number; grossCents: number; dueDate: string }) => ({
    lines: i.lines,
    vat: i.vat,
    netCents: i.netCents,
    vatCents: i.vatCents,
    grossCents: i.grossCents,
    dueDate: i.dueDate,
  });
  // ALB from the claim's draft; GRA's draft removed first, so that the invoice drafts itself.
  const alb = await made('ALB', drafts[0]!._id);
  await env.models.Invoice.deleteOne({ _id: drafts[1]!._id });
  const gra = await made('GRA', drafts[1]!._id);
  const issued = await env.models.Invoice.find({ runKey: 'run-d' }).sort({ _id: 1 }).lean();
  expect(issued.map((i) => [i.status, i.number, i.outstandingCents])).toEqual([
    ['issued', alb.number, alb.grossCents],
    ['issued', gra.number, gra.grossCents],
  ]);
  expect(figures(issued[0]!)).toEqual(figures(drafts[0]!));
  expect(figures(issued[1]!)).toEqual(figures(drafts[1]!));
  expect(alb.entries).toBe(2);
  expect(gra.entries).toBe(1);
});
