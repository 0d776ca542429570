// Temporal Schedules for the periodic invoice runs: one per provider, on the first working
// morning of each month. Created when missing; an existing schedule is left as it is, so an
// operator's pause or change in the Temporal UI survives restarts.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { invoiceScheduleId } from '../contracts';
import type { Models } from '../models';

export async function ensureInvoiceSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const providers = (await models.Service.distinct('provider')) as string[];
  const created: string[] = [];
  for (const provider of providers.sort()) {
    try {
      await client.schedule.create({
        scheduleId: invoiceScheduleId(provider),
        spec: { calendars: [{ dayOfMonth: 1, hour: 6, minute: 0, comment: 'monthly invoice run' }], timezone: 'Europe/Amsterdam' },
        action: { type: 'startWorkflow', workflowType: 'scheduledInvoiceRunWorkflow', taskQueue, args: [{ provider }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
      });
      created.push(provider);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  return created;
}
