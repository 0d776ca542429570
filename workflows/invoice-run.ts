// An invoice run (factuurrun) for one provider and period: claim the approved hours, then one
// invoice per buyer, each of which lives on as its own invoice workflow. Every step is an
// idempotent activity, so a crash anywhere resumes without billing an hour twice or
// skipping a number; a lock keeps runs of one provider apart.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  getInvoiceRunProgress,
  invoiceRunWorkflowId,
  invoiceWorkflowId,
  NON_RETRYABLE_ERRORS,
  WORKFLOW_TASK_TIMEOUT,
  type InvoiceRunInput,
  type InvoiceRunProgress,
  type ScheduledRunInput,
} from '../contracts';
import { dutchDate, previousPeriod } from '../domain/dates';
import { invoiceWorkflow } from './invoice';
import { markInvoicedEntriesWorkflow } from './mark-invoiced';

const acts = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The activities heartbeat every few seconds: a dead worker's task is retried in 20 s.
  heartbeatTimeout: '20 seconds',
  // A cancelled run waits until its running activity has stopped, so that releasing the claims
  // and the lock never races with an activity that is still writing.
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});
/** Invoices of one run made at the same time: a run's fixed cost falls, numbers stay gap-free. */
const INVOICES_AT_ONCE = 4;
const lock = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Waits for another run of the same provider to finish.
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 1.5,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE_ERRORS,
  },
});

export async function invoiceRunWorkflow(input: InvoiceRunInput): Promise<InvoiceRunProgress> {
  const progress: InvoiceRunProgress = {
    phase: 'claiming',
    entriesTotal: 0,
    entriesProcessed: 0,
    buyersTotal: 0,
    invoicesMade: 0,
    invoiceIds: [],
  };
  wf.setHandler(getInvoiceRunProgress, () => progress);

  const info = wf.workflowInfo();
  const runKey = info.workflowId;
  // Runs recorded before the lock existed replay without it (see the replay fixtures).
  const locked = wf.patched('provider-run-lock');
  if (locked) await lock.acquireRunLock({ provider: input.provider, runKey });
  let claimed = false;
  try {
    // The run id keeps a later re-run of the same period from reusing this run's invoices.
    // Run ids are UUIDv7: their first characters are a timestamp, their last ones random.
    const runTag = () => (wf.patched('invoice-id-random-part') ? info.runId.replace(/-/g, '').slice(-12) : info.runId.slice(0, 8));
    // Billing claims: one insert per invoice instead of one update per entry.
    claimed = wf.patched('billing-claims');
    const groups: { buyer: string; entries: number; invoiceId?: string }[] = claimed
      ? await acts.claimBillingForRun({
          runKey,
          provider: input.provider,
          period: input.period,
          runTag: runTag(),
          issueDate: input.issueDate,
        })
      : await acts.claimEntriesForRun({ runKey, provider: input.provider, period: input.period });
    progress.phase = 'invoicing';
    progress.buyersTotal = groups.length;
    progress.entriesTotal = groups.reduce((s, g) => s + g.entries, 0);

    // Invoices of one run are made a few at a time (numbers stay gap-free: each is bound to
    // one invoice id). Runs recorded before that replay one at a time.
    const width = wf.patched('invoices-in-parallel') ? INVOICES_AT_ONCE : 1;
    const makeInvoice = async (group: (typeof groups)[number]) => {
      const made = await acts.createInvoiceForBuyer({
        runKey,
        ...(claimed ? { claimed } : {}),
        invoiceId: group.invoiceId ?? `${input.provider}-${input.period}-${group.buyer}-${runTag()}`,
        provider: input.provider,
        buyer: group.buyer,
        period: input.period,
        issueDate: input.issueDate,
      });
      if (wf.patched('invoice-workflow')) {
        // The invoice lives on in its own workflow (reconciliation, payment, due-date timers).
        await wf.startChild(invoiceWorkflow, {
          workflowId: invoiceWorkflowId(made.invoiceId),
          parentClosePolicy: 'ABANDON',
          workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
          args: [
            {
              invoiceId: made.invoiceId,
              provider: input.provider,
              buyer: group.buyer,
              dueDate: made.dueDate,
              lines: made.lines,
              grossCents: made.grossCents,
            },
          ],
        });
      }
      return made;
    };
    const cancelled = () => wf.CancellationScope.current().consideredCancelled;
    let next = 0;
    let failure: { error: unknown } | null = null;
    // Each lane takes the next buyer until none is left, one fails or the run is cancelled. An
    // invoice that is being made is finished, with its invoice workflow, so no invoice is left
    // without one; all lanes have stopped before the run gives back claims or its lock.
    const lane = async () => {
      while (next < groups.length && !failure && !cancelled()) {
        const group = groups[next++]!;
        try {
          const made = await wf.CancellationScope.nonCancellable(() => makeInvoice(group));
          progress.entriesProcessed += made.entries;
          progress.invoicesMade += 1;
          progress.invoiceIds.push(made.invoiceId);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, groups.length) }, lane));
    if (failure) throw (failure as { error: unknown }).error;
    if (next < groups.length) throw new wf.CancelledFailure('invoice run cancelled');
  } catch (err) {
    // A run that fails for good gives back the hours of the invoices it did not issue, so that
    // they do not look invoiced and the next run bills them.
    if (claimed && wf.patched('release-unissued-claims'))
      await wf.CancellationScope.nonCancellable(() => lock.releaseUnissuedClaims({ provider: input.provider, runKey }));
    throw err;
  } finally {
    if (locked) await wf.CancellationScope.nonCancellable(() => lock.releaseRunLock({ provider: input.provider, runKey }));
  }
  // The billed entries become 'invoiced' after the run, in a workflow of its own that the run
  // does not wait for (the claims keep them out of other runs meanwhile).
  if (claimed && progress.invoiceIds.length && wf.patched('mark-invoiced-entries')) {
    const startMarking = () =>
      wf.startChild(markInvoicedEntriesWorkflow, {
        workflowId: `mark-invoiced-${info.runId}`,
        parentClosePolicy: 'ABANDON',
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
        args: [{ invoiceIds: progress.invoiceIds }],
      });
    // A cancel that came after the last invoice was begun stops nothing any more: the run
    // completes and its entries are marked. Before the patch it ended cancelled, unmarked (the
    // next run marked them).
    if (wf.patched('late-cancel-completes')) await wf.CancellationScope.nonCancellable(startMarking);
    else await startMarking();
  }
  progress.phase = 'done';
  return progress;
}

/** Started by the provider's Temporal Schedule: bills the month before the one it runs in. */
export async function scheduledInvoiceRunWorkflow(input: ScheduledRunInput): Promise<InvoiceRunProgress> {
  const today = dutchDate(Date.now());
  const period = previousPeriod(today);
  return wf.executeChild(invoiceRunWorkflow, {
    workflowId: invoiceRunWorkflowId(input.provider, period),
    args: [{ provider: input.provider, period, issueDate: today, startedBy: { userId: 'schedule', org: input.provider, roles: [] } }],
  });
}
