// The advances of a shared centre: one schedule per centre with contribution products, on the
// first morning of every month; the workflow invoices each instalment that has started and is
// not invoiced yet (quarterly products on 1 January, April, July and October).
import { workflowType } from '../contracts/workflow-names';
import type { Client } from '@temporalio/client';
import { contributionScheduleId } from '../contracts';
import type { Models } from '../models';
import { ensureMonthlySchedules } from './schedules';

export async function ensureContributionSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const providers = (await models.ContributionProduct.distinct('provider')) as string[];
  return ensureMonthlySchedules(client, taskQueue, providers, {
    scheduleId: contributionScheduleId,
    workflowType: workflowType('scheduledContributionAdvancesWorkflow'),
    minute: 30,
    comment: 'contribution advances',
  });
}
