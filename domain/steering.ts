// Regional steering (programmasturing): the region's figures per quarter, per municipality and
// per service. Pure: the application layer reads the facts, these rules count them. Facts
// carry codes, dates and amounts only, never what a request is about.
import { dayOf } from './dates';

export type QuarterId = `${number}-Q${1 | 2 | 3 | 4}`;

const QUARTER = /^(\d{4})-Q([1-4])$/;

/** The quarter of an ISO date: 2026-05-03 → 2026-Q2. */
export function quarterOf(date: string): QuarterId {
  const month = Number(date.slice(5, 7));
  return `${Number(date.slice(0, 4))}-Q${Math.ceil(month / 3) as 1 | 2 | 3 | 4}`;
}

/** A quarter as given (2026-Q3), or null. */
export function parseQuarter(text: string): QuarterId | null {
  return QUARTER.test(text) ? (text as QuarterId) : null;
}

/** First and last day of a quarter, inclusive. */
export function quarterRange(q: QuarterId): { from: string; to: string; year: number } {
  const [, y, k] = QUARTER.exec(q)!;
  const year = Number(y);
  const first = (Number(k) - 1) * 3 + 1;
  const last = first + 2;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const mm = (m: number) => String(m).padStart(2, '0');
  return { from: `${year}-${mm(first)}-01`, to: `${year}-${mm(last)}-${lastDay}`, year };
}

/** The n quarters that end with q, oldest first. */
export function quartersUpTo(q: QuarterId, n: number): QuarterId[] {
  const [, y, k] = QUARTER.exec(q)!;
  const index = Number(y) * 4 + Number(k) - 1;
  return Array.from({ length: n }, (_, i) => {
    const at = index - (n - 1 - i);
    return `${Math.floor(at / 4)}-Q${((at % 4) + 1) as 1 | 2 | 3 | 4}` as QuarterId;
  });
}

/** How a quarter reads in Dutch: "K3 2026". */
export function quarterNl(q: QuarterId): string {
  const [, y, k] = QUARTER.exec(q)!;
  return `K${k} ${y}`;
}

export type Financing = 'hours' | 'contribution';

export interface SteeringFacts {
  /** Requests by their buyer and service, with whether an SLA was breached. */
  requests: readonly { buyer: string; serviceId: string; submittedAt: string; breached: boolean }[];
  /** Registered time by buyer and service. */
  entries: readonly { buyer: string; serviceId: string | null; date: string; minutes: number }[];
  /** Issued invoices, net amounts excluding VAT; a credit note counts negative. */
  invoices: readonly { buyer: string; serviceId: string | null; issueDate: string; netCents: number; financing: Financing }[];
}

export interface Figures {
  requests: number;
  minutes: number;
  /** Euros by hours (hour invoices) and by contribution (advances, settlements). */
  hoursCents: number;
  contributionCents: number;
  slaTotal: number;
  slaMet: number;
}

const empty = (): Figures => ({ requests: 0, minutes: 0, hoursCents: 0, contributionCents: 0, slaTotal: 0, slaMet: 0 });

/** Percentage of requests without an SLA breach, or null when there were none. */
export function slaPercent(f: Pick<Figures, 'slaTotal' | 'slaMet'>): number | null {
  return f.slaTotal ? Math.round((f.slaMet / f.slaTotal) * 100) : null;
}

/**
 * The facts counted per key: a request by its submission date, time by its date, an invoice by
 * its issue date. `key` gets the fact's dimension and date, and returns null to leave it out.
 */
export function tally(
  facts: SteeringFacts,
  key: (fact: { buyer: string; serviceId: string | null }, date: string) => string | null,
): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const at = (k: string) => out.get(k) ?? out.set(k, empty()).get(k)!;
  for (const r of facts.requests) {
    const k = key(r, dayOf(r.submittedAt));
    if (k === null) continue;
    const f = at(k);
    f.requests += 1;
    f.slaTotal += 1;
    if (!r.breached) f.slaMet += 1;
  }
  for (const e of facts.entries) {
    const k = key(e, e.date);
    if (k !== null) at(k).minutes += e.minutes;
  }
  for (const i of facts.invoices) {
    const k = key(i, i.issueDate);
    if (k === null) continue;
    if (i.financing === 'hours') at(k).hoursCents += i.netCents;
    else at(k).contributionCents += i.netCents;
  }
  return out;
}

/** The sum of several rows' figures. */
export function total(rows: Iterable<Figures>): Figures {
  const t = empty();
  for (const f of rows) {
    t.requests += f.requests;
    t.minutes += f.minutes;
    t.hoursCents += f.hoursCents;
    t.contributionCents += f.contributionCents;
    t.slaTotal += f.slaTotal;
    t.slaMet += f.slaMet;
  }
  return t;
}

/** The figures of one quarter per buyer, per service, and the trend per quarter. */
export function steeringFigures(facts: SteeringFacts, quarter: QuarterId, trendQuarters: number) {
  const inQuarter = (d: string) => quarterOf(d) === quarter;
  const quarters = quartersUpTo(quarter, trendQuarters);
  const trend = tally(facts, (_, d) => (quarters.includes(quarterOf(d)) ? quarterOf(d) : null));
  return {
    quarter,
    perBuyer: tally(facts, (f, d) => (inQuarter(d) ? f.buyer : null)),
    perService: tally(facts, (f, d) => (inQuarter(d) && f.serviceId ? f.serviceId : null)),
    trend: quarters.map((q) => ({ quarter: q, ...(trend.get(q) ?? empty()) })),
  };
}

/** Budget against actual: how much of a budget is used, or null without a budget. */
export function usedPercent(actual: number, budget: number | null): number | null {
  return budget && budget > 0 ? Math.round((actual / budget) * 100) : null;
}
