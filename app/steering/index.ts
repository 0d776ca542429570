// Regional steering (programmasturing): the figures of the whole region per quarter, for the
// steering role of a shared centre. Reads codes, dates, minutes and amounts only: a request's
// title, description or result never leaves this feature.
import { z } from 'zod';
import { toCsv } from '../core/csv';
import { isContributionStepKey } from '../../domain/contributions';
import { dutchDate } from '../../domain/dates';
import { centsToDecimal } from '../../domain/money';
import { refuse } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import {
  parseQuarter,
  quarterNl,
  quarterOf,
  quarterRange,
  quartersUpTo,
  slaPercent,
  steeringFigures,
  total,
  usedPercent,
  type Figures,
  type QuarterId,
  type SteeringFacts,
} from '../../domain/steering';
import type { Models } from '../../models';
import { parseInput } from '../core/input';
import type { Directory } from '../core/directory';

/** Quarters in the trend: two years. */
export const TREND_QUARTERS = 8;

export const steeringQuerySchema = z.object({
  quarter: z
    .string()
    .trim()
    .toUpperCase()
    .optional()
    .transform((q) => (q ? q : undefined))
    .refine((q) => q === undefined || parseQuarter(q) !== null, { message: 'invalid_format' }),
});

export const STEERING_TABLES = ['municipalities', 'services', 'agreements', 'products', 'trend'] as const;
export type SteeringTable = (typeof STEERING_TABLES)[number];
export const steeringCsvSchema = steeringQuerySchema.extend({ table: z.enum(STEERING_TABLES) });

const TABLE_FILE_NL: Record<SteeringTable, string> = {
  municipalities: 'gemeenten',
  services: 'diensten',
  agreements: 'dvos',
  products: 'bijdrageproducten',
  trend: 'trend',
};

