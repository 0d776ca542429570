// An invoice run (factuurrun) for one provider and period: claim the approved hours,
// then one invoice per buyer. Each step is an idempotent activity, so a crash anywhere
// resumes without billing an hour twice or skipping a number.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { getInvoiceRunProgress, NON_RETRYABLE_ERRORS, type InvoiceRunInput, type InvoiceRunProgress } from '../contracts';

const { claimEntriesForRun, createInvoiceForBuyer } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
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
  const groups = await claimEntriesForRun({ runKey, provider: input.provider, period: input.period });
  progress.phase = 'invoicing';
  progress.buyersTotal = groups.length;
  progress.entriesTotal = groups.reduce((s, g) => s + g.entries, 0);

  for (const group of groups) {
    // The run id keeps a later re-run of the same period from reusing this run's invoices.
    const invoiceId = `${input.provider}-${input.period}-${group.buyer}-${info.runId.slice(0, 8)}`;
    const made = await createInvoiceForBuyer({
      runKey,
      invoiceId,
      provider: input.provider,
      buyer: group.buyer,
      period: input.period,
      issueDate: input.issueDate,
    });
    progress.entriesProcessed += made.entries;
    progress.invoicesMade += 1;
    progress.invoiceIds.push(made.invoiceId);
  }
  progress.phase = 'done';
  return progress;
}
