// The claim step of an invoice run, called directly (as Temporal would retry it): on the real
// database, a retry or a resume after a crash never puts an entry on two claims, never drops
// one, and keeps a buyer's claim as it was first written.
import { MockActivityEnvironment } from '@temporalio/testing';
import { invoicingActivities } from '../../activities/invoicing';
import { connectDatabase } from '../../models/connect';
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

const run = (runTag: string) =>
  new MockActivityEnvironment().run(claim, { runKey: `run-${runTag}`, provider: 'DOR', period, runTag }) as ReturnType<typeof claim>;

/** A claim as a run wrote it (without a state: as versions before the marking wrote it). */
async function insertClaim(buyer: string, runTag: string, entryId: string, state?: 'open'): Promise<void> {
  await env.models.BillingClaim.collection.insertOne({
    _id: `DOR-${period}-${buyer}-${runTag}` as never,
    provider: 'DOR',
    buyer,
    runKey: `run-${runTag}`,
    period,
    entryIds: [entryId],
    requestIds: [`REQ-${buyer}`],
    entries: [{ _id: entryId, requestId: `REQ-${buyer}`, agreementId: `DVO-${buyer}-DOR-LEERPLICHT`, date: `${period}-01`, minutes: 60 }],
    ...(state ? { state } : {}),
  });
}

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
  await insertClaim('HIA', 'c', hia, 'open');
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

/** Issues a claim's invoice as the run would (the number does not matter here). */
async function issue(invoiceId: string, buyer: string): Promise<void> {
  await env.models.Invoice.collection.insertOne({
    _id: invoiceId as never,
    kind: 'invoice',
    provider: 'DOR',
    buyer,
    period,
    status: 'issued',
    lines: [],
  });
}

test('when an issued invoice marks its entries, then they are invoiced, the claim is marked, and the next run neither reads nor bills them', async () => {
  const acts = invoicingActivities({ models: env.models });
  const a = await approved('WSL');
  const b = await approved('WSL', 45);
  const [group] = (await run('e')).filter((g) => g.buyer === 'WSL');
  expect(group).toEqual({ buyer: 'WSL', invoiceId: `DOR-${period}-WSL-e`, entries: 2 });
  const mark = () => new MockActivityEnvironment().run(acts.markInvoicedEntries, { invoiceId: group!.invoiceId });
  // Not before its invoice is issued: a draft may still be released, and its hours billed again.
  expect(await mark()).toBe(0);
  expect((await env.models.TimeEntry.find({ _id: { $in: [a, b] } }).lean()).map((e) => e.status)).toEqual(['approved', 'approved']);
  await issue(group!.invoiceId, 'WSL');
  expect(await mark()).toBe(2);
  expect(await mark()).toBe(0); // marked once
  const entries = await env.models.TimeEntry.find({ _id: { $in: [a, b] } })
    .sort({ _id: 1 })
    .lean();
  expect(entries.map((e) => [e.status, e.invoiceId])).toEqual([
    ['invoiced', group!.invoiceId],
    ['invoiced', group!.invoiceId],
  ]);
  expect((await env.models.BillingClaim.findById(group!.invoiceId).lean())!.state).toBe('marked');

  const c = await approved('WSL', 30);
  const next = (await run('f')).filter((g) => g.buyer === 'WSL');
  expect(next).toEqual([{ buyer: 'WSL', invoiceId: `DOR-${period}-WSL-f`, entries: 1 }]);
  expect((await env.models.BillingClaim.findById(next[0]!.invoiceId).lean())!.entryIds).toEqual([c]);
  const ids = await claimedIds();
  expect(new Set(ids).size).toBe(ids.length);
});

test('when marking stopped halfway, then the open claim still keeps all its entries out, and the next run finishes the marking', async () => {
  const x = await approved('BAR');
  const y = await approved('BAR', 20);
  const [group] = (await run('g')).filter((g) => g.buyer === 'BAR');
  await issue(group!.invoiceId, 'BAR');
  // A crash after the first entry was marked, before the claim was.
  await env.models.TimeEntry.updateOne({ _id: x }, { $set: { status: 'invoiced', invoiceId: group!.invoiceId } });
  expect((await run('h')).filter((g) => g.buyer === 'BAR')).toEqual([]);
  expect((await env.models.TimeEntry.findById(y).lean())!.status).toBe('invoiced');
  expect((await env.models.BillingClaim.findById(group!.invoiceId).lean())!.state).toBe('marked');
  const ids = await claimedIds();
  expect(ids.filter((id) => id === x || id === y)).toHaveLength(2);
});

test('when claims from before the marking exist, then the first run opens them once and leaves their entries out', async () => {
  const old = await approved('MOL');
  await insertClaim('MOL', 'old', old);
  await env.models.Migration.deleteOne({ _id: 'billing-claim-state-v1' });
  // A process started after the upgrade (a connection of its own, as a new worker has).
  const fresh = await connectDatabase(env.config.mongodbUri);
  try {
    const newer = await approved('MOL', 10);
    const groups = (await new MockActivityEnvironment().run(invoicingActivities({ models: fresh.models }).claimBillingForRun, {
      runKey: 'run-i',
      provider: 'DOR',
      period,
      runTag: 'i',
    })) as { buyer: string; entries: number }[];
    expect(groups.filter((g) => g.buyer === 'MOL')).toEqual([{ buyer: 'MOL', invoiceId: `DOR-${period}-MOL-i`, entries: 1 }]);
    expect((await env.models.BillingClaim.findById(`DOR-${period}-MOL-i`).lean())!.entryIds).toEqual([newer]);
    expect((await env.models.BillingClaim.findById(`DOR-${period}-MOL-old`).lean())!.state).toBe('open');
    expect(await env.models.Migration.exists({ _id: 'billing-claim-state-v1' })).toBeTruthy();
  } finally {
    await fresh.close();
  }
});
