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
/** Which line of an invoice an entry lands on: one per request, rate, VAT category and lateness. */
export const lineKey = (e: Pick<BillableEntry, 'requestId' | 'rateCentsPerHour' | 'vatCategory' | 'late'>): string =>
  `${e.requestId}|${e.rateCentsPerHour}|${e.vatCategory}|${e.late ?? false}`;

export function calculateInvoice(entries: readonly BillableEntry[]): InvoiceTotals {
  const byLine = new Map<string, InvoiceLine>();
  for (const e of entries) {
    const late = e.late ?? false;
    const key = lineKey(e);
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

export function formatInvoiceNumber(provider: string, year: number, seq: number): string {
  return `${provider}-${year}-${String(seq).padStart(5, '0')}`;
}

/**
 * How a line's hours came about: the minutes as registered, and as billed after the agreement's
 * rounding rule (each entry rounded up on its own), so a person can check 21,5 → 21,6 hours.
 */
export interface LineRounding {
  rule: RoundingRule;
  registeredMinutes: number;
  billedMinutes: number;
  entryCount: number;
}

export function lineRounding(rule: RoundingRule, entryMinutes: readonly number[]): LineRounding {
  return {
    rule,
    registeredMinutes: entryMinutes.reduce((s, m) => s + m, 0),
    billedMinutes: entryMinutes.reduce((s, m) => s + roundMinutes(m, rule), 0),
    entryCount: entryMinutes.length,
  };
}
