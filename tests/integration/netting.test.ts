// Netting rounds on the real system: finance proposes a round over the region's open invoices,
// every party's finance agrees, and the round's workflow settles each invoice exactly once,
// with audit. A round whose invoice changed settles nothing; a rejected round settles
// nothing; no one outside the round sees it.
import {
  holdForNetting,
  invoiceRunWorkflowId,
  invoiceWorkflowId,
  nettingReference,
  nettingWorkflowId,
  releaseNetting,
  SYSTEM_ACTOR,
} from '../../contracts';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';
import { requestUpTo, storyTokens, waitFor, type StoryTokens } from '../support/story';
import { signedIn } from '../support/web-client';

jest.setTimeout(120_000);

let env: TestEnv;
let t: StoryTokens;
const tok: Record<string, string> = {};
const period = todayInNL().slice(0, 7);

const post = async (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });

/** One ZWN-ICT request for Dordrecht, done and accepted: Zwijndrecht bills Dordrecht. */
async function ictForDordrecht(title: string): Promise<void> {
  const ok = async (p: Promise<{ status: number; body: any }>) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const { requestId: id } = await ok(post('/api/requests', tok.dorRequester!, { serviceId: 'ZWN-ICT', title }));
  await ok(post(`/api/requests/${id}/accept-intake`, tok.zwnCoordinator!, { estimateMinutes: 300 }));
  await ok(post(`/api/requests/${id}/approve-quote`, tok.dorRequester!));
  await ok(post(`/api/requests/${id}/assign`, tok.zwnCoordinator!, { assignee: 'zwn-staff' }));
  await ok(post(`/api/requests/${id}/time-entries`, tok.zwnStaff!, { date: todayInNL(), minutes: 90, description: 'Advies' }));
  await ok(post(`/api/requests/${id}/submit-result`, tok.zwnStaff!, { reference: 'DMS-ICT', notes: '' }));
  await ok(post(`/api/requests/${id}/review`, tok.zwnCoordinator!, { approved: true }));
  await ok(post(`/api/requests/${id}/accept-result`, tok.dorRequester!));
}

async function invoiceRuns(runPeriod: string): Promise<void> {
  for (const [provider, token] of [
    ['DOR', tok.dorFinance!],
    ['ZWN', tok.zwnFinance!],
  ] as const) {
    await post('/api/invoice-runs', token, { period: runPeriod });
    await env.client.workflow.getHandle(invoiceRunWorkflowId(provider, runPeriod)).result();
  }
}

const invoicesOpen = () =>
  env.models.Invoice.find({ kind: 'invoice', outstandingCents: { $gt: 0 } })
    .sort({ _id: 1 })
    .lean();
const roundDoc = (id: string) => env.models.NettingRound.findById(id).lean();

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  for (const [k, u] of Object.entries({
    dorFinance: 'dor-finance',
    zwnFinance: 'zwn-finance',
    papFinance: 'pap-finance',
    hiaFinance: 'hia-finance',
    dorRequester: 'dor-requester',
    zwnCoordinator: 'zwn-coordinator',
    zwnStaff: 'zwn-staff',
    papRequester: 'pap-requester',
  }))
    tok[k] = await env.token(u);
  for (const [title, requester] of [
    ['Leerplicht ZWN', t.requester],
    ['Leerplicht PAP', tok.papRequester!],
  ] as const) {
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { title, requester });
    await post(`/api/requests/${id}/accept-result`, requester);
  }
  await ictForDordrecht('ICT-advies Dordrecht');
  await invoiceRuns(period);
}, 180_000);
afterAll(() => env.close());

test('the balances page offers a round only to an organisation with something outstanding', async () => {
  const dor = await (await signedIn(env, 'dor-finance')).get('/saldi');
  expect(dor.html).toContain('Verrekenronde voorstellen</button>');
  expect(dor.html).toContain('Zo werkt de verrekening');
  expect(dor.html).toContain('class="chart-figure"');
  // Hendrik-Ido-Ambacht (HIA) is party to no invoice here.
  const hia = await (await signedIn(env, 'hia-finance')).get('/saldi');
  expect(hia.status).toBe(200);
  expect(hia.html).not.toContain('Verrekenronde voorstellen</button>');
  expect(hia.html).toContain('er is nu niets om te verrekenen');
});

