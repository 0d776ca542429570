// Temporal Schedules for the periodic work: per provider, the monthly invoice run and (for a
// shared centre) the contribution advances, on the first morning of each month; and the daily
// clean-up. Created when missing; an existing schedule is left as it is, so an operator's pause
// or change in the Temporal UI survives restarts. The worker ensures them when it starts, the
// catalogue and contribution actions when a provider gets its first service or product, and
// the daily clean-up repairs what those missed (Temporal was away at that moment).
import { workflowType } from '../contracts/workflow-names';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { contributionScheduleId, invoiceScheduleId } from '../contracts';
import type { Models } from '../models';

export interface MonthlySchedule {
  scheduleId: (provider: string) => string;
  workflowType: string;
  minute: number;
  comment: string;
}

/** One schedule per provider; returns the providers whose schedule it created. */
export async function ensureMonthlySchedules(
  client: Client,
  taskQueue: string,
  providers: string[],
  s: MonthlySchedule,
): Promise<string[]> {
  const created: string[] = [];
  for (const provider of [...providers].sort()) {
    try {
      await client.schedule.create({
        scheduleId: s.scheduleId(provider),
        spec: { calendars: [{ dayOfMonth: 1, hour: 6, minute: s.minute, comment: s.comment }], timezone: 'Europe/Amsterdam' },
        action: { type: 'startWorkflow', workflowType: s.workflowType, taskQueue, args: [{ provider }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
      });
      created.push(provider);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  return created;
}

export const HOUSEKEEPING_SCHEDULE = 'housekeeping';

/** The daily clean-up (expired keys and sessions, retention of personal data), at 03:30. */
export async function ensureHousekeepingSchedule(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: HOUSEKEEPING_SCHEDULE,
      spec: { calendars: [{ hour: 3, minute: 30, comment: 'daily clean-up' }], timezone: 'Europe/Amsterdam' },
      action: { type: 'startWorkflow', workflowType: workflowType('housekeepingWorkflow'), taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}

/** The monthly invoice run of every provider (agreements may be invoiced per quarter instead). */
export async function ensureInvoiceSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const providers = (await models.Service.distinct('provider')) as string[];
  return ensureMonthlySchedules(client, taskQueue, providers, {
    scheduleId: invoiceScheduleId,
    workflowType: workflowType('scheduledInvoiceRunWorkflow'),
    minute: 0,
    comment: 'monthly invoice run',
  });
}

/**
 * The advances of a shared centre: one schedule per centre with contribution products; the
 * workflow invoices each instalment that has started and is not invoiced yet (quarterly
 * products on 1 January, April, July and October).
 */
export async function ensureContributionSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const providers = (await models.ContributionProduct.distinct('provider')) as string[];
  return ensureMonthlySchedules(client, taskQueue, providers, {
    scheduleId: contributionScheduleId,
    workflowType: workflowType('scheduledContributionAdvancesWorkflow'),
    minute: 30,
    comment: 'contribution advances',
  });
}

/** Every provider's monthly schedules; returns the ones it created, as kind:provider. */
export async function ensureProviderSchedules(client: Client, models: Models, taskQueue: string): Promise<string[]> {
  const invoices = await ensureInvoiceSchedules(client, models, taskQueue);
  const contributions = await ensureContributionSchedules(client, models, taskQueue);
  return [...invoices.map((p) => `invoices:${p}`), ...contributions.map((p) => `contributions:${p}`)];
}
