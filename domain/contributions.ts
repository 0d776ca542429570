// Contributions to a shared policy centre (scenario 2): who participates how many days, how a
// product's yearly amount is divided (fixed shares, fixed base, the rest by key figures or by
// hours used), how the provisional contribution is spread over advances, and the settlement
// after the year. Pure rules, integer cents; the largest remainder comes from ./allocation.
//
// Rules, in the order they apply:
// 1. A participant's days are the days of the year it participates (joining and leaving
//    pro-rate by days; both the first and the last day count).
// 2. A participant with a fixed share pays that share (pro-rated by its days, half-up) and
//    nothing else. Every other participant pays the fixed base (pro-rated the same way).
// 3. The rest (total − fixed shares − bases) is split over the rule's parts by their weights
//    (e.g. 70 by inhabitants, 30 by hours), by largest remainder; each part is then divided
//    over the other participants by largest remainder:
//    - by a key figure: weight = Σ over the participant's days of its figure on that day,
//      the figure coming from the version in force (latest reference date on or before the
//      day, then the highest version number). A mid-year join pays for its days only;
//      the whole budget is still covered by the participants.
//    - by hours: weight = the minutes of approved hours for the participant in the year.
// 4. Ties in the largest remainder go to the larger weight, then to the code (see allocation.ts).
import { largestRemainder } from './allocation';
import { addDays, daysInclusive, daysInYear, yearBounds } from './dates';
import { none, refuse, type Refusal } from './refusals';
import { divideHalfUp, type Cents } from './money';

export type RestPart = { by: 'keyFigure'; name: string; weight: number } | { by: 'hours'; weight: number };

export interface ContributionRules {
  /** Yearly fixed amounts for named participants (e.g. Dordrecht pays EUR 40,000). */
  fixed?: Record<string, Cents>;
  /** Yearly fixed base for every participant without a fixed share (vaste voet). */
  basePerParticipant?: Cents;
  /** The rest, by one or more parts with relative weights. */
  rest: RestPart[];
}

export interface ParticipationPeriod {
  participant: string;
  from: string; // YYYY-MM-DD, first day
  to: string | null; // last day (inclusive), or open
}

export interface KeyFigureVersion {
  id: string;
  name: string;
  version: number;
  referenceDate: string;
  figures: Record<string, number>;
}

// ---- participation -----------------------------------------------------------------------

export interface Interval {
  from: string;
  to: string;
}

/** The periods of `p` clipped to the year. */
export function clipToYear(periods: readonly ParticipationPeriod[], year: number): Map<string, Interval[]> {
  const { start, end } = yearBounds(year);
  const out = new Map<string, Interval[]>();
  for (const p of periods) {
    const from = p.from > start ? p.from : start;
    const to = p.to === null || p.to > end ? end : p.to;
    if (from > to) continue;
    const list = out.get(p.participant) ?? [];
    list.push({ from, to });
    out.set(p.participant, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.from.localeCompare(b.from));
  return out;
}

export function participationDays(periods: readonly ParticipationPeriod[], year: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, list] of clipToYear(periods, year)) out[p] = list.reduce((s, i) => s + daysInclusive(i.from, i.to), 0);
  return out;
}

/** The first existing period of the same participant that shares a day with `candidate`, if any. */
export function overlappingPeriod<T extends ParticipationPeriod>(existing: readonly T[], candidate: ParticipationPeriod): T | null {
  const end = (p: ParticipationPeriod) => p.to ?? '9999-12-31';
  return existing.find((e) => e.participant === candidate.participant && e.from <= end(candidate) && candidate.from <= end(e)) ?? null;
}

/** A fixed amount per year pro-rated by days, half-up. */
export function prorate(yearly: Cents, days: number, yearDays: number): Cents {
  return days >= yearDays ? yearly : divideHalfUp(yearly * days, yearDays);
}

// ---- key figures -------------------------------------------------------------------------

/** The version in force on a day: the latest reference date on or before it, then the highest version. */
export function versionOn(versions: readonly KeyFigureVersion[], day: string): KeyFigureVersion | null {
  let best: KeyFigureVersion | null = null;
  for (const v of versions) {
    if (v.referenceDate > day) continue;
    if (!best || v.referenceDate > best.referenceDate || (v.referenceDate === best.referenceDate && v.version > best.version)) best = v;
  }
  return best;
}

export interface FigureSegment {
  from: string;
  to: string;
  days: number;
  figure: number;
  versionId: string;
}

/**
 * Weight of each participant for a key figure: Σ figure × days over its participation, the
 * figure taken from the version in force on each day. Every missing figure is reported at once.
 */