describe('a round that every party agrees to', () => {
  let roundId: string;

  test('only finance of a party proposes; the same open invoices are the same round', async () => {
    expect((await post('/api/netting-rounds', tok.dorRequester!)).status).toBe(403);
    const outsider = await post('/api/netting-rounds', tok.hiaFinance!);
    expect(outsider.status).toBe(409);
    expect(outsider.body.code).toBe('netting_not_party');
    expect(await env.models.NettingRound.countDocuments()).toBe(0);

    const open = await invoicesOpen();
    expect(open).toHaveLength(3);
    const res = await post('/api/netting-rounds', tok.dorFinance!);
    expect(res.status).toBe(201);
    roundId = res.body.id;
    expect(res.body).toMatchObject({ status: 'proposed', invoiceCount: 3, alreadyProposed: false });
    expect(res.body.parties.map((p: { org: string }) => p.org)).toEqual(['DOR', 'PAP', 'ZWN']);
    expect(res.body.totalCents).toBe(open.reduce((s, i) => s + i.outstandingCents, 0));
    // Dordrecht's position: what ZWN and PAP owe it, less what it owes ZWN.
    const owed = (provider: string, buyer: string) =>
      open.filter((i) => i.provider === provider && i.buyer === buyer).reduce((s, i) => s + i.outstandingCents, 0);
    expect(res.body.positionCents).toBe(owed('DOR', 'ZWN') + owed('DOR', 'PAP') - owed('ZWN', 'DOR'));
    // Dordrecht sees its three invoices; Papendrecht only its own one.
    expect(res.body.invoices).toHaveLength(3);
    const pap = await env.api('GET', `/api/netting-rounds/${roundId}`, { token: tok.papFinance! });
    expect(pap.body.invoices).toHaveLength(1);
    expect(pap.body.invoices[0]).toMatchObject({ side: 'payable', provider: 'DOR', buyer: 'PAP' });

    const again = await post('/api/netting-rounds', tok.zwnFinance!);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: roundId, alreadyProposed: true });
    expect(await env.models.NettingRound.countDocuments()).toBe(1);
  });

  test('no one outside the round sees it', async () => {
    const hia = await env.api('GET', `/api/netting-rounds/${roundId}`, { token: tok.hiaFinance! });
    expect(hia.status).toBe(404);
    expect(JSON.stringify(hia.body)).not.toContain('DOR-');
    expect((await env.api('GET', '/api/netting-rounds', { token: tok.hiaFinance! })).body).toEqual([]);
    expect((await post(`/api/netting-rounds/${roundId}/agree`, tok.hiaFinance!)).status).toBe(404);
    const page = await (await signedIn(env, 'hia-finance')).get(`/saldi/verrekenronde/${roundId}`);
    expect(page.status).toBe(404);
  });

  test('each party agrees once; a non-finance role cannot', async () => {
    const zwn = await post(`/api/netting-rounds/${roundId}/agree`, tok.zwnFinance!);
    expect(zwn.status).toBe(200);
    expect(zwn.body.parties.find((p: { org: string }) => p.org === 'ZWN').agreed).toBe(true);
    const twice = await post(`/api/netting-rounds/${roundId}/agree`, tok.zwnFinance!);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('netting_already_agreed');
    expect((await post(`/api/netting-rounds/${roundId}/agree`, tok.papRequester!)).status).toBe(403);
    expect((await invoicesOpen()).every((i) => i.paidCents === 0)).toBe(true);
  });

  test('when the last two agree at once, every invoice is settled exactly once, and the balances are zero', async () => {
    const before = await invoicesOpen();
    const [dor, pap] = await Promise.all([
      post(`/api/netting-rounds/${roundId}/agree`, tok.dorFinance!),
      post(`/api/netting-rounds/${roundId}/agree`, tok.papFinance!),
    ]);
    expect([dor.status, pap.status]).toEqual([200, 200]);
    const done = await waitFor(
      'the round settled',
      () => roundDoc(roundId),
      (r) => r?.status === 'settled',
    );
    expect(done!.settledInvoiceIds).toHaveLength(3);
    for (const inv of before) {
      const after = await waitFor(
        'invoice paid',
        () => env.models.Invoice.findById(inv._id).lean(),
        (i) => i?.status === 'paid',
      );
      const netted = (after!.payments as unknown as { reference: string; amountCents: number }[]).filter(
        (p) => p.reference === nettingReference(roundId),
      );
      expect(netted).toEqual([expect.objectContaining({ amountCents: inv.outstandingCents })]);
      expect(after!.paidCents).toBe(inv.grossCents);
      expect(after!.outstandingCents).toBe(0);
      expect(after!.nettingRound).toBeNull();
    }
    await recordHistory(env, nettingWorkflowId(roundId), 'netting-round-settled');
    await recordHistory(env, invoiceWorkflowId(before[0]!._id), 'invoice-settled-by-netting');
    const balances = await env.api('GET', '/api/balances', { token: tok.dorFinance! });
    expect(balances.body.every((b: { outstandingCents: number }) => b.outstandingCents === 0)).toBe(true);
    // Agreeing after the round: refused, and nothing moves.
    const late = await post(`/api/netting-rounds/${roundId}/agree`, tok.dorFinance!);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('netting_closed');
  });

  test('the audit trail names the proposal, each agreement and the settlement, and each invoice says it was netted', async () => {
    const audit = await env.api('GET', `/api/netting-rounds/${roundId}/audit`, { token: tok.papFinance! });
    const actions = audit.body.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('proposeNetting');
    expect(actions.filter((a: string) => a === 'agreeNetting')).toHaveLength(3);
    expect(actions.slice(-2)).toEqual(['nettingSettling', 'nettingSettled']);
    const inv = (await invoicesOpen()).length;
    expect(inv).toBe(0);
    const any = (await env.models.Invoice.findOne({ buyer: 'PAP' }).lean())!;
    const events = await env.models.AuditEvent.find({ subject: `invoice-${any._id}` })
      .sort({ seq: 1 })
      .lean();
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['holdForNetting', 'settleByNetting']));
    expect(events.filter((e) => e.action === 'settleByNetting')).toHaveLength(1);
  });
});

