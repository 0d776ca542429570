// One invoice (factuur) after it is issued: the buyer's finance accepts or disputes lines and
// pays, the provider resolves disputes with a credit note or an explanation. Timers remind
// before the due date and mark the invoice overdue after it; disputed amounts do not count.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import * as msg from '../contracts';
import { NON_RETRYABLE_ERRORS, SYSTEM_ACTOR, type InvoiceInput, type InvoiceState } from '../contracts';
import { isIsoDate } from '../domain/dates';
import { assertInvoiceAction, type InvoiceAction } from '../domain/invoice-access';
import { invoiceStatus, outstandingCents, overdueCents } from '../domain/reconciliation';
import { invalidInput, notFound, refuse, roleRequired } from '../domain/refusals';
import type { Actor } from '../domain/roles';
import { guard } from './guard';

const { recordInvoice, planDeadline } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});
const { createCreditNote } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

export async function invoiceWorkflow(input: InvoiceInput): Promise<InvoiceState> {
  const state: InvoiceState = {
    invoiceId: input.invoiceId,
    provider: input.provider,
    buyer: input.buyer,
    status: 'issued',
    dueDate: input.dueDate,
    grossCents: input.grossCents,
    creditedCents: 0,
    paidCents: 0,
    outstandingCents: input.grossCents,
    disputedCents: 0,
    overdue: false,
    lines: input.lines.map((l, i) => ({
      lineNo: i + 1,
      grossCents: l.amountCents + l.vatCents,
      status: 'open',
      reason: null,
      creditedCents: 0,
    })),
    payments: [],
    creditNoteIds: [],
    version: 0,
  };
  let pastDue = false;
  const resolving = new Set<number>(); // lines whose credit note is being made
  let writes: Promise<unknown> = Promise.resolve();

  const refresh = () => {
    state.outstandingCents = outstandingCents(state.grossCents, state.creditedCents, state.paidCents);
    state.disputedCents = state.lines.filter((l) => l.status === 'disputed').reduce((s, l) => s + l.grossCents - l.creditedCents, 0);
    state.status = invoiceStatus(state.lines, state.outstandingCents);
    state.overdue = pastDue && overdueCents(state.outstandingCents, state.lines) > 0;
  };
  async function act(action: string, actor: Actor, change: () => void, mail?: 'invoice-reminder' | 'invoice-overdue'): Promise<void> {
    const before = { status: state.status, outstandingCents: state.outstandingCents, overdue: state.overdue };
    change();
    refresh();
    state.version += 1;
    const record = {
      state: JSON.parse(JSON.stringify(state)) as InvoiceState,
      event: {
        seq: state.version,
        action,
        actor,
        at: new Date(Date.now()).toISOString(),
        before,
        after: { status: state.status, outstandingCents: state.outstandingCents, overdue: state.overdue },
      },
      ...(mail ? { mail } : {}),
    };
    const write = writes.then(() => recordInvoice(record));
    writes = write.catch(() => undefined);
    await write;
  }
  const line = (lineNo: number) => {
    const l = state.lines.find((x) => x.lineNo === lineNo);
    if (!l) throw notFound('invoice_line');
    return l;
  };
  /** The access table decides: role, the invoice's state, and the line's state for line actions. */
  const must = (action: InvoiceAction, actor: Actor, lineNo?: number) =>
    guard(() => {
      // A netting round that is settling this invoice holds it: its amount must not move.
      if (state.nettingRound) throw refuse('invoice_in_netting', { roundId: state.nettingRound });
      const l = lineNo === undefined ? undefined : line(lineNo);
      assertInvoiceAction(
        action,
        {
          buyer: state.buyer,
          provider: state.provider,
          status: state.status,
          kind: 'invoice',
          // Whether it bills hours, and which requests it holds, the application layer checks
          // against the stored invoice before it sends the update (the input does not carry them).
          contribution: false,
          outstandingCents: state.outstandingCents,
          ...(l ? { line: { lineNo: l.lineNo, status: resolving.has(l.lineNo) ? 'credited' : l.status } } : {}),
        },
        actor,
      );
    });

  wf.setHandler(msg.getInvoiceState, () => state);
  wf.setHandler(
    msg.acceptLine,
    async ({ actor, lineNo }) => {
      await act('acceptLine', actor, () => void (line(lineNo).status = 'accepted'));
      return state;
    },
    {
      validator: ({ actor, lineNo }) => must('acceptLine', actor, lineNo),
    },
  );
  wf.setHandler(
    msg.disputeLine,
    async ({ actor, lineNo, reason }) => {
      await act('disputeLine', actor, () => {
        const l = line(lineNo);
        l.status = 'disputed';
        l.reason = reason!;
      });
      return state;
    },
    {
      validator: ({ actor, lineNo, reason }) => {
        must('disputeLine', actor, lineNo);
        guard(() => {
          if (typeof reason !== 'string' || !reason.trim()) throw invalidInput('reason', 'required');
        });
      },
    },
  );
  wf.setHandler(
    msg.resolveDispute,
    async ({ actor, lineNo, creditCents, explanation }) => {
      if (creditCents) {
        resolving.add(lineNo);
        const note = await createCreditNote({
          invoiceId: state.invoiceId,
          lineNo,
          netCents: creditCents,
          reason: line(lineNo).reason ?? '',
          seq: state.creditNoteIds.length + 1,
        });
        await act('creditLine', actor, () => {
          const l = line(lineNo);
          l.status = 'credited';
          l.creditedCents += note.grossCents;
          state.creditedCents += note.grossCents;
          state.creditNoteIds.push(note.creditNoteId);
          resolving.delete(lineNo);
        });
      } else {
        await act('rejectDispute', actor, () => {
          const l = line(lineNo);
          l.status = 'dispute_rejected';
          l.reason = explanation!;
        });
      }
      return state;
    },
    {
      validator: ({ actor, lineNo, creditCents, explanation }) => {
        must('resolveDispute', actor, lineNo);
        guard(() => {
          if (creditCents !== undefined) {
            if (!Number.isSafeInteger(creditCents)) throw invalidInput('creditCents', 'not_whole');
            if (creditCents < 1) throw invalidInput('creditCents', 'too_small', 1);
            const maxCents = input.lines[lineNo - 1]!.amountCents;
            if (creditCents > maxCents) throw refuse('credit_exceeds_line', { maxCents }, 'creditCents');
          } else if (typeof explanation !== 'string' || !explanation.trim()) {
            throw refuse('resolution_needed', {}, 'explanation');
          }
        });
      },
    },
  );
  wf.setHandler(
    msg.registerPayment,
    async ({ actor, amountCents, date, reference }) => {
      await act('registerPayment', actor, () => {
        state.paidCents += amountCents;
        state.payments.push({ amountCents, date, reference });
      });
      return state;
    },
    {
      validator: ({ actor, amountCents, date, reference }) => {
        // The buyer registers what it paid; the provider what its bank received (the import).
        must(actor.org === state.provider ? 'registerReceipt' : 'registerPayment', actor);
        guard(() => {
          // A reference (a bank line) pays once, whoever registers it again.
          if (reference && state.payments.some((p) => p.reference === reference))
            throw refuse('payment_already_registered', { reference }, 'reference');
          if (!Number.isSafeInteger(amountCents)) throw invalidInput('amountCents', 'not_whole');
          if (amountCents < 1) throw invalidInput('amountCents', 'too_small', 1);
          const outstanding = outstandingCents(state.grossCents, state.creditedCents, state.paidCents);
          if (amountCents > outstanding) throw refuse('payment_exceeds_outstanding', { outstandingCents: outstanding }, 'amountCents');
          if (!isIsoDate(date)) throw invalidInput('date', 'not_a_date');
        });
      },
    },
  );

  // ---- netting: a round holds the invoice, then settles it (or lets it go) -------------------
  const settledBy = (roundId: string) => state.payments.some((p) => p.reference === msg.nettingReference(roundId));
  /** Only the netting round (the system, after every party agreed) holds or settles. */
  const fromRound = (actor: Actor) =>
    guard(() => {
      if (actor.userId !== SYSTEM_ACTOR.userId) throw roleRequired([], state.provider);
    });
  wf.setHandler(
    msg.holdForNetting,
    async ({ actor, roundId }) => {
      if (state.nettingRound !== roundId && !settledBy(roundId))
        await act('holdForNetting', actor, () => void (state.nettingRound = roundId));
      return { done: true };
    },
    {
      validator: ({ actor, roundId, amountCents }) => {
        fromRound(actor);
        guard(() => {
          if (state.nettingRound === roundId || settledBy(roundId)) return;
          if (state.nettingRound) throw refuse('invoice_in_netting', { roundId: state.nettingRound });
          // The round settles exactly what was outstanding when it was proposed, undisputed.
          if (state.disputedCents > 0 || state.outstandingCents !== amountCents || state.status === 'paid')
            throw refuse('netting_stale', { invoiceId: state.invoiceId });
        });
      },
    },
  );
  wf.setHandler(
    msg.releaseNetting,
    async ({ actor, roundId }) => {
      if (state.nettingRound !== roundId) return { done: false };
      await act('releaseNetting', actor, () => void delete state.nettingRound);
      return { done: true };
    },
    { validator: ({ actor }) => fromRound(actor) },
  );
  wf.setHandler(
    msg.settleByNetting,
    async ({ actor, roundId, amountCents, date }) => {
      if (settledBy(roundId)) return { done: true };
      await act('settleByNetting', actor, () => {
        state.paidCents += amountCents;
        state.payments.push({ amountCents, date, reference: msg.nettingReference(roundId) });
        delete state.nettingRound;
      });
      return { done: true };
    },
    {
      validator: ({ actor, roundId, amountCents, date }) => {
        fromRound(actor);
        guard(() => {
          if (settledBy(roundId)) return;
          if (state.nettingRound !== roundId || amountCents !== state.outstandingCents)
            throw refuse('netting_stale', { invoiceId: state.invoiceId });
          if (!isIsoDate(date)) throw invalidInput('date', 'not_a_date');
        });
      },
    },
  );

  await act('issue', SYSTEM_ACTOR, () => undefined);
  const reminderDays = input.reminderDays ?? 7;
  const reminder = await planDeadline({ until: input.dueDate, daysBefore: reminderDays });
  const isPaid = () => state.status === 'paid';
  if (!(await wf.condition(isPaid, reminder.reminderDelayMs))) {
    await act('paymentReminder', SYSTEM_ACTOR, () => undefined, 'invoice-reminder');
    if (!(await wf.condition(isPaid, Math.max(1, reminder.delayMs - reminder.reminderDelayMs)))) {
      await act(
        'dueDatePassed',
        SYSTEM_ACTOR,
        () => void (pastDue = true),
        state.outstandingCents > state.disputedCents ? 'invoice-overdue' : undefined,
      );
      await wf.condition(isPaid);
    }
  }
  await wf.condition(wf.allHandlersFinished);
  return state;
}
