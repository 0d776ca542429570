// Temporal Schedules for the advances of a shared centre: one per centre with contribution
// products, on the first morning of every month; the workflow invoices each instalment that has
// started and is not invoiced yet (quarterly products on 1 January, April, July and October).
// Created when missing; an existing schedule is left as it is.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { contributionScheduleId } from '../contracts';
import type { Models } from '../models';

export async function ensureContributionSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const providers = (await models.ContributionProduct.distinct('provider')) as string[];
  const created: string[] = [];
  for (const provider of providers.sort()) {
    try {
      await client.schedule.create({
        scheduleId: contributionScheduleId(provider),
        spec: { calendars: [{ dayOfMonth: 1, hour: 6, minute: 30, comment: 'contribution advances' }], timezone: 'Europe/Amsterdam' },
        action: { type: 'startWorkflow', workflowType: 'scheduledContributionAdvancesWorkflow', taskQueue, args: [{ provider }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
      });
      created.push(provider);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  return created;
}
