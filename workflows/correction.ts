// One correction of billed hours: the workflow is its single writer. The entry id derives from
// the correction id, so a retried write adds the entry once.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERRORS, type CorrectionInput, type CorrectionResult } from '../contracts';

const { recordCorrection } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

export async function correctionWorkflow(input: CorrectionInput): Promise<CorrectionResult> {
  return recordCorrection(input);
}
