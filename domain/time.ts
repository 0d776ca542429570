import { badInput } from './errors';

export const MAX_MINUTES_PER_ENTRY = 1440;
export const MAX_MINUTES_PER_DAY = 1440;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Rules for one time entry (urenregistratie); throws BadInput naming the field. */
export function validateTimeEntry(
  entry: { date: unknown; minutes: unknown; description: unknown },
  ctx: { today: string; workStarted: string },
): void {
  if (!isIsoDate(entry.date)) throw badInput('date', 'date must be a real date, YYYY-MM-DD');
  if (entry.date > ctx.today) throw badInput('date', 'date may not be in the future');
  if (entry.date < ctx.workStarted) throw badInput('date', `date may not be before the work started (${ctx.workStarted})`);
  if (typeof entry.minutes !== 'number' || !Number.isInteger(entry.minutes) || entry.minutes < 1 || entry.minutes > MAX_MINUTES_PER_ENTRY) {
    throw badInput('minutes', `minutes must be a whole number from 1 to ${MAX_MINUTES_PER_ENTRY}`);
  }
  if (typeof entry.description !== 'string' || entry.description.trim() === '') {
    throw badInput('description', 'description is required');
  }
}

const amsterdamDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in the Netherlands at an instant, YYYY-MM-DD. */
export function dutchDate(epochMillis: number): string {
  return amsterdamDay.format(new Date(epochMillis));
}

/** The last second of a Dutch calendar day, as epoch millis (CET or CEST). */
export function endOfDutchDay(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  for (const offsetHours of [1, 2]) {
    const t = Date.UTC(y, m - 1, d, 23, 59, 59) - offsetHours * 3_600_000;
    if (dutchDate(t) === isoDate && dutchDate(t + 1_000) !== isoDate) return t;
  }
  return Date.UTC(y, m - 1, d, 22, 59, 59);
}
