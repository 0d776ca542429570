import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import * as msg from '../../contracts';
import { badInput } from '../../domain/errors';
import { centsToDecimal } from '../../domain/money';
import { isIsoDate } from '../../domain/time';
import { invoicePdf } from '../../documents/pdf';
import { invoiceUbl } from '../../documents/ubl';
import { createViews } from '../../lib/views';
import type { invoiceUseCases } from '../use-cases/invoices';
import type { RouteRegistry } from './registry';

const csvMoney = (cents: number) => centsToDecimal(cents);

type InvoiceUseCases = ReturnType<typeof invoiceUseCases>;

/** Balances per pair as CSV (the API and the web page send the same). */
export function balancesCsv(balances: Awaited<ReturnType<InvoiceUseCases['balances']>>): string {
  const rows = balances.map((b) => [
    b.creditor,
    b.debtor,
    csvMoney(b.invoicedCents),
    csvMoney(b.creditedCents),
    csvMoney(b.paidCents),
    csvMoney(b.outstandingCents),
  ]);
  return stringify([['crediteur', 'debiteur', 'gefactureerd', 'gecrediteerd', 'betaald', 'openstaand'], ...rows]);
}

/** Invoices and credit notes with their lines as CSV, one row per line (the API and the web page send the same). */
export function invoicesCsv(invoices: Awaited<ReturnType<InvoiceUseCases['list']>>): string {
  const rows: (string | number)[][] = [];
  for (const inv of invoices) {
    inv.lines.forEach((l, i) =>
      rows.push([
        inv.number ?? '',
        inv.kind,
        inv.provider,
        inv.buyer,
        inv.issueDate,
        inv.dueDate,
        inv.orderReference,
        i + 1,
        l.requestId ?? '',
        l.minutes ?? 0,
        csvMoney(l.rateCentsPerHour ?? 0),
        csvMoney(l.amountCents ?? 0),
        l.vatCategory ?? '',
        csvMoney(inv.netCents),
        csvMoney(inv.vatCents),
        csvMoney(inv.grossCents),
        inv.status,
      ]),
    );
  }
  const header = [
    'nummer',
    'soort',
    'leverancier',
    'afnemer',
    'factuurdatum',
    'vervaldatum',
    'ordernummer',
    'regel',
    'opdracht',
    'minuten',
    'tarief',
    'bedrag',
    'btw_categorie',
    'netto',
    'btw',
    'totaal',
    'status',
  ];
  return stringify([header, ...rows]);
}

