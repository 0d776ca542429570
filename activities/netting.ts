// Activities of a netting round: record its state and audit, and ask an invoice workflow to
// hold, release or settle. Each is idempotent: the invoice workflow ignores a repeat for the
// same round, and a round's record only moves forward (its version).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { refusalOf } from '../contracts/failures';
import { invoiceWorkflowId } from '../contracts/invoice';
import {
  holdForNetting,
  nettingReference,
  releaseNetting,
  settleByNetting,
  type NettingHold,
  type NettingState,
} from '../contracts/netting';
import { SYSTEM_ACTOR } from '../contracts/request';
import { appendAudit, type AuditEventInput } from '../models/audit';
import { ignoreDuplicateKey, type Models } from '../models';

export type NettingOp = 'hold' | 'release' | 'settle';
const UPDATES = { hold: holdForNetting, release: releaseNetting, settle: settleByNetting } as const;

export function nettingActivities({ models, client }: { models: Models; client?: Client }) {
  async function recordNetting(input: { state: NettingState; event: Omit<AuditEventInput, 'seq'> }): Promise<void> {
    const { state } = input;
    await appendAudit(models, `netting-${state.roundId}`, { ...input.event, seq: state.version });
    // The first record inserts; later ones only move it forward (a retry of an older one is a no-op).
    if (state.version === 1) await models.NettingRound.create({ _id: state.roundId, ...state }).catch(ignoreDuplicateKey);
    else await models.NettingRound.updateOne({ _id: state.roundId, version: { $lt: state.version } }, { $set: state });
  }

  /** Asks one invoice to hold, release or settle for the round; a refusal comes back as its code. */
  async function nettingInvoice(input: { op: NettingOp; invoiceId: string; roundId: string; amountCents: number; date: string }) {
    if (!client) throw new Error('the netting activities need a Temporal client');
    const hold: NettingHold = { actor: SYSTEM_ACTOR, roundId: input.roundId, amountCents: input.amountCents, date: input.date };
    try {
      await client.workflow.getHandle(invoiceWorkflowId(input.invoiceId)).executeUpdate(UPDATES[input.op], {
        args: [hold],
        updateId: `netting:${input.roundId}:${input.op}`,
      });
      return { ok: true as const };
    } catch (err) {
      // A closed invoice workflow: settled already by this round (a retry), or paid otherwise.
      const closed = err instanceof WorkflowNotFoundError || /already completed|workflow execution already/i.test(String(err));
      if (closed || err instanceof WorkflowUpdateFailedError) {
        const refusal = refusalOf(err);
        if (refusal && !closed) return { ok: false as const, code: refusal.code };
        const inv = await models.Invoice.findById(input.invoiceId).select({ payments: 1 }).lean();
        const payments = (inv?.payments ?? []) as unknown as { reference?: string }[];
        const settled = payments.some((p) => p.reference === nettingReference(input.roundId));
        if (input.op === 'settle' && settled) return { ok: true as const };
        if (input.op === 'release') return { ok: true as const };
        return { ok: false as const, code: 'netting_stale' };
      }
      throw err;
    }
  }

  return { recordNetting, nettingInvoice };
}