describe('rounds that settle nothing', () => {
  beforeAll(async () => {
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Leerplicht ZWN 2' });
    await post(`/api/requests/${id}/accept-result`, t.requester);
    await ictForDordrecht('ICT-advies Dordrecht 2');
    // A second run of the same period bills what the first left.
    await invoiceRuns(period);
    expect(await invoicesOpen()).toHaveLength(2);
  }, 120_000);

  test('an invoice held by a round refuses a payment until the round lets it go', async () => {
    const inv = (await invoicesOpen())[0]!;
    const handle = env.client.workflow.getHandle(invoiceWorkflowId(inv._id));
    const hold = { actor: SYSTEM_ACTOR, roundId: 'net-test', amountCents: inv.outstandingCents, date: todayInNL() };
    await handle.executeUpdate(holdForNetting, { args: [hold] });
    const buyerToken = inv.buyer === 'DOR' ? tok.dorFinance! : tok.zwnFinance!;
    const pay = await post(`/api/invoices/${inv._id}/payments`, buyerToken, { amountCents: 100, date: todayInNL(), reference: 'x' });
    expect(pay.status).toBe(409);
    expect(pay.body.code).toBe('invoice_in_netting');
    // Only the round itself may hold an invoice.
    await expect(
      handle.executeUpdate(holdForNetting, {
        args: [{ ...hold, actor: { userId: 'dor-finance', org: 'DOR', roles: ['provider_finance'] } }],
      }),
    ).rejects.toThrow();
    await handle.executeUpdate(releaseNetting, { args: [hold] });
    expect((await env.models.Invoice.findById(inv._id).lean())!.nettingRound).toBeNull();
  });

  test('a payment between the proposal and the last agreement: the round holds nothing, settles nothing, and says so', async () => {
    const res = await post('/api/netting-rounds', tok.zwnFinance!);
    expect(res.status).toBe(201);
    const id = res.body.id;
    const [first] = await invoicesOpen();
    const buyerToken = first!.buyer === 'DOR' ? tok.dorFinance! : tok.zwnFinance!;
    expect(
      (await post(`/api/invoices/${first!._id}/payments`, buyerToken, { amountCents: 100, date: todayInNL(), reference: 'deel' })).status,
    ).toBe(201);
    await post(`/api/netting-rounds/${id}/agree`, tok.zwnFinance!);
    await post(`/api/netting-rounds/${id}/agree`, tok.dorFinance!);
    const round = await waitFor(
      'the round stale',
      () => roundDoc(id),
      (r) => r?.status === 'stale',
    );
    expect(round!.staleInvoiceIds).toEqual([first!._id]);
    expect(round!.settledInvoiceIds).toEqual([]);
    await recordHistory(env, nettingWorkflowId(id), 'netting-round-stale');
    for (const inv of await env.models.Invoice.find({
      _id: { $in: round!.invoices.map((i: { invoiceId: string }) => i.invoiceId) },
    }).lean()) {
      expect((inv.payments as unknown as { reference: string }[]).some((p) => p.reference === nettingReference(id))).toBe(false);
      expect(inv.nettingRound).toBeNull();
      expect(inv.outstandingCents).toBeGreaterThan(0);
    }
    const page = await (await signedIn(env, 'zwn-finance')).get(`/saldi/verrekenronde/${id}`);
    expect(page.html).toContain('Er is niets verrekend');
  });

  test('a rejected round settles nothing; the reason is required and shown', async () => {
    const res = await post('/api/netting-rounds', tok.dorFinance!);
    const id = res.body.id;
    const empty = await post(`/api/netting-rounds/${id}/reject`, tok.zwnFinance!, { reason: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe('reason');
    const rejected = await post(`/api/netting-rounds/${id}/reject`, tok.zwnFinance!, { reason: 'Factuur ICT klopt niet' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejection: { reason: 'Factuur ICT klopt niet', orgName: 'Gemeente Zwijndrecht' },
    });
    expect((await post(`/api/netting-rounds/${id}/agree`, tok.dorFinance!)).body.code).toBe('netting_closed');
    expect(
      (await invoicesOpen()).every(
        (i) => !(i.payments as unknown as { reference: string }[]).some((p) => p.reference.startsWith('Verrekening')),
      ),
    ).toBe(true);
  });
});