export function invoiceRoutes(r: RouteRegistry, uc: ReturnType<typeof invoiceUseCases>): void {
  const tag = 'invoices';
  const lineNo = (p: Record<string, string>) => {
    const n = Number(p.lineNo);
    if (!Number.isInteger(n) || n < 1) throw badInput('lineNo', 'lineNo must be a line number, 1 or more');
    return n;
  };
  r.add({
    method: 'get',
    path: '/api/invoices/:id/reconciliation',
    tag,
    summary: "Lines matched to their request's approved quote and budget, with their state",
    handler: ({ actor, params }) => uc.reconciliation(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/lines/:lineNo/accept',
    tag,
    summary: 'Buyer finance accepts a line',
    body: z.object({}),
    handler: ({ actor, params }) => uc.act(actor, params.id!, msg.acceptLine, { lineNo: lineNo(params) }),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/lines/:lineNo/dispute',
    tag,
    summary: 'Buyer finance disputes a line, with a reason',
    body: z.object({ reason: z.string().trim().min(1).max(2000) }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, msg.disputeLine, { lineNo: lineNo(params), reason: body.reason }),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/lines/:lineNo/resolve',
    tag,
    summary: 'Provider finance resolves a dispute: a credit note (net cents), or a rejection with an explanation',
    body: z.object({ creditCents: z.number().int().min(1).optional(), explanation: z.string().trim().min(1).max(2000).optional() }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, msg.resolveDispute, { lineNo: lineNo(params), ...body }),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/payments',
    tag,
    status: 201,
    summary: 'Buyer finance registers a payment, in full or in part',
    body: z.object({
      amountCents: z.number().int().min(1),
      date: z.string().refine(isIsoDate, 'must be a real date'),
      reference: z.string().max(200).default(''),
    }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, msg.registerPayment, body),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/corrections',
    tag,
    status: 201,
    summary: 'Provider finance books a correcting entry for a request on the invoice; it goes into a later run',
    body: z.object({
      requestId: z.string().min(1),
      date: z.string(),
      minutes: z.number().int().min(1).max(1440),
      description: z.string().trim().min(1).max(2000),
    }),
    handler: ({ actor, params, body }) => uc.correction(actor, params.id!, body),
  });
  const views = createViews();
  r.add({
    method: 'get',
    path: '/api/invoices/:id/document.html',
    tag,
    raw: true,
    summary: 'The invoice or credit note as HTML (Dutch, with letterhead)',
    handler: async ({ actor, params, res }) => {
      const v = await uc.view(actor, params.id!);
      res.type('html').send(views.render('documents/invoice', v as unknown as Record<string, unknown>, 'documents/layout'));
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/document.pdf',
    tag,
    raw: true,
    summary: 'The invoice or credit note as PDF',
    handler: async ({ actor, params, res }) => {
      const v = await uc.view(actor, params.id!);
      res
        .type('application/pdf')
        .attachment(`${v.number}.pdf`)
        .send(await invoicePdf(v));
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/ubl.xml',
    tag,
    raw: true,
    summary: 'The invoice or credit note as UBL 2.1: Peppol BIS Billing 3.0 (default) or SI-UBL 2.0 / NLCIUS (?profile=nlcius)',
    query: z.object({ profile: z.enum(['peppol', 'nlcius']).default('peppol') }),
    handler: async ({ actor, params, query, res }) => {
      const v = await uc.view(actor, params.id!);
      res.type('application/xml').attachment(`${v.number}.xml`).send(invoiceUbl(v, query.profile));
    },
  });
  r.add({
    method: 'get',
    path: '/api/balances',
    tag,
    summary: 'Balances per pair of organisations',
    handler: ({ actor }) => uc.balances(actor),
  });
  r.add({ method: 'get', path: '/api/netting', tag, summary: 'Multilateral netting proposal', handler: ({ actor }) => uc.netting(actor) });
  r.add({
    method: 'get',
    path: '/api/balances.csv',
    tag,
    raw: true,
    summary: 'Balances as CSV',
    handler: async ({ actor, res }) => {
      res
        .type('text/csv')
        .attachment('saldi.csv')
        .send(balancesCsv(await uc.balances(actor)));
    },
  });
  r.add({
    method: 'get',
    path: '/api/exports/invoices.csv',
    tag,
    raw: true,
    summary: 'Invoices and credit notes with their lines, for finance systems',
    handler: async ({ actor, res }) => {
      res
        .type('text/csv')
        .attachment('facturen.csv')
        .send(invoicesCsv(await uc.list(actor)));
    },
  });
  r.add({
    method: 'post',
    path: '/api/invoice-runs',
    tag,
    status: 202,
    summary: "Start the invoice run of the caller's organisation for a period (or join the running one)",
    body: z.object({ period: z.string() }),
    handler: ({ actor, body }) => uc.startRun(actor, body.period),
  });
  r.add({
    method: 'get',
    path: '/api/invoice-runs/:period',
    tag,
    summary: 'Progress of an invoice run',
    handler: ({ actor, params }) => uc.runProgress(actor, params.period!),
  });
  r.add({
    method: 'get',
    path: '/api/invoices',
    tag,
    summary: "Outgoing and incoming invoices of the caller's organisation",
    handler: ({ actor }) => uc.list(actor),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id',
    tag,
    summary: 'One invoice',
    handler: ({ actor, params }) => uc.get(actor, params.id!),
  });
}
