import { amountForMinutes } from './money';
export interface RateVersion {
  validFrom: string; // YYYY-MM-DD
  rateCentsPerHour: number;
}

/** The catalogue rate valid on a date: the latest version that started on or before it. */
export function rateAt(versions: readonly RateVersion[], date: string): number | null {
  let best: RateVersion | null = null;
  for (const v of versions) {
    if (v.validFrom <= date && (!best || v.validFrom > best.validFrom)) best = v;
  }
  return best ? best.rateCentsPerHour : null;
}

/** Agreement rate if it has one, else the catalogue rate on the entry's date. */
export function effectiveRate(agreementRate: number | null | undefined, versions: readonly RateVersion[], date: string): number | null {
  return agreementRate ?? rateAt(versions, date);
}

/** What a number of hours costs at the rate of a date: the euros a quote or an extension stands for. */
export interface MoneyEstimate {
  minutes: number;
  rateCentsPerHour: number;
  /** The date whose rate was taken (YYYY-MM-DD). */
  rateDate: string;
  /** Excluding VAT, rounded half up to the cent, as invoices round a line. */
  amountCents: number;
}

export function estimateAt(
  minutes: number | null | undefined,
  agreementRate: number | null | undefined,
  versions: readonly RateVersion[],
  date: string,
): MoneyEstimate | null {
  if (minutes == null) return null;
  const rate = effectiveRate(agreementRate, versions, date);
  if (rate == null) return null;
  return { minutes, rateCentsPerHour: rate, rateDate: date, amountCents: amountForMinutes(minutes, rate) };
}
