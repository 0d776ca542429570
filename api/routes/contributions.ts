// Routes of the shared centre's money (scenario 2) and of the growth model's service transfers.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { centsToDecimal, VAT_CATEGORIES } from '../../domain/money';
import { isIsoDate } from '../../domain/time';
import type { contributionUseCases } from '../use-cases/contributions';
import { TRANSFER_FINANCING, type serviceTransferUseCases } from '../use-cases/service-transfers';
import type { RouteRegistry } from './registry';

export const code = z.string().regex(/^[A-Z0-9-]{2,40}$/, 'use capitals, digits and dashes');
export const isoDate = z.string().refine(isIsoDate, 'must be a real date, YYYY-MM-DD');
export const cents = z.number().int().min(0).max(100_000_000_000);
export const year = z.coerce.number().int().min(2000).max(2100);
const rules = z.object({
  fixed: z.record(code, cents).optional(),
  basePerParticipant: cents.optional(),
  rest: z
    .array(
      z.discriminatedUnion('by', [
        z.object({ by: z.literal('keyFigure'), name: z.string().trim().min(1).max(60), weight: z.number().int().min(1).default(1) }),
        z.object({ by: z.literal('hours'), weight: z.number().int().min(1).default(1) }),
      ]),
    )
    .default([]),
});
export const figureName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9 _-]{0,59}$/i, 'letters, digits, spaces, - and _');

/** Request bodies, exported so the web pages validate their forms with the same rules. */
export const participationBody = z.object({
  participant: code,
  from: isoDate,
  to: isoDate.nullable().default(null),
  orderReference: z.string().trim().min(1).max(100).optional(),
});
export const endParticipationBody = z.object({ to: isoDate });
export const keyFigureImportBody = z.object({
  name: figureName,
  referenceDate: isoDate,
  csv: z.string().min(1).max(900_000),
  column: z.string().min(1).max(200).optional(),
});
export const budgetBody = z.object({ year, budgetCents: cents, reason: z.string().trim().min(1).max(500).optional() });

/** The contribution report as CSV (the API and the web page send the same). */
export function reportCsv(report: Awaited<ReturnType<ReturnType<typeof contributionUseCases>['report']>>): string {
  const money = (c: number | null) => (c === null ? '' : centsToDecimal(c));
  const rows = [...report.rows, ...report.products].map((row) => [
    row.year,
    row.product,
    row.participant ?? 'totaal',
    money(row.budgetCents),
    money(row.advancesCents),
    money(row.actualCents),
    money(row.settlementCents),
    money(row.paidCents),
    money(row.outstandingCents),
  ]);
  return stringify([
    ['jaar', 'product', 'deelnemer', 'begroting', 'voorschotten', 'werkelijk', 'afrekening', 'betaald', 'openstaand'],
    ...rows,
  ]);
}

