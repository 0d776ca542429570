// Gathers the inputs of a contribution step from the database and applies the pure rules of
// domain/contributions.ts. Read-only: the preview (API) and the planning activity (worker)
// use the same code, so a preview shows exactly what a step would invoice.
import {
  ADVANCE_FREQUENCIES,
  advanceAmount,
  allocateContributions,
  instalmentPeriod,
  settlementDifference,
  type AdvanceFrequency,
  type ContributionAllocation,
  type ContributionRules,
  type KeyFigureVersion,
  type ParticipationPeriod,
} from '../domain/contributions';
import { yearBounds } from '../domain/dates';
import { invalidInput, notFound, refuse } from '../domain/refusals';
import { amountForMinutes } from '../domain/money';
import { effectiveRate } from '../domain/rates';
import type { Models } from '../models';
import type { StepLine } from '../models/contributions';

export type StepKind = 'advance' | 'settlement';

export const contributionStepId = (product: string, year: number, kind: StepKind, instalment?: number | null) =>
  `${product}:${year}:${kind === 'advance' ? `A${instalment}` : 'S'}`;
export const contributionInvoiceId = (product: string, year: number, kind: StepKind, instalment: number | null, participant: string) =>
  `${product}-${year}-${kind === 'advance' ? `A${instalment}` : 'S'}-${participant}`;

export async function loadProduct(models: Models, id: string) {
  const product = await models.ContributionProduct.findById(id).lean();
  if (!product) throw notFound('product');
  return product;
}
export type ProductDoc = Awaited<ReturnType<typeof loadProduct>>;

export const instalmentsOf = (product: ProductDoc) => ADVANCE_FREQUENCIES[(product.advanceFrequency ?? 'quarterly') as AdvanceFrequency];

export async function latestBudget(models: Models, product: string, year: number) {
  return models.ContributionBudget.findOne({ product, year }).sort({ version: -1 }).lean();
}
export async function latestActual(models: Models, product: string, year: number) {
  return models.ContributionActual.findOne({ product, year }).sort({ version: -1 }).lean();
}

export async function keyFigureVersions(models: Models, provider: string, name: string): Promise<KeyFigureVersion[]> {
  const docs = await models.KeyFigureVersion.find({ provider, name }).sort({ version: 1 }).lean();
  return docs.map((d) => ({
    id: d._id,
    name: d.name,
    version: d.version,
    referenceDate: d.referenceDate,
    figures: d.figures as Record<string, number>,
  }));
}

/** Approved (and invoiced) entries of the product's services in the year. */
async function entriesOfYear(models: Models, product: ProductDoc, year: number) {
  const serviceIds = product.serviceIds ?? [];
  if (serviceIds.length === 0) return [];
  const requests = await models.Request.find({ serviceId: { $in: serviceIds } })
    .select({ _id: 1, serviceId: 1 })
    .lean();
  const serviceOf = new Map(requests.map((r) => [r._id, r.serviceId]));
  const { start, end } = yearBounds(year);
  const entries = await models.TimeEntry.find({
    requestId: { $in: [...serviceOf.keys()] },
    status: { $in: ['approved', 'invoiced'] },
    date: { $gte: start, $lte: end },
  })
    .select({ requestId: 1, agreementId: 1, buyer: 1, date: 1, minutes: 1 })
    .lean();
  return entries.map((e) => ({ ...e, serviceId: serviceOf.get(e.requestId)! }));
}

export async function hoursByParticipant(models: Models, product: ProductDoc, year: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of await entriesOfYear(models, product, year)) out[e.buyer] = (out[e.buyer] ?? 0) + e.minutes;
  return out;
}

