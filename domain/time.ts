// Rules for one time entry (urenregistratie). Date helpers are in dates.ts.
import { isIsoDate } from './dates';
import { invalidInput, none, refuse } from './refusals';

export const MAX_MINUTES_PER_ENTRY = 1440;
export const MAX_MINUTES_PER_DAY = 1440;

/** Throws a Refusal naming the field. */
export function validateTimeEntry(
  entry: { date: unknown; minutes: unknown; description: unknown },
  ctx: { today: string; workStarted: string },
): void {
  if (!isIsoDate(entry.date)) throw invalidInput('date', 'not_a_date');
  if (entry.date > ctx.today) throw refuse('date_in_future', none(), 'date');
  if (entry.date < ctx.workStarted) throw refuse('date_before_work_started', { started: ctx.workStarted }, 'date');
  if (typeof entry.minutes !== 'number' || !Number.isInteger(entry.minutes)) throw invalidInput('minutes', 'not_whole');
  if (entry.minutes < 1) throw invalidInput('minutes', 'too_small', 1);
  if (entry.minutes > MAX_MINUTES_PER_ENTRY) throw invalidInput('minutes', 'too_large', MAX_MINUTES_PER_ENTRY);
  if (typeof entry.description !== 'string' || entry.description.trim() === '') throw invalidInput('description', 'required');
}
