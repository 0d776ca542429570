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

/**
 * A Dutch VAT identification number (btw-id): NL, nine digits, B, two digits. The nine digits
 * pass the eleven test (weights 9…2, check digit last), as numbers derived from an RSIN do, or
 * the whole number passes ISO 7064 mod 97 (the numbers issued to sole traders since 2020).
 */
export function isDutchVatNumber(value: string): boolean {
  const m = /^NL(\d{9})B(\d{2})$/.exec(value);
  if (!m) return false;
  const digits = m[1]!.split('').map(Number);
  const sum = digits.slice(0, 8).reduce((s, d, i) => s + d * (9 - i), 0);
  if (sum % 11 === digits[8] && sum % 11 !== 10) return true;
  const numeric = `2321${m[1]}11${m[2]}`; // N=23, L=21, B=11
  let rem = 0;
  for (const c of numeric) rem = (rem * 10 + Number(c)) % 97;
  return rem === 1;
}

/** A Dutch VAT number passing the eleven test, from eight digits (the ninth is their check digit). */
export function dutchVatNumber(eightDigits: string): string {
  const digits = eightDigits.padStart(8, '0').slice(-8).split('').map(Number);
  for (let bump = 0; bump < 10; bump++) {
    const d = [...digits.slice(0, 7), (digits[7]! + bump) % 10];
    const check = d.reduce((s, x, i) => s + x * (9 - i), 0) % 11;
    if (check < 10) return `NL${d.join('')}${check}B01`;
  }
  throw new Error('no check digit'); // cannot happen: some bump gives a check below 10
}
