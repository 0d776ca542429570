// After an invoice run: the entries of its invoices get the status 'invoiced', one invoice at a
// time, so that later runs read only what is not yet billed. Started by the run as it ends, so
// the bookkeeping does not hold up the run; until it is done the billing claims keep the
// entries out of other runs, and a run that finds an issued invoice unmarked marks it itself.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERRORS } from '../contracts';

const { markInvoicedEntries } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

export async function markInvoicedEntriesWorkflow(input: { invoiceIds: string[] }): Promise<{ entriesMarked: number }> {
  let entriesMarked = 0;
  for (const invoiceId of input.invoiceIds) entriesMarked += await markInvoicedEntries({ invoiceId });
  return { entriesMarked };
}