/** Actual costs from hours × rates: the approved minutes of the product's services at their rates. */
export async function actualsFromHours(models: Models, product: ProductDoc, year: number) {
  const entries = await entriesOfYear(models, product, year);
  const services = new Map((await models.Service.find({ _id: { $in: product.serviceIds ?? [] } }).lean()).map((s) => [s._id, s]));
  const agreements = new Map(
    (await models.Agreement.find({ _id: { $in: [...new Set(entries.map((e) => e.agreementId))] } }).lean()).map((a) => [a._id, a]),
  );
  const minutesByRate = new Map<string, { serviceId: string; rateCentsPerHour: number; minutes: number }>();
  for (const e of entries) {
    const rate = effectiveRate(agreements.get(e.agreementId)?.rateCentsPerHour, services.get(e.serviceId)?.rates ?? [], e.date);
    if (rate === null) throw refuse('no_rate', { serviceId: e.serviceId, date: e.date });
    const key = `${e.serviceId}|${rate}`;
    const g = minutesByRate.get(key) ?? { serviceId: e.serviceId, rateCentsPerHour: rate, minutes: 0 };
    g.minutes += e.minutes;
    minutesByRate.set(key, g);
  }
  const detail = [...minutesByRate.values()].map((g) => ({ ...g, amountCents: amountForMinutes(g.minutes, g.rateCentsPerHour) }));
  return { actualCents: detail.reduce((s, d) => s + d.amountCents, 0), detail };
}

/** Divides `totalCents` of a product's year over its participants (throws BadInput on bad rules or data). */
export async function allocateProduct(
  models: Models,
  product: ProductDoc,
  year: number,
  totalCents: number,
): Promise<ContributionAllocation> {
  const rules = product.rules as ContributionRules;
  const participations = await models.Participation.find({ product: product._id }).lean();
  const periods: ParticipationPeriod[] = participations.map((p) => ({ participant: p.participant, from: p.from, to: p.to ?? null }));
  const keyFigures: Record<string, KeyFigureVersion[]> = {};
  for (const part of rules.rest)
    if (part.by === 'keyFigure') keyFigures[part.name] = await keyFigureVersions(models, product.provider, part.name);
  const hoursMinutes = rules.rest.some((p) => p.by === 'hours') ? await hoursByParticipant(models, product, year) : undefined;
  return allocateContributions({ totalCents, year, rules, participations: periods, keyFigures, ...(hoursMinutes ? { hoursMinutes } : {}) });
}

/**
 * Net advances invoiced per participant for the product's year: issued advance invoices minus
 * credit notes on them. `pending` lists invoices a recorded step has not issued yet (a step that
 * failed or was stopped): they count only once issued.
 */
export async function advancesInvoiced(models: Models, product: string, year: number, beforeInstalment = Infinity) {
  const steps = await models.ContributionStep.find({ product, year, kind: 'advance' }).lean();
  const recorded = steps.flatMap((s) =>
    (s.lines as StepLine[]).filter((l) => l.kind === 'invoice' && l.invoiceId).map((l) => l.invoiceId!),
  );
  const issued = new Set(
    (
      await models.Invoice.find({ _id: { $in: recorded }, status: { $ne: 'draft' } })
        .select({ _id: 1 })
        .lean()
    ).map((i) => i._id),
  );
  const pending: string[] = [];
  const out: Record<string, number> = {};
  const invoiceOwner = new Map<string, string>();
  let lastInvoice: Record<string, string> = {};
  for (const step of steps
    .filter((s) => (s.instalment ?? 0) < beforeInstalment)
    .sort((a, b) => (a.instalment ?? 0) - (b.instalment ?? 0))) {
    for (const line of step.lines as StepLine[]) {
      if (line.kind !== 'invoice' || !line.invoiceId) continue;
      if (!issued.has(line.invoiceId)) {
        pending.push(line.invoiceId);
        continue;
      }
      out[line.participant] = (out[line.participant] ?? 0) + line.amountCents;
      invoiceOwner.set(line.invoiceId, line.participant);
      lastInvoice = { ...lastInvoice, [line.participant]: line.invoiceId };
    }
  }
  if (invoiceOwner.size) {
    const notes = await models.Invoice.find({
      kind: 'credit_note',
      creditedInvoiceId: { $in: [...invoiceOwner.keys()] },
      status: { $ne: 'draft' },
    })
      .select({ creditedInvoiceId: 1, netCents: 1, runKey: 1 })
      .lean();
    // Credit notes of a dispute on an advance count; the settlement's own credit note does not.
    for (const n of notes.filter((x) => !String(x.runKey).endsWith(':S'))) {
      const p = invoiceOwner.get(n.creditedInvoiceId as string)!;
      out[p] = (out[p] ?? 0) - n.netCents;
    }
  }
  return { byParticipant: out, lastInvoice, pending };
}

