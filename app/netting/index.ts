// Netting rounds (verrekenrondes): finance proposes to settle all open, undisputed invoices of
// the region against each other; every party's finance agrees; the round's workflow then
// settles each invoice exactly once (workflows/netting.ts). Each party sees its own invoices,
// position and transfers in the round, and who has agreed, never others' invoices.
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import {
  agreeNetting,
  getNettingState,
  nettingWorkflowId,
  rejectNetting,
  SYSTEM_ACTOR,
  WORKFLOW_TASK_TIMEOUT,
  type NettingInvoice,
  type NettingState,
} from '../../contracts';
import { isNettable, nettingRefusal, roundOf, type NettingAction } from '../../domain/netting';
import { notFound, refuse } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { parseInput, text } from '../core/input';
import { query, startWorkflow, update } from '../core/temporal';

/** Days the parties have to agree before a round lapses. */
export const NETTING_DAYS = 14;
export const rejectSchema = z.object({ reason: text(500) });

export function nettingFeature({ models, client, taskQueue }: AppDeps, directory: Directory) {
  const handle = (id: string) => client.workflow.getHandle(nettingWorkflowId(id));

  /** The names the views need, looked up once for any number of rounds. */
  async function namesFor(states: readonly NettingState[]) {
    return { name: await directory.namer(), users: await directory.userNames([...new Set(states.map((x) => x.proposedBy))]) };
  }

  async function view(state: NettingState, actor: Actor, names?: Awaited<ReturnType<typeof namesFor>>) {
    const { name, users } = names ?? (await namesFor([state]));
    const { positions } = roundOf(state.invoices);
    const allowed = (action: NettingAction) => nettingRefusal(action, state, actor) === null;
    const mine = state.invoices.filter((i) => i.provider === actor.org || i.buyer === actor.org);
    return {
      id: state.roundId,
      status: state.status,
      proposedByName: users.get(state.proposedBy) ?? state.proposedBy,
      proposedAt: state.proposedAt,
      expiresAt: state.expiresAt,
      settledAt: state.settledAt,
      parties: state.parties.map((org) => {
        const a = state.agreements.find((x) => x.org === org);
        return { org, name: name(org), agreed: Boolean(a), agreedBy: a?.name ?? null, agreedAt: a?.at ?? null };
      }),
      rejection: state.rejection
        ? { orgName: name(state.rejection.org), name: state.rejection.name, reason: state.rejection.reason ?? '', at: state.rejection.at }
        : null,
      invoiceCount: state.invoices.length,
      settledCount: state.settledInvoiceIds.length,
      totalCents: state.invoices.reduce((s, i) => s + i.amountCents, 0),
      transferCount: state.transfers.length,
      positionCents: positions[actor.org] ?? 0,
      invoices: mine.map((i) => ({
        ...i,
        side: i.provider === actor.org ? ('receivable' as const) : ('payable' as const),
        counterpartName: name(i.provider === actor.org ? i.buyer : i.provider),
        settled: state.settledInvoiceIds.includes(i.invoiceId),
        stale: state.staleInvoiceIds.includes(i.invoiceId),
      })),
      transfers: state.transfers
        .filter((t) => t.from === actor.org || t.to === actor.org)
        .map((t) => ({ ...t, fromName: name(t.from), toName: name(t.to) })),
      mayAgree: allowed('agree'),
      mayReject: allowed('reject'),
      version: state.version,
    };
  }

  /** The round as last recorded, or not found for someone outside it. */
  async function load(actor: Actor, id: string): Promise<NettingState> {
    assertOrgAction(actor, 'viewBalances');
    const doc = await models.NettingRound.findById(id).lean();
    if (!doc) throw notFound('netting_round');
    const state = { ...(doc as unknown as NettingState), roundId: doc._id };
    const refusal = nettingRefusal('read', state, actor);
    if (refusal) throw refusal;
    return state;
  }

  /**
   * Proposes a round over every open, undisputed invoice of the region. Its id is a digest of
   * those invoices and amounts: proposing the same again is the same round.
   */
  async function propose(actor: Actor) {
    assertOrgAction(actor, 'viewBalances');
    const open = await models.Invoice.find({ kind: 'invoice', status: { $in: ['issued', 'settled'] }, outstandingCents: { $gt: 0 } })
      .select({ number: 1, provider: 1, buyer: 1, kind: 1, status: 1, outstandingCents: 1, disputedCents: 1, nettingRound: 1 })
      .sort({ _id: 1 })
      .lean();
    const invoices: NettingInvoice[] = open
      .filter((i) => isNettable(i) && !i.nettingRound && i.number)
      .map((i) => ({ invoiceId: i._id, number: i.number!, provider: i.provider, buyer: i.buyer, amountCents: i.outstandingCents }));
    if (!invoices.length) throw refuse('netting_nothing_open', {});
    const { parties, transfers } = roundOf(invoices);
    if (!parties.includes(actor.org)) throw refuse('netting_not_party', { org: actor.org });
    const digest = crypto.createHash('sha256');
    for (const i of invoices) digest.update(`${i.invoiceId}:${i.amountCents};`);
    const roundId = `net-${digest.digest('hex').slice(0, 16)}`;
    let alreadyProposed = false;
    try {
      await startWorkflow(client, 'nettingRoundWorkflow', {
        workflowId: nettingWorkflowId(roundId),
        taskQueue,
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          { roundId, invoices, parties, transfers, proposedBy: actor, proposedAt: new Date().toISOString(), expiresInDays: NETTING_DAYS },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyProposed = true;
    }
    const state = await query(client, handle(roundId), getNettingState, 'netting_round');
    return { ...(await view(state, actor)), alreadyProposed };
  }

  async function list(actor: Actor) {
    assertOrgAction(actor, 'viewBalances');
    const docs = await models.NettingRound.find({ parties: actor.org }).sort({ proposedAt: -1 }).limit(50).lean();
    const states = docs.map((d) => ({ ...(d as unknown as NettingState), roundId: d._id }));
    const names = await namesFor(states);
    return Promise.all(states.map((st) => view(st, actor, names)));
  }

  async function get(actor: Actor, id: string) {
    return view(await load(actor, id), actor);
  }

  /** My organisation agrees; when it is the last party, the round settles its invoices. */
  async function agree(actor: Actor, id: string) {
    // A round that is decided answers from its record (its workflow may have ended).
    const refusal = nettingRefusal('agree', await load(actor, id), actor);
    if (refusal) throw refusal;
    return view(await update(handle(id), agreeNetting, { actor }, 'netting_round'), actor);
  }

  async function reject(actor: Actor, id: string, raw: unknown) {
    const refusal = nettingRefusal('reject', await load(actor, id), actor);
    if (refusal) throw refusal;
    const input = parseInput(rejectSchema, raw);
    return view(await update(handle(id), rejectNetting, { actor, reason: input.reason }, 'netting_round'), actor);
  }

  /** The round's audit trail, for its parties. */
  async function history(actor: Actor, id: string) {
    await load(actor, id);
    const events = await models.AuditEvent.find({ subject: `netting-${id}` })
      .sort({ seq: 1 })
      .lean();
    const names = await directory.userNames([...new Set(events.map((e) => e.actor))]);
    const nameOf = (id: string) => (id === SYSTEM_ACTOR.userId ? 'Eenvoud, automatisch' : (names.get(id) ?? id));
    return events.map((e) => ({ seq: e.seq, action: e.action, at: e.at, actor: e.actor, actorName: nameOf(e.actor), org: e.org }));
  }

  return { propose, list, get, agree, reject, history };
}
export type NettingFeature = ReturnType<typeof nettingFeature>;