export function steeringFeature({ models }: { models: Models }, directory: Directory) {
  /** The role sees the region only when it is held at a shared centre. */
  async function assertSteering(actor: Actor) {
    assertOrgAction(actor, 'viewSteering');
    const org = await directory.organisation(actor.org);
    if (org?.kind !== 'shared_centre') throw refuse('role_not_for_org', { role: 'steering', org: actor.org });
  }

  /** Requests, time and issued invoices from the first trend quarter to the end of the chosen one. */
  async function facts(from: string, to: string): Promise<SteeringFacts> {
    const requests = await models.Request.find({ submittedAt: { $gte: from, $lte: `${to}T23:59:59.999Z` } })
      .select({ buyer: 1, serviceId: 1, submittedAt: 1, breaches: 1 })
      .lean();
    const entries = await models.TimeEntry.find({ date: { $gte: from, $lte: to } })
      .select({ requestId: 1, buyer: 1, date: 1, minutes: 1 })
      .lean();
    const invoices = await models.Invoice.find({ status: { $ne: 'draft' }, issueDate: { $gte: from, $lte: to } })
      .select({ kind: 1, buyer: 1, runKey: 1, issueDate: 1, 'lines.requestId': 1, 'lines.amountCents': 1 })
      .lean();
    // The service of each request that time or an invoice line was booked on.
    const serviceOf = new Map(requests.map((r) => [r._id, r.serviceId]));
    const unknown = [
      ...new Set([...entries.map((e) => e.requestId), ...invoices.flatMap((i) => i.lines.map((l) => l.requestId ?? ''))]),
    ].filter((id) => id && !serviceOf.has(id));
    for (const r of await models.Request.find({ _id: { $in: unknown } })
      .select({ serviceId: 1 })
      .lean())
      serviceOf.set(r._id, r.serviceId);
    return {
      requests: requests.map((r) => ({
        buyer: r.buyer,
        serviceId: r.serviceId,
        submittedAt: r.submittedAt,
        breached: (r.breaches ?? []).length > 0,
      })),
      entries: entries.map((e) => ({ buyer: e.buyer, serviceId: serviceOf.get(e.requestId) ?? null, date: e.date, minutes: e.minutes })),
      invoices: invoices.flatMap((i) => {
        const sign = i.kind === 'credit_note' ? -1 : 1;
        // Contribution invoices carry their step's key (advance or settlement) as run key.
        const contribution = isContributionStepKey(i.runKey);
        return i.lines.map((l) => ({
          buyer: i.buyer,
          serviceId: contribution ? null : (serviceOf.get(l.requestId ?? '') ?? null),
          issueDate: i.issueDate,
          netCents: sign * (l.amountCents ?? 0),
          financing: contribution ? ('contribution' as const) : ('hours' as const),
        }));
      }),
    };
  }

  /** Each agreement in force in the quarter: hours to the quarter's end against its hour budget. */
  async function agreementUse(q: QuarterId) {
    const { from, to } = quarterRange(q);
    const agreements = await models.Agreement.find({ validFrom: { $lte: to }, validTo: { $gte: from } })
      .sort({ _id: 1 })
      .lean();
    const ids = agreements.map((a) => a._id);
    const minutes = new Map<string, { toDate: number; inQuarter: number }>();
    for await (const e of models.TimeEntry.find({ agreementId: { $in: ids }, date: { $lte: to } })
      .select({ agreementId: 1, date: 1, minutes: 1 })
      .lean()
      .cursor()) {
      const m = minutes.get(e.agreementId) ?? minutes.set(e.agreementId, { toDate: 0, inQuarter: 0 }).get(e.agreementId)!;
      m.toDate += e.minutes;
      if (e.date >= from) m.inQuarter += e.minutes;
    }
    const invoiced = new Map<string, number>();
    for (const inv of await models.Invoice.find({ agreementId: { $in: ids }, status: { $ne: 'draft' }, issueDate: { $lte: to } })
      .select({ agreementId: 1, kind: 1, netCents: 1 })
      .lean())
      invoiced.set(inv.agreementId, (invoiced.get(inv.agreementId) ?? 0) + (inv.kind === 'credit_note' ? -1 : 1) * inv.netCents);
    const rows = agreements.map((a) => {
      const budgetMinutes = a.hourBudget != null ? a.hourBudget * 60 : null;
      const m = minutes.get(a._id) ?? { toDate: 0, inQuarter: 0 };
      return {
        id: a._id,
        buyer: a.buyer,
        provider: a.provider,
        serviceIds: a.serviceIds,
        validFrom: a.validFrom,
        validTo: a.validTo,
        hourBilling: a.hourBilling !== false,
        budgetMinutes,
        minutesInQuarter: m.inQuarter,
        minutesToDate: m.toDate,
        invoicedCents: invoiced.get(a._id) ?? 0,
        usedPercent: usedPercent(m.toDate, budgetMinutes),
      };
    });
    return rows;
  }

  /** Each contribution product in the quarter's year: the latest budget, invoiced to the quarter's end, and the actual costs once known. */
  async function productUse(q: QuarterId) {
    const { to, year } = quarterRange(q);
    const products = await models.ContributionProduct.find().sort({ _id: 1 }).lean();
    const rows = [];
    for (const p of products) {
      const budget = await models.ContributionBudget.findOne({ product: p._id, year }).sort({ version: -1 }).lean();
      const actual = await models.ContributionActual.findOne({ product: p._id, year }).sort({ version: -1 }).lean();
      const stepIds = (await models.ContributionStep.find({ product: p._id, year }).select({ _id: 1 }).lean()).map((s) => s._id);
      let invoicedCents = 0;
      for (const inv of await models.Invoice.find({ runKey: { $in: stepIds }, status: { $ne: 'draft' }, issueDate: { $lte: to } })
        .select({ kind: 1, netCents: 1 })
        .lean())
        invoicedCents += (inv.kind === 'credit_note' ? -1 : 1) * inv.netCents;
      rows.push({
        id: p._id,
        name: p.name,
        provider: p.provider,
        year,
        budgetCents: budget?.budgetCents ?? null,
        budgetVersion: budget?.version ?? null,
        invoicedCents,
        actualCents: actual?.actualCents ?? null,
        usedPercent: usedPercent(actual?.actualCents ?? invoicedCents, budget?.budgetCents ?? null),
      });
    }
    return rows;
  }

  const row = (f: Figures) => ({ ...f, totalCents: f.hoursCents + f.contributionCents, slaPercent: slaPercent(f) });

  /** The overview of one quarter (default: the current one), per municipality and service, with the trend. */
  async function overview(actor: Actor, raw: unknown = {}) {
    await assertSteering(actor);
    const input = parseInput(steeringQuerySchema, raw);
    const quarter = (input.quarter as QuarterId | undefined) ?? quarterOf(dutchDate(Date.now()));
    const quarters = quartersUpTo(quarter, TREND_QUARTERS);
    const f = await facts(quarterRange(quarters[0]!).from, quarterRange(quarter).to);
    const figures = steeringFigures(f, quarter, TREND_QUARTERS);
    const name = await directory.namer();
    const municipalities = await models.Organisation.find({ kind: 'municipality' }).select({ _id: 1 }).sort({ _id: 1 }).lean();
    // Every municipality is listed, also in a quarter without figures; then any other buyer.
    const buyers = [...new Set([...municipalities.map((m) => m._id), ...figures.perBuyer.keys()])];
    const services = await models.Service.find().select({ name: 1, provider: 1 }).sort({ _id: 1 }).lean();
    const serviceName = new Map(services.map((s) => [s._id, s.name]));
    const zero: Figures = { requests: 0, minutes: 0, hoursCents: 0, contributionCents: 0, slaTotal: 0, slaMet: 0 };
    const perMunicipality = buyers.map((b) => ({ org: b, name: name(b), ...row(figures.perBuyer.get(b) ?? zero) }));
    const perService = [...figures.perService.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, x]) => ({ serviceId: id, name: serviceName.get(id) ?? id, ...row(x) }));
    const totals = row(total(perMunicipality));
    return {
      quarter,
      quarterLabel: quarterNl(quarter),
      range: quarterRange(quarter),
      perMunicipality,
      perService,
      totals,
      agreements: (await agreementUse(quarter)).map((a) => ({
        ...a,
        buyerName: name(a.buyer),
        providerName: name(a.provider),
        serviceNames: a.serviceIds.map((s) => serviceName.get(s) ?? s),
      })),
      products: (await productUse(quarter)).map((p) => ({ ...p, providerName: name(p.provider) })),
      trend: figures.trend.map((t) => ({ ...row(t), quarter: t.quarter, quarterLabel: quarterNl(t.quarter) })),
    };
  }

  const euro = (cents: number | null) => (cents === null ? '' : centsToDecimal(cents));
  const hours = (minutes: number | null) => (minutes === null ? '' : (minutes / 60).toFixed(2));
  const pct = (p: number | null) => (p === null ? '' : String(p));

  /** One of the overview's tables as CSV, with the same figures as the page. */
  async function csv(actor: Actor, raw: unknown): Promise<{ fileName: string; body: string }> {
    await assertSteering(actor);
    const { table } = parseInput(steeringCsvSchema, raw);
    const o = await overview(actor, raw);
    const figureHeader = ['aanvragen', 'uren', 'euro_uren', 'euro_bijdrage', 'euro_totaal', 'sla_getoetst', 'sla_gehaald', 'sla_procent'];
    type Row = ReturnType<typeof row>;
    const figureCells = (f: Row) => [
      f.requests,
      hours(f.minutes),
      euro(f.hoursCents),
      euro(f.contributionCents),
      euro(f.totalCents),
      f.slaTotal,
      f.slaMet,
      pct(f.slaPercent),
    ];
    const fileName = `sturing-${TABLE_FILE_NL[table]}-${o.quarter}.csv`;
    switch (table) {
      case 'municipalities':
        return {
          fileName,
          body: toCsv(
            ['kwartaal', 'gemeente', 'naam', ...figureHeader],
            o.perMunicipality.map((m) => [o.quarter, m.org, m.name, ...figureCells(m)]),
          ),
        };
      case 'services':
        return {
          fileName,
          body: toCsv(
            ['kwartaal', 'dienst', 'naam', ...figureHeader],
            o.perService.map((s) => [o.quarter, s.serviceId, s.name, ...figureCells(s)]),
          ),
        };
      case 'trend':
        return {
          fileName,
          body: toCsv(
            ['kwartaal', ...figureHeader],
            o.trend.map((t) => [t.quarter, ...figureCells(t)]),
          ),
        };
      case 'agreements':
        return {
          fileName,
          body: toCsv(
            [
              'kwartaal',
              'dvo',
              'afnemer',
              'leverancier',
              'budget_uren',
              'uren_kwartaal',
              'uren_tot_en_met_kwartaal',
              'budget_procent',
              'gefactureerd_euro',
            ],
            o.agreements.map((a) => [
              o.quarter,
              a.id,
              a.buyer,
              a.provider,
              hours(a.budgetMinutes),
              hours(a.minutesInQuarter),
              hours(a.minutesToDate),
              pct(a.usedPercent),
              euro(a.invoicedCents),
            ]),
          ),
        };
      case 'products':
        return {
          fileName,
          body: toCsv(
            ['jaar', 'product', 'naam', 'begroting_euro', 'gefactureerd_euro', 'werkelijk_euro', 'procent_van_begroting'],
            o.products.map((p) => [
              p.year,
              p.id,
              p.name,
              euro(p.budgetCents),
              euro(p.invoicedCents),
              euro(p.actualCents),
              pct(p.usedPercent),
            ]),
          ),
        };
    }
  }

  return { overview, csv };
}
export type SteeringFeature = ReturnType<typeof steeringFeature>;
