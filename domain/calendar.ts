// Working days for SLA deadlines: weekends and Dutch public holidays do not count.
// Holidays come from date-holidays (NL, type "public"); Liberation Day (5 May) is added every
// year, because the municipal collective agreement (Cao Gemeenten) gives it off every year.
import Holidays from 'date-holidays';

const holidays = new Holidays('NL');
const cache = new Map<number, Set<string>>();

function holidaysOf(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    set.add(`${year}-05-05`);
    cache.set(year, set);
  }
  return set;
}

const toDate = (iso: string) => new Date(`${iso}T00:00:00Z`);
const toIso = (d: Date) => d.toISOString().slice(0, 10);

export function isWorkingDay(isoDate: string): boolean {
  const d = toDate(isoDate);
  const dow = d.getUTCDay();
  return dow !== 0 && dow !== 6 && !holidaysOf(d.getUTCFullYear()).has(isoDate);
}

/** The date that is n working days after `from` (from itself does not count). */
export function addWorkingDays(from: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('working days must be a whole number, 0 or more');
  const d = toDate(from);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(toIso(d))) left -= 1;
  }
  return toIso(d);
}

/** Working days after `from` up to and including `to`. */
export function workingDaysBetween(from: string, to: string): number {
  let count = 0;
  const d = toDate(from);
  const end = toDate(to);
  while (d < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(toIso(d))) count += 1;
  }
  return count;
}

/** Deadline at the end of the n-th working day, and a reminder one working day earlier. */
export function slaPlan(from: string, workingDays: number): { deadline: string; reminder: string } {
  const deadline = addWorkingDays(from, workingDays);
  const reminder = addWorkingDays(from, Math.max(0, workingDays - 1));
  return { deadline, reminder };
}
