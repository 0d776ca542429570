// Invoice calculator: lines and totals derived from time entries, with explicit rounding.
import { amountForMinutes, roundMinutes, vatAmount, VAT_PERCENT, type Cents, type RoundingRule, type VatCategory } from './money';

export interface BillableEntry {
  requestId: string;
  /** Hours from before the period (registered or approved late): shown on a line of their own. */
  late?: boolean;
  minutes: number;
  rateCentsPerHour: number;
  roundingRule: RoundingRule;
  vatCategory: VatCategory;
}

export interface InvoiceLine {
  requestId: string;
  late: boolean;
  minutes: number;
  rateCentsPerHour: number;
  amountCents: Cents;
  vatCategory: VatCategory;
  entryCount: number;
}

export interface VatBreakdown {
  category: VatCategory;
  percent: number;
  baseCents: Cents;
  vatCents: Cents;
  exemptionReason?: string;
}

export interface InvoiceTotals {
  lines: InvoiceLine[];
  vat: VatBreakdown[];
  netCents: Cents;
  vatCents: Cents;
  grossCents: Cents;
}

export const EXEMPTION_REASONS: Partial<Record<VatCategory, string>> = {
  E: 'Vrijgesteld van btw (samenwerking tussen overheden, art. 11 Wet OB)',
  O: 'Niet onderworpen aan btw (overheidstaak)',
};

/**
 * One line per request and rate: each entry's minutes rounded by the agreement's rule,
 * the line amount from the summed minutes. VAT is computed per category on the sum of
 * the line amounts (EN 16931 BR-CO-17), so lines, VAT and total agree to the cent.
 */
export function calculateInvoice(entries: readonly BillableEntry[]): InvoiceTotals {
  const byLine = new Map<string, InvoiceLine>();
  for (const e of entries) {
    const late = e.late ?? false;
    const key = `${e.requestId}|${e.rateCentsPerHour}|${e.vatCategory}|${late}`;
    const line = byLine.get(key) ?? {
      requestId: e.requestId,
      late,
      minutes: 0,
      rateCentsPerHour: e.rateCentsPerHour,
      amountCents: 0,
      vatCategory: e.vatCategory,
      entryCount: 0,
    };
    line.minutes += roundMinutes(e.minutes, e.roundingRule);
    line.entryCount += 1;
    byLine.set(key, line);
  }
  const lines = [...byLine.values()]
    .map((l) => ({ ...l, amountCents: amountForMinutes(l.minutes, l.rateCentsPerHour) }))
    .sort((a, b) => a.requestId.localeCompare(b.requestId) || Number(b.late) - Number(a.late) || a.rateCentsPerHour - b.rateCentsPerHour);

  const bases = new Map<VatCategory, Cents>();
  for (const l of lines) bases.set(l.vatCategory, (bases.get(l.vatCategory) ?? 0) + l.amountCents);
  const vat: VatBreakdown[] = [...bases.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, baseCents]) => ({
      category,
      percent: VAT_PERCENT[category],
      baseCents,
      vatCents: vatAmount(baseCents, category),
      ...(EXEMPTION_REASONS[category] ? { exemptionReason: EXEMPTION_REASONS[category] } : {}),
    }));
  const netCents = lines.reduce((s, l) => s + l.amountCents, 0);
  const vatCents = vat.reduce((s, v) => s + v.vatCents, 0);
  return { lines, vat, netCents, vatCents, grossCents: netCents + vatCents };
}

/** Period "YYYY-MM" -> first and last day (ISO dates). */
export function periodBounds(period: string): { start: string; end: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new RangeError(`period must be YYYY-MM, got "${period}"`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

export function formatInvoiceNumber(provider: string, year: number, seq: number): string {
  return `${provider}-${year}-${String(seq).padStart(5, '0')}`;
}

/** ISO date plus n calendar days (payment terms are calendar days). */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Months that close a quarter, when agreements invoiced per quarter are billed. */
export function isQuarterEnd(period: string): boolean {
  return ['03', '06', '09', '12'].includes(periodBounds(period).start.slice(5, 7));
}

/** The month before the one containing `isoDate`, as YYYY-MM: what a scheduled run bills. */
export function previousPeriod(isoDate: string): string {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
