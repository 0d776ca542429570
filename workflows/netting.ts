// A netting round (verrekenronde): the open invoices between the region's organisations,
// settled against each other once the finance of every party has agreed. Settling is two
// phases, so it happens to all invoices or to none: each invoice is held first (nothing else
// may change it then); if one has changed since the proposal, all are let go and the round is
// stale. Only then is each settled, with a payment that names the round. A retry, a crash or
// a second worker cannot settle an invoice twice: the invoice refuses a second payment with
// the round's reference.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import * as msg from '../contracts';
import { NON_RETRYABLE_ERRORS, SYSTEM_ACTOR, type NettingInput, type NettingState } from '../contracts';
import { dutchDate } from '../domain/dates';
import { assertNettingAction } from '../domain/netting';
import { invalidInput } from '../domain/refusals';
import type { Actor } from '../domain/roles';
import { guard } from './guard';

const { recordNetting } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});
const { nettingInvoice } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

const DAY_MS = 24 * 3600_000;

export async function nettingRoundWorkflow(input: NettingInput): Promise<NettingState> {
  const state: NettingState = {
    roundId: input.roundId,
    status: 'proposed',
    parties: input.parties,
    invoices: input.invoices,
    transfers: input.transfers,
    agreements: [],
    rejection: null,
    proposedBy: input.proposedBy.userId,
    proposedAt: input.proposedAt,
    expiresAt: new Date(Date.parse(input.proposedAt) + input.expiresInDays * DAY_MS).toISOString(),
    settledAt: null,
    settledInvoiceIds: [],
    staleInvoiceIds: [],
    version: 0,
  };
  let writes: Promise<unknown> = Promise.resolve();
  async function act(action: string, actor: Actor, change: () => void, after: unknown = null): Promise<void> {
    const before = state.status;
    change();
    state.version += 1;
    const record = {
      state: JSON.parse(JSON.stringify(state)) as NettingState,
      event: {
        action,
        actor,
        at: new Date(Date.now()).toISOString(),
        before: { status: before },
        after: { status: state.status, ...(after ?? {}) },
      },
    };
    const write = writes.then(() => recordNetting(record));
    writes = write.catch(() => undefined);
    await write;
  }
  const decision = (actor: Actor, reason?: string) => ({
    org: actor.org,
    userId: actor.userId,
    name: actor.name ?? actor.userId,
    at: new Date(Date.now()).toISOString(),
    ...(reason ? { reason } : {}),
  });

  wf.setHandler(msg.getNettingState, () => state);
  wf.setHandler(
    msg.agreeNetting,
    async ({ actor }) => {
      await act('agreeNetting', actor, () => void state.agreements.push(decision(actor)), { org: actor.org });
      return state;
    },
    { validator: ({ actor }) => guard(() => assertNettingAction('agree', state, actor)) },
  );
  wf.setHandler(
    msg.rejectNetting,
    async ({ actor, reason }) => {
      await act('rejectNetting', actor, () => {
        state.status = 'rejected';
        state.rejection = decision(actor, reason);
      });
      return state;
    },
    {
      validator: ({ actor, reason }) => {
        guard(() => assertNettingAction('reject', state, actor));
        guard(() => {
          if (typeof reason !== 'string' || !reason.trim()) throw invalidInput('reason', 'required');
        });
      },
    },
  );

  await act('proposeNetting', input.proposedBy, () => undefined, { invoices: input.invoices.length });
  const allAgreed = () => state.parties.every((p) => state.agreements.some((a) => a.org === p));
  const decided = await wf.condition(() => state.status !== 'proposed' || allAgreed(), input.expiresInDays * DAY_MS);
  if (!decided) await act('nettingExpired', SYSTEM_ACTOR, () => void (state.status = 'expired'));
  if (state.status !== 'proposed') {
    await wf.condition(wf.allHandlersFinished);
    return state;
  }

  await act('nettingSettling', SYSTEM_ACTOR, () => void (state.status = 'settling'));
  // The Dutch calendar day (the UTC one is yesterday in the first hour or two of a Dutch day).
  const date = dutchDate(Date.now());
  const call = (op: 'hold' | 'release' | 'settle', inv: NettingInput['invoices'][number]) =>
    nettingInvoice({ op, invoiceId: inv.invoiceId, roundId: state.roundId, amountCents: inv.amountCents, date });
  // Phase one: hold every invoice. One that changed since the proposal ends the round.
  const held: NettingInput['invoices'] = [];
  const stale: string[] = [];
  for (const inv of state.invoices) {
    const r = await call('hold', inv);
    if (r.ok) held.push(inv);
    else stale.push(inv.invoiceId);
  }
  if (stale.length) {
    for (const inv of held) await call('release', inv);
    await act('nettingStale', SYSTEM_ACTOR, () => {
      state.status = 'stale';
      state.staleInvoiceIds = stale;
    });
    return state;
  }
  // Phase two: settle each, exactly the amount held.
  for (const inv of state.invoices) {
    const r = await call('settle', inv);
    if (!r.ok) throw wf.ApplicationFailure.nonRetryable(`invoice ${inv.invoiceId} could not be settled: ${r.code}`);
    state.settledInvoiceIds.push(inv.invoiceId);
  }
  await act('nettingSettled', SYSTEM_ACTOR, () => {
    state.status = 'settled';
    state.settledAt = new Date(Date.now()).toISOString();
  });
  return state;
}
