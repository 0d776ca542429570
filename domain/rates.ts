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
