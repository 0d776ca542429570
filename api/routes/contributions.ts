import { z } from 'zod';
// Routes of the shared centre's money (scenario 2).
import type { Application } from '../../app';
import {
  actualsSchema,
  advanceSchema,
  budgetSchema,
  endParticipationSchema,
  keyFigureImportSchema,
  keyFiguresSchema,
  mergerSchema,
  participationSchema,
  previewSchema,
  productDetailsSchema,
  productSchema,
  reportSchema,
  rulesSchema,
  settlementSchema,
  keyFigureListSchema,
  stepListSchema,
} from '../../app/contributions/schemas';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function contributionRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.contributions;
  const tag = 'contributions';
  r.add({
    method: 'get',
    path: '/api/contributions/products',
    response: z.array(R.product),
    tag,
    summary: "The shared centre's products: the centre's own, or those the caller's municipality participates in",
    handler: ({ actor }) => uc.listProducts(actor),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products',
    response: R.product,
    tag,
    status: 201,
    summary: 'Centre admin adds a product financed by contributions, with its allocation rules',
    body: productSchema,
    handler: ({ actor, body }) => uc.createProduct(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/contributions/products/:id',
    response: R.product,
    tag,
    summary:
      "Centre admin changes a product's details: name, service level, services, payment term; VAT category and advance frequency only before its first advance or settlement",
    body: productDetailsSchema,
    handler: ({ actor, params, body }) => uc.updateProduct(actor, params.id!, body),
  });
  r.add({
    method: 'put',
    path: '/api/contributions/products/:id/rules',
    response: R.product,
    tag,
    summary:
      "Centre admin changes a product's allocation rules (refused when the fixed shares exceed a year's budget; steps already invoiced keep theirs)",
    body: rulesSchema,
    handler: ({ actor, params, body }) => uc.updateRules(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/participations',
    response: R.participation,
    tag,
    status: 201,
    summary: 'Centre admin records that a municipality joins the product from a date (409 when it overlaps its own participation)',
    body: participationSchema,
    handler: ({ actor, params, body }) => uc.addParticipation(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/participations',
    response: z.array(R.participation),
    tag,
    summary: "Participations: the centre's, or the caller's municipality's own",
    handler: ({ actor }) => uc.listParticipations(actor),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/participations/:id/end',
    response: R.participation,
    tag,
    summary: 'Centre admin records the last day of a participation (leaving; pro-rated by days)',
    body: endParticipationSchema,
    handler: ({ actor, params, body }) => uc.endParticipation(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/key-figures',
    response: z.array(R.keyFigureVersion),
    tag,
    summary: "Every version of the centre's key figures (name: only that figure's versions)",
    query: keyFigureListSchema,
    handler: ({ actor, query }) => uc.listKeyFigures(actor, query),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/key-figures',
    response: R.keyFigureVersion,
    tag,
    status: 201,
    summary: 'Centre admin adds a new version of a named key figure (inhabitants, pupils 5–18, cases, …)',
    body: keyFiguresSchema,
    handler: ({ actor, body }) => uc.addKeyFigures(actor, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/key-figures/import',
    response: R.keyFigureImport,
    tag,
    status: 201,
    summary:
      'Centre admin imports a key figure from a CSV in the layout of CBS open-data tables; bad rows are reported and nothing is imported',
    body: keyFigureImportSchema,
    handler: ({ actor, body }) => uc.importKeyFigures(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/budgets',
    response: z.array(R.budget),
    tag,
    summary: 'Budget versions of a product (amendments are new versions)',
    handler: ({ actor, params }) => uc.budgets(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/budgets',
    response: R.budget,
    tag,
    status: 201,
    summary: "Centre finance sets or amends a product's yearly budget; only advances not yet invoiced change",
    body: budgetSchema,
    handler: ({ actor, params, body }) => uc.setBudget(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/actuals',
    response: R.actual,
    tag,
    status: 201,
    summary: 'Centre finance records the actual costs of a year: entered, or (without actualCents) from approved hours × rates',
    body: actualsSchema,
    handler: ({ actor, params, body }) => uc.recordActuals(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/preview',
    response: R.preview,
    tag,
    summary:
      "Every participant's share and how it was computed, and what the next advance (basis=budget) or the settlement (basis=actuals) would invoice, with warnings about the rules; writes nothing",
    query: previewSchema,
    handler: ({ actor, params, query }) => uc.preview(actor, params.id!, query),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/advances',
    response: R.stepStarted,
    tag,
    status: 202,
    summary: 'Centre finance invoices an advance instalment (the next one by default); a second start finds the first',
    body: advanceSchema,
    handler: ({ actor, params, body }) => uc.startStep(actor, params.id!, 'advance', body),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/products/:id/settlements',
    response: R.stepStarted,
    tag,
    status: 202,
    summary: 'Centre finance settles an ended year: an invoice or a credit note per participant for definitive contribution − advances',
    body: settlementSchema,
    handler: ({ actor, params, body }) => uc.startStep(actor, params.id!, 'settlement', body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/my-share',
    response: R.ownShare,
    tag,
    summary:
      "A participant's own share of the year and how it was computed: budget, fixed shares of others, days of participation, the key-figure versions with source and every participant's figure, and the next advance",
    query: previewSchema,
    handler: ({ actor, params, query }) => uc.ownShare(actor, params.id!, query),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/products/:id/steps',
    response: z.array(R.step),
    tag,
    summary:
      'The recorded advance and settlement steps: each allocation as invoiced, with the budget, actuals and key-figure versions it used (filter: year, kind)',
    query: stepListSchema,
    handler: ({ actor, params, query }) => uc.steps(actor, params.id!, query),
  });
  r.add({
    method: 'post',
    path: '/api/contributions/mergers',
    response: R.merger,
    tag,
    status: 201,
    summary: 'Centre admin records a merger: participation and key figures move to the merged municipality from the date',
    body: mergerSchema,
    handler: ({ actor, body }) => uc.merge(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/reports',
    response: R.report,
    tag,
    summary: 'Per participant and product: budget, advances invoiced, actuals, settlement, paid (a participant sees its own rows only)',
    query: reportSchema,
    handler: ({ actor, query }) => uc.report(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/contributions/reports.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'The contribution report as CSV',
    query: reportSchema,
    handler: async ({ actor, query, res }) => {
      const { year, csv } = await uc.reportCsv(actor, query);
      res.set('cache-control', 'private, no-store').type('text/csv').attachment(`bijdragen-${year}.csv`).send(csv);
    },
  });
}
