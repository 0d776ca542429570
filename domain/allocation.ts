// Cost allocation over participants (verdeelsleutel): fixed shares first, then a fixed base
// per participant (vaste voet), then the rest by a key figure (e.g. inhabitants) or by hours.
// Every step distributes integer cents exactly, by largest remainder.
import { assertSafeInteger, type Cents } from './money';

export interface AllocationRule {
  /** Fixed amounts for named participants (e.g. Dordrecht pays EUR 40,000). */
  fixed?: Record<string, Cents>;
  /** A fixed base that every participant in `keyFigures` pays (vaste voet). */
  basePerParticipant?: Cents;
  /** The rest over these participants in proportion to their figure (inhabitants, pupils, hours). */
  keyFigures: Record<string, number>;
}

export interface AllocationShare {
  participant: string;
  fixedCents: Cents;
  baseCents: Cents;
  variableCents: Cents;
  totalCents: Cents;
  /** How the variable part was computed, for the preview. */
  explanation: string;
}

export class AllocationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Distributes `total` over `weights` exactly: each gets floor(total × w / Σw), and the cents
 * left over go one each to the largest remainders. Ties in the remainder go to the larger
 * weight, then to the participant code in alphabetical order, so the result never depends on
 * input order.
 */
export function largestRemainder(total: Cents, weights: Record<string, number>): Record<string, Cents> {
  assertSafeInteger(total, 'total');
  const entries = Object.entries(weights);
  const sum = entries.reduce((s, [, w]) => s + w, 0);
  if (entries.length === 0) throw new AllocationError('keyFigures', 'there is no participant to allocate to');
  for (const [p, w] of entries) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new AllocationError('keyFigures', `the key figure of ${p} must be a whole number, 0 or more`);
  }
  if (sum === 0) throw new AllocationError('keyFigures', 'the key figures add up to zero');
  // BigInt keeps total × weight exact even for large budgets and populations.
  const parts = entries.map(([p, w]) => {
    const product = BigInt(total) * BigInt(w);
    return { p, w, share: Number(product / BigInt(sum)), remainder: Number(product % BigInt(sum)) };
  });
  let left = total - parts.reduce((s, x) => s + x.share, 0);
  const order = [...parts].sort((a, b) => b.remainder - a.remainder || b.w - a.w || a.p.localeCompare(b.p));
  for (const x of order) {
    if (left === 0) break;
    x.share += 1;
    left -= 1;
  }
  return Object.fromEntries(parts.map((x) => [x.p, x.share]));
}

export function allocate(total: Cents, rule: AllocationRule): AllocationShare[] {
  assertSafeInteger(total, 'total');
  if (total < 0) throw new AllocationError('total', 'the total cannot be negative');
  const fixed = rule.fixed ?? {};
  const fixedSum = Object.values(fixed).reduce((s, v) => s + v, 0);
  if (fixedSum > total) throw new AllocationError('fixed', `the fixed shares (${fixedSum} ct) exceed the total (${total} ct)`);
  const participants = Object.keys(rule.keyFigures);
  const base = rule.basePerParticipant ?? 0;
  const baseSum = base * participants.length;
  if (fixedSum + baseSum > total) throw new AllocationError('basePerParticipant', 'the fixed shares and the fixed base exceed the total');
  const rest = total - fixedSum - baseSum;
  const variable = participants.length ? largestRemainder(rest, rule.keyFigures) : {};
  const keySum = Object.values(rule.keyFigures).reduce((s, v) => s + v, 0);
  const all = [...new Set([...Object.keys(fixed), ...participants])].sort();
  return all.map((p) => {
    const f = fixed[p] ?? 0;
    const b = participants.includes(p) ? base : 0;
    const v = variable[p] ?? 0;
    return {
      participant: p,
      fixedCents: f,
      baseCents: b,
      variableCents: v,
      totalCents: f + b + v,
      explanation: participants.includes(p) ? `${rule.keyFigures[p]} / ${keySum} of ${rest} ct` : 'fixed share only',
    };
  });
}