export function keyFigureWeights(
  name: string,
  versions: readonly KeyFigureVersion[],
  intervals: Map<string, Interval[]>,
): { weights: Record<string, number>; segments: Record<string, FigureSegment[]>; versionIds: string[] } {
  const changeDays = [...new Set(versions.map((v) => v.referenceDate))].sort();
  const weights: Record<string, number> = {};
  const segments: Record<string, FigureSegment[]> = {};
  const used = new Set<string>();
  const missing: string[] = [];
  for (const [p, list] of [...intervals.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    weights[p] = 0;
    segments[p] = [];
    for (const interval of list) {
      // Split the interval where a new version comes into force.
      const cuts = [interval.from, ...changeDays.filter((d) => d > interval.from && d <= interval.to)];
      cuts.forEach((from, i) => {
        const to = i + 1 < cuts.length ? addDays(cuts[i + 1]!, -1) : interval.to;
        const version = versionOn(versions, from);
        const figure = version?.figures[p];
        if (!version || figure === undefined) {
          missing.push(`${p} on ${from}${version ? ` (version ${version.version}, reference date ${version.referenceDate})` : ''}`);
          return;
        }
        const days = daysInclusive(from, to);
        used.add(version.id);
        weights[p] += figure * days;
        segments[p]!.push({ from, to, days, figure, versionId: version.id });
      });
    }
  }
  if (missing.length) {
    throw refuse('key_figure_missing', { name, missing }, 'keyFigures');
  }
  return { weights, segments, versionIds: [...used].sort() };
}

// ---- allocation --------------------------------------------------------------------------

export interface AllocationInput {
  totalCents: Cents;
  year: number;
  rules: ContributionRules;
  participations: readonly ParticipationPeriod[];
  keyFigures: Record<string, readonly KeyFigureVersion[]>;
  /** Approved minutes per participant in the year, when a part is by hours. */
  hoursMinutes?: Record<string, number>;
}

export interface PartShare {
  by: 'keyFigure' | 'hours';
  name: string;
  weight: number;
  cents: Cents;
  explanation: string;
}

export interface ContributionShare {
  participant: string;
  days: number;
  fixedCents: Cents;
  baseCents: Cents;
  parts: PartShare[];
  totalCents: Cents;
  explanation: string;
}

export interface ContributionAllocation {
  year: number;
  totalCents: Cents;
  yearDays: number;
  restCents: Cents;
  parts: { by: 'keyFigure' | 'hours'; name: string; weight: number; cents: Cents; weightSum: number }[];
  shares: ContributionShare[];
  keyFigureVersions: string[];
}

const partName = (p: RestPart) => (p.by === 'hours' ? 'uren' : p.name);

/** Terms that a product's invoices carry: fixed once a step (advance or settlement) is recorded. */
export const INVOICED_PRODUCT_TERMS = ['vatCategory', 'advanceFrequency'] as const;

/**
 * A change of a product's details: its name, service level, services and payment term may
 * always change; its VAT category and advance frequency only before its first step (later
 * advances would carry other VAT than earlier ones, or count instalments differently).
 */
export function productChangeRefusal(
  product: { _id: string } & Record<(typeof INVOICED_PRODUCT_TERMS)[number], string>,
  next: Record<(typeof INVOICED_PRODUCT_TERMS)[number], string>,
  stepsRecorded: boolean,
): Refusal | null {
  const changed = INVOICED_PRODUCT_TERMS.filter((f) => product[f] !== next[f]);
  return stepsRecorded && changed.length
    ? refuse('product_terms_invoiced', { product: product._id, fields: [...changed] }, changed[0])
    : null;
}

export function validateRules(rules: ContributionRules): void {
  for (const [p, v] of Object.entries(rules.fixed ?? {})) {
    if (!Number.isSafeInteger(v) || v < 0) throw refuse('rule_fixed_not_cents', { participant: p }, 'rules.fixed');
  }
  const base = rules.basePerParticipant ?? 0;
  if (!Number.isSafeInteger(base) || base < 0) throw refuse('rule_base_not_cents', none(), 'rules.basePerParticipant');
  const names = rules.rest.map(partName);
  if (new Set(names).size !== names.length) throw refuse('rule_rest_twice', none(), 'rules.rest');
  for (const part of rules.rest) {
    if (!Number.isSafeInteger(part.weight) || part.weight < 1) throw refuse('rule_rest_weight', none(), 'rules.rest');
  }
}

/** Divides `totalCents` over the participants of the year exactly, to the cent; see the rules above. */
export function allocateContributions(input: AllocationInput): ContributionAllocation {
  const { totalCents, year, rules } = input;
  if (!Number.isSafeInteger(totalCents) || totalCents < 0) throw new RangeError(`the total must be whole cents, 0 or more: ${totalCents}`); // a bug, never input
  validateRules(rules);
  const yearDays = daysInYear(year);
  const intervals = clipToYear(input.participations, year);
  const days = participationDays(input.participations, year);
  const participants = Object.keys(days).sort();
  if (participants.length === 0) throw refuse('nobody_participates', { year }, 'participations');

  const fixed = rules.fixed ?? {};
  const fixedOf: Record<string, Cents> = {};
  const baseOf: Record<string, Cents> = {};
  const keyed = participants.filter((p) => fixed[p] === undefined);
  for (const p of participants) {
    if (fixed[p] !== undefined) fixedOf[p] = prorate(fixed[p]!, days[p]!, yearDays);
    else baseOf[p] = prorate(rules.basePerParticipant ?? 0, days[p]!, yearDays);
  }
  const fixedSum = Object.values(fixedOf).reduce((s, v) => s + v, 0);
  const baseSum = Object.values(baseOf).reduce((s, v) => s + v, 0);
  if (fixedSum > totalCents) throw refuse('fixed_exceeds_total', { fixedCents: fixedSum, totalCents }, 'rules.fixed');
  if (fixedSum + baseSum > totalCents)
    throw refuse('fixed_and_base_exceed_total', { fixedCents: fixedSum + baseSum, totalCents }, 'rules.basePerParticipant');
  const restCents = totalCents - fixedSum - baseSum;

  const partsOut: ContributionAllocation['parts'] = [];
  const perPart: Record<string, PartShare[]> = Object.fromEntries(participants.map((p) => [p, []]));
  const versionIds = new Set<string>();
  if (restCents > 0) {
    if (rules.rest.length === 0) throw refuse('rest_unassigned', { restCents }, 'rules.rest');
    if (keyed.length === 0) throw refuse('nobody_pays_rest', none(), 'rules.rest');
    const partCents = largestRemainder(restCents, Object.fromEntries(rules.rest.map((p) => [partName(p), p.weight])));
    for (const part of rules.rest) {
      const name = partName(part);
      let weights: Record<string, number>;
      let explain: (p: string) => string;
      if (part.by === 'keyFigure') {
        const versions = input.keyFigures[part.name] ?? [];
        if (versions.length === 0) throw refuse('key_figure_unknown', { name: part.name }, 'keyFigures');
        const keyedIntervals = new Map([...intervals].filter(([p]) => keyed.includes(p)));
        const r = keyFigureWeights(part.name, versions, keyedIntervals);
        r.versionIds.forEach((v) => versionIds.add(v));
        weights = r.weights;
        explain = (p) => r.segments[p]!.map((s) => `${s.figure} ${part.name} × ${s.days} days (${s.versionId})`).join(' + ');
      } else {
        weights = Object.fromEntries(keyed.map((p) => [p, input.hoursMinutes?.[p] ?? 0]));
        explain = (p) => `${weights[p]} minutes of approved hours`;
        if (Object.values(weights).every((w) => w === 0)) throw refuse('no_hours_to_divide', { year }, 'hours');
      }
      const weightSum = Object.values(weights).reduce((s, w) => s + w, 0);
      if (weightSum === 0) throw refuse('key_figure_zero', { name }, 'keyFigures');
      const cents = partCents[name]!;
      const shares = largestRemainder(cents, weights);
      partsOut.push({ by: part.by, name, weight: part.weight, cents, weightSum });
      for (const p of keyed) {
        perPart[p]!.push({
          by: part.by,
          name,
          weight: weights[p]!,
          cents: shares[p]!,
          explanation: `${explain(p)}: ${weights[p]} / ${weightSum} of ${cents} ct`,
        });
      }
    }
  }

  const shares = participants.map((p): ContributionShare => {
    const parts = perPart[p]!;
    const f = fixedOf[p] ?? 0;
    const b = baseOf[p] ?? 0;
    const total = f + b + parts.reduce((s, x) => s + x.cents, 0);
    const prorated = days[p]! < yearDays ? ` for ${days[p]} of ${yearDays} days` : '';
    const explanation =
      fixed[p] !== undefined
        ? `fixed share ${fixed[p]} ct${prorated}`
        : [`fixed base ${rules.basePerParticipant ?? 0} ct${prorated}`, ...parts.map((x) => `${x.name}: ${x.explanation}`)].join('; ');
    return { participant: p, days: days[p]!, fixedCents: f, baseCents: b, parts, totalCents: total, explanation };
  });
  const sum = shares.reduce((s, x) => s + x.totalCents, 0);
  if (sum !== totalCents) throw new Error(`allocation does not add up: ${sum} != ${totalCents}`); // a bug, never input
  return { year, totalCents, yearDays, restCents, parts: partsOut, shares, keyFigureVersions: [...versionIds].sort() };
}

// ---- advances and settlement ---------------------------------------------------------------

export const ADVANCE_FREQUENCIES = { yearly: 1, quarterly: 4, monthly: 12 } as const;
export type AdvanceFrequency = keyof typeof ADVANCE_FREQUENCIES;

/** First day and label of instalment k (1-based) of n in a year: 2026-Q3, 2026-07, 2026. */
export function instalmentPeriod(year: number, k: number, n: number): { start: string; label: string } {
  if (!Number.isInteger(k) || k < 1 || k > n) throw refuse('instalment_out_of_range', { max: n }, 'instalment');
  const month = 1 + ((k - 1) * 12) / n;
  const start = `${year}-${String(month).padStart(2, '0')}-01`;
  const label = n === 1 ? String(year) : n === 4 ? `${year}-Q${k}` : start.slice(0, 7);
  return { start, label };
}

/** How many instalments of the year have started by `today`. */
export function dueInstalments(year: number, n: number, today: string): number {
  let due = 0;
  for (let k = 1; k <= n; k++) if (instalmentPeriod(year, k, n).start <= today) due = k;
  return due;
}

/**
 * The advance of instalment k: what is still to invoice of the provisional yearly contribution
 * (yearly − already invoiced), spread evenly over the instalments left including this one,
 * rounded down; the last instalment takes exactly what is left, so the advances add up to the
 * yearly contribution. A budget amendment therefore changes only the advances not yet
 * invoiced. Nothing (0) when the advances so far already cover it: the settlement returns it.
 */
export function advanceAmount(input: { yearlyCents: Cents; invoicedCents: Cents; instalment: number; instalments: number }): Cents {
  const left = input.instalments - input.instalment + 1;
  if (left < 1) throw refuse('instalment_out_of_range', { max: input.instalments }, 'instalment');
  const open = input.yearlyCents - input.invoicedCents;
  if (open <= 0) return 0;
  return left === 1 ? open : Math.floor(open / left);
}

/** The settlement: an invoice for more, a credit note (UNCL1001 381) for less, or nothing. */
export function settlementDifference(
  definitiveCents: Cents,
  advancesCents: Cents,
): { kind: 'invoice' | 'credit_note' | 'none'; amountCents: Cents } {
  const diff = definitiveCents - advancesCents;
  if (diff > 0) return { kind: 'invoice', amountCents: diff };
  if (diff < 0) return { kind: 'credit_note', amountCents: -diff };
  return { kind: 'none', amountCents: 0 };
}

/** A settlement line as one signed amount: what the participant pays (+) or gets back (−). */
export function signedSettlementCents(line: { kind: 'invoice' | 'credit_note' | 'none'; amountCents: Cents }): Cents {
  return line.kind === 'credit_note' ? -line.amountCents : line.amountCents;
}

/**
 * Whether an invoice's run key is a contribution step (`<product>:<year>:A<k>` or
 * `<product>:<year>:S`, the step's record id) rather than an hour run (its workflow id). A
 * contribution invoice, and a credit note on one, has lines of an amount, not of hours × rate.
 */
export function isContributionStepKey(runKey: string | null | undefined): boolean {
  return /^[^:]+:\d{4}:(A\d{1,2}|S)$/.test(runKey ?? '');
}

/** First and last day of an invoice period label: YYYY-MM (hours), YYYY-Qn or YYYY (contributions). */
export function periodRange(label: string): { start: string; end: string } {
  const q = /^(\d{4})-Q([1-4])$/.exec(label);
  if (q) {
    const m = (Number(q[2]) - 1) * 3;
    const start = `${q[1]}-${String(m + 1).padStart(2, '0')}-01`;
    return { start, end: new Date(Date.UTC(Number(q[1]), m + 3, 0)).toISOString().slice(0, 10) };
  }
  if (/^\d{4}$/.test(label)) return yearBounds(Number(label));
  const [year, month] = label.split('-').map(Number) as [number, number];
  return { start: `${label}-01`, end: new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10) };
}

// ---- rules against the product's data ----------------------------------------------------

/**
 * Warnings about the rules for the preview: a fixed share for an organisation that never
 * participated is ignored by the allocation, which is rarely what the centre meant.
 */
export function fixedShareNonParticipants(rules: ContributionRules, participants: readonly string[]): string[] {
  return Object.keys(rules.fixed ?? {})
    .filter((p) => !participants.includes(p))
    .sort();
}

/** A rule change may not make the fixed shares exceed a year's (latest) budget: that year could not be allocated. */
export function assertRulesWithinBudgets(rules: ContributionRules, budgets: readonly { year: number; budgetCents: Cents }[]): void {
  const fixedCents = Object.values(rules.fixed ?? {}).reduce((s, c) => s + c, 0);
  const over = [...budgets].sort((a, b) => a.year - b.year).find((b) => fixedCents > b.budgetCents);
  if (over) throw refuse('fixed_exceeds_budget', { fixedCents, budgetCents: over.budgetCents, year: over.year }, 'rules.fixed');
}
