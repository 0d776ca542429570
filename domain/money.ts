// Money rules. Amounts are integer euro cents, rates cents per hour, time in minutes.
// Everything is integer arithmetic; a non-integer or unsafe value is a programming error.

export type Cents = number;

export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer, got ${value}`);
  }
}

/** Integer division rounded half away from zero: the commercial rounding of 0.5 cent. */
export function divideHalfUp(numerator: number, denominator: number): number {
  assertSafeInteger(numerator, 'numerator');
  assertSafeInteger(denominator, 'denominator');
  if (denominator <= 0) throw new RangeError('denominator must be positive');
  const sign = numerator < 0 ? -1 : 1;
  const abs = Math.abs(numerator);
  const q = Math.floor(abs / denominator);
  const r = abs - q * denominator;
  const rounded = 2 * r >= denominator ? q + 1 : q;
  return rounded === 0 ? 0 : sign * rounded; // never -0
}

/** Rounding rule for time, set per agreement: none, or each entry up to 6 or 15 minutes. */
export const ROUNDING_RULES = ['none', 'up6', 'up15'] as const;
export type RoundingRule = (typeof ROUNDING_RULES)[number];

export function roundMinutes(minutes: number, rule: RoundingRule): number {
  assertSafeInteger(minutes, 'minutes');
  const step = rule === 'up6' ? 6 : rule === 'up15' ? 15 : 1;
  return Math.ceil(minutes / step) * step;
}

/** Line amount = minutes x rate / 60, rounded half-up to the cent. */
export function amountForMinutes(minutes: number, rateCentsPerHour: number): Cents {
  assertSafeInteger(rateCentsPerHour, 'rate');
  return divideHalfUp(minutes * rateCentsPerHour, 60);
}

/** VAT categories of EN 16931 (UNCL5305) that inter-municipal work uses. */
export const VAT_CATEGORIES = ['S', 'E', 'O'] as const;
export type VatCategory = (typeof VAT_CATEGORIES)[number];

export const VAT_PERCENT: Record<VatCategory, number> = { S: 21, E: 0, O: 0 };

export function vatAmount(base: Cents, category: VatCategory): Cents {
  return divideHalfUp(base * VAT_PERCENT[category], 100);
}

const euro = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' });

/** nl-NL display, e.g. 123456 -> "€ 1.234,56". */
export function formatEuro(cents: Cents): string {
  assertSafeInteger(cents, 'cents');
  // Intl uses a no-break space after the sign; a normal space reads the same and greps better.
  return euro.format(cents / 100).replace(/\u00a0/g, ' ');
}

/** Machine format with two decimals and a dot, as UBL and CSV need; exact for integer cents. */
export function centsToDecimal(cents: Cents): string {
  assertSafeInteger(cents, 'cents');
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatHours(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h}:${String(m).padStart(2, '0')}`;
}
