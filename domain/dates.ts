// Date helpers, in one place. Dates are ISO calendar days (YYYY-MM-DD) in Dutch time;
// periods are months (YYYY-MM). Pure: workflows use them too.
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_MS = 86_400_000;
const toDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const fromDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD.test(value);
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

/** The Dutch calendar day of an ISO timestamp (or the date itself). */
export function dayOf(value: string): string {
  return value.length > 10 ? dutchDate(Date.parse(value)) : value;
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

/** ISO date plus n calendar days (n may be negative). */
export function addDays(isoDate: string, days: number): string {
  return fromDay(toDay(isoDate) + days);
}

/** Days from `from` to `to`, both included. */
export function daysInclusive(from: string, to: string): number {
  return Math.max(0, toDay(to) - toDay(from) + 1);
}

/** The Monday of the ISO week that holds the date. */
export function mondayOf(isoDate: string): string {
  const dow = new Date(`${isoDate}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(isoDate, -((dow + 6) % 7));
}

/** The seven days of the week that starts on `monday`. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

export function yearBounds(year: number): { start: string; end: string } {
  return { start: `${year}-01-01`, end: `${year}-12-31` };
}

export function daysInYear(year: number): number {
  const { start, end } = yearBounds(year);
  return daysInclusive(start, end);
}

/** A year has ended once its last day is over. */
export function yearEnded(year: number, today: string): boolean {
  return today > yearBounds(year).end;
}

/** Period "YYYY-MM" -> first and last day (ISO dates). */
export function periodBounds(period: string): { start: string; end: string } {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`period must be YYYY-MM, got "${period}"`);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

/** The month before the one containing `isoDate`, as YYYY-MM: what a scheduled run bills. */
export function previousPeriod(isoDate: string): string {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Months that close a quarter, when agreements invoiced per quarter are billed. */
export function isQuarterEnd(period: string): boolean {
  return ['03', '06', '09', '12'].includes(periodBounds(period).start.slice(5, 7));
}