async function participationFor(models: Models, product: string, participant: string, year: number) {
  const { end } = yearBounds(year);
  const docs = await models.Participation.find({ product, participant, from: { $lte: end } })
    .sort({ from: -1 })
    .lean();
  const p = docs[0];
  return { participationId: p?._id ?? `${product}:${participant}`, orderReference: p?.orderReference ?? `${product}-${year}` };
}

export interface StepPlan {
  stepId: string;
  product: string;
  provider: string;
  year: number;
  kind: StepKind;
  instalment: number | null;
  instalments: number | null;
  periodLabel: string;
  basis: { budgetId?: string; actualId?: string; totalCents: number };
  allocation: ContributionAllocation;
  lines: StepLine[];
}

/**
 * What a step would invoice, computed from the current records; nothing is written. An advance
 * needs the earlier instalments done and a budget; a settlement needs the year ended and the
 * actual costs recorded.
 */
export async function planStep(
  models: Models,
  input: { product: string; year: number; kind: StepKind; instalment?: number | null; today: string },
): Promise<StepPlan> {
  const product = await loadProduct(models, input.product);
  const year = input.year;
  let instalment: number | null = null;
  let instalments: number | null = null;
  let periodLabel: string;
  let basis: StepPlan['basis'];
  if (input.kind === 'advance') {
    instalments = instalmentsOf(product);
    instalment = input.instalment ?? 0;
    periodLabel = instalmentPeriod(year, instalment, instalments).label;
    if (await models.ContributionStep.exists({ product: product._id, year, kind: 'settlement' }))
      throw refuse('year_settled', { product: product._id, year });
    if (
      instalment > 1 &&
      !(await models.ContributionStep.exists({ _id: contributionStepId(product._id, year, 'advance', instalment - 1) }))
    )
      throw refuse('earlier_instalment_open', { instalment: instalment - 1, year });
    const budget = await latestBudget(models, product._id, year);
    if (!budget) throw refuse('no_budget', { product: product._id, year });
    basis = { budgetId: budget._id, totalCents: budget.budgetCents };
  } else {
    periodLabel = String(year);
    if (input.today <= yearBounds(year).end) throw refuse('year_not_ended', { year });
    const actual = await latestActual(models, product._id, year);
    if (!actual) throw refuse('no_actuals', { product: product._id, year });
    basis = { actualId: actual._id, totalCents: actual.actualCents };
  }
  const allocation = await allocateProduct(models, product, year, basis.totalCents);
  const invoiced = await advancesInvoiced(models, product._id, year, input.kind === 'advance' ? instalment! : Infinity);
  // A later step would count on amounts an earlier one has not invoiced: finish that one first.
  if (invoiced.pending.length > 0) throw refuse('earlier_step_unfinished', { invoices: invoiced.pending });
  const participants = [...new Set([...allocation.shares.map((s) => s.participant), ...Object.keys(invoiced.byParticipant)])].sort();
  const lines: StepLine[] = [];
  for (const participant of participants) {
    const contribution = allocation.shares.find((s) => s.participant === participant)?.totalCents ?? 0;
    const before = invoiced.byParticipant[participant] ?? 0;
    let kind: StepLine['kind'];
    let amountCents: number;
    if (input.kind === 'advance') {
      amountCents = advanceAmount({ yearlyCents: contribution, invoicedCents: before, instalment: instalment!, instalments: instalments! });
      kind = amountCents > 0 ? 'invoice' : 'none';
    } else {
      ({ kind, amountCents } = settlementDifference(contribution, before));
    }
    lines.push({
      participant,
      contributionCents: contribution,
      invoicedBeforeCents: before,
      kind,
      amountCents,
      invoiceId: kind === 'none' ? null : contributionInvoiceId(product._id, year, input.kind, instalment, participant),
      ...(await participationFor(models, product._id, participant, year)),
    });
  }
  return {
    stepId: contributionStepId(product._id, year, input.kind, instalment),
    product: product._id,
    provider: product.provider,
    year,
    kind: input.kind,
    instalment,
    instalments,
    periodLabel,
    basis,
    allocation,
    lines,
  };
}

export function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw invalidInput('year', 'invalid');
}
