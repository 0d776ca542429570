// The daily clean-up, started by a Temporal Schedule: expired keys and sessions, the retention
// of personal data in closed requests, and the providers' monthly schedules. `asOf` moves the
// retention clock (tests).
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERRORS } from '../contracts';

const { purgeExpired, applyRetention, ensureSchedules } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

export interface HousekeepingInput {
  /** The day the retention periods are measured to (today when absent). */
  asOf?: string;
}

export async function housekeepingWorkflow(input: HousekeepingInput = {}) {
  const now = new Date(Date.now()).toISOString();
  const purged = await purgeExpired({ now });
  const retention = await applyRetention({ asOf: input.asOf ?? now.slice(0, 10), at: now });
  // A provider's first service or product whose schedules were not created at that moment.
  const schedules = wf.patched('housekeeping-ensures-schedules') ? await ensureSchedules() : {};
  return { ...purged, ...retention, ...schedules };
}