export function contributionRoutes(
  r: RouteRegistry,
  uc: ReturnType<typeof contributionUseCases>,
  transfers: ReturnType<typeof serviceTransferUseCases>,
): void {
  const tag = 'contributions';
  r.add({
    method: 'get',
    path: '/api/contributions/products',
    tag,
    summary: "The shared centre's products: the centre's own, or those the caller's municipality participates in",
    handler: ({ actor }) => uc.listProducts(actor),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products',
    tag,
    status: 201,
    summary: 'Centre admin adds a product financed by contributions, with its allocation rules',
    body: z.object({
      _id: code,
      name: z.string().trim().min(1).max(200),
      serviceLevel: z.string().trim().max(100).nullable().default(null),
      serviceIds: z.array(code).default([]),
      rules,
      advanceFrequency: z.enum(['yearly', 'quarterly', 'monthly']).default('quarterly'),
      vatCategory: z.enum(VAT_CATEGORIES).default('O'),
      paymentTermDays: z.number().int().min(0).max(365).default(30),
    }),
    handler: ({ actor, body }) => uc.createProduct(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/contributions/products/:id/rules',
    tag,
    summary: "Centre admin changes a product's allocation rules (steps already invoiced keep theirs)",
    body: rules,
    handler: ({ actor, params, body }) => uc.updateRules(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/participations',
    tag,
    status: 201,
    summary: 'Centre admin records that a municipality joins the product from a date (409 when it overlaps its own participation)',
    body: participationBody,
    handler: ({ actor, params, body }) => uc.addParticipation(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/participations',
    tag,
    summary: "Participations: the centre's, or the caller's municipality's own",
    handler: ({ actor }) => uc.listParticipations(actor),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/participations/:id/end',
    tag,
    summary: 'Centre admin records the last day of a participation (leaving; pro-rated by days)',
    body: endParticipationBody,
    handler: ({ actor, params, body }) => uc.endParticipation(actor, params.id!, body.to),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/key-figures',
    tag,
    summary: "Every version of the centre's key figures",
    handler: ({ actor }) => uc.listKeyFigures(actor),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/key-figures',
    tag,
    status: 201,
    summary: 'Centre admin adds a new version of a named key figure (inhabitants, pupils 5–18, cases, …)',
    body: z.object({ name: figureName, referenceDate: isoDate, figures: z.record(code, z.number().int().min(0)) }),
    handler: ({ actor, body }) => uc.addKeyFigures(actor, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/key-figures/import',
    tag,
    status: 201,
    summary:
      'Centre admin imports a key figure from a CSV in the layout of CBS open-data tables; bad rows are reported and nothing is imported',
    body: keyFigureImportBody,
    handler: ({ actor, body }) => uc.importKeyFigures(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/budgets',
    tag,
    summary: 'Budget versions of a product (amendments are new versions)',
    handler: ({ actor, params }) => uc.budgets(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/budgets',
    tag,
    status: 201,
    summary: "Centre finance sets or amends a product's yearly budget; only advances not yet invoiced change",
    body: budgetBody,
    handler: ({ actor, params, body }) => uc.setBudget(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/actuals',
    tag,
    status: 201,
    summary: 'Centre finance records the actual costs of a year: entered, or (without actualCents) from approved hours × rates',
    body: z.object({ year, actualCents: cents.optional() }),
    handler: ({ actor, params, body }) => uc.recordActuals(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/preview',
    tag,
    summary:
      "Every participant's share and how it was computed, and what the next advance (basis=budget) or the settlement (basis=actuals) would invoice; writes nothing",
    query: z.object({ year, basis: z.enum(['budget', 'actuals']).default('budget') }),
    handler: ({ actor, params, query }) => uc.preview(actor, params.id!, query),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/advances',
    tag,
    status: 202,
    summary: 'Centre finance invoices an advance instalment (the next one by default); a second start finds the first',
    body: z.object({ year, instalment: z.number().int().min(1).max(12).optional() }),
    handler: ({ actor, params, body }) => uc.startStep(actor, params.id!, { kind: 'advance', ...body }),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/settlements',
    tag,
    status: 202,
    summary: 'Centre finance settles an ended year: an invoice or a credit note per participant for definitive contribution − advances',
    body: z.object({ year }),
    handler: ({ actor, params, body }) => uc.startStep(actor, params.id!, { kind: 'settlement', year: body.year }),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/steps',
    tag,
    summary:
      'The recorded advance and settlement steps: each allocation as invoiced, with the budget, actuals and key-figure versions it used',
    handler: ({ actor, params }) => uc.steps(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/mergers',
    tag,
    status: 201,
    summary: 'Centre admin records a merger: participation and key figures move to the merged municipality from the date',
    body: z.object({ into: code, merged: z.array(code).min(1), date: isoDate }),
    handler: ({ actor, body }) => uc.merge(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/reports',
    tag,
    summary: 'Per participant and product: budget, advances invoiced, actuals, settlement, paid (a participant sees its own rows only)',
    query: z.object({ year }),
    handler: ({ actor, query }) => uc.report(actor, query.year),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/reports.csv',
    tag,
    raw: true,
    summary: 'The contribution report as CSV',
    query: z.object({ year }),
    handler: async ({ actor, query, res }) => {
      const report = await uc.report(actor, query.year);
      res.type('text/csv').attachment(`bijdragen-${query.year}.csv`).send(reportCsv(report));
    },
  });
  r.add({
    method: 'post',
    path: '/api/service-transfers',
    tag,
    status: 201,
    summary: "Region admin at the shared centre moves a centre municipality's service to the centre from a date (growth model)",
    body: z.object({
      serviceId: code,
      to: code,
      effectiveDate: isoDate,
      targetServiceId: code.optional(),
      financing: z
        .enum(TRANSFER_FINANCING)
        .default('hours')
        .describe(
          'how the moved participants are financed: hours (the centre bills their hours), contribution (only contributions; the hour runs leave their hours), or both',
        ),
    }),
    handler: ({ actor, body }) => transfers.transfer(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/service-transfers',
    tag,
    summary: 'Services that moved to a shared centre, with their dates and moved agreements',
    handler: () => transfers.list(),
  });
}
