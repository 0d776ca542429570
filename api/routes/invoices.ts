import { z } from 'zod';
// Invoice routes: runs, invoices, reconciliation, documents, balances and exports.
import type { Response } from 'express';
import type { Application } from '../../app';
import { INVOICE_SCHEMAS, invoiceListSchema, runSchema, ublSchema, type InvoiceWriteAction } from '../../app/invoicing';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

type Doc = { filename: string; type: string; inline: boolean; body: string | Buffer };
export function sendDocument(res: Response, doc: Doc): void {
  res.set('cache-control', 'private, no-store').type(doc.type);
  if (!doc.inline) res.attachment(doc.filename);
  res.send(doc.body);
}
const sendCsv = (res: Response, filename: string, csv: string) =>
  res.set('cache-control', 'private, no-store').type('text/csv').attachment(filename).send(csv);

export function invoiceRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.invoicing;
  const tag = 'invoices';
  r.add({
    method: 'get',
    path: '/api/invoices',
    response: z.array(R.invoice),
    tag,
    summary:
      "Outgoing and incoming invoices of the caller's organisation (finance roles): q searches number, order reference and line titles; status (as people read it), side, sort; page and pageSize page the list, X-Total-Count says how many match",
    query: invoiceListSchema,
    handler: async ({ actor, query, res }) => {
      const found = await uc.page(actor, query);
      res.set('x-total-count', String(found.total));
      return found.items;
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id',
    response: R.invoiceDetail,
    tag,
    summary: 'One invoice, with the invoice-level actions the caller may take (or why not)',
    handler: async ({ actor, params }) => {
      const d = await uc.detail(actor, params.id!);
      return { ...d.invoice, actions: d.actions };
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/reconciliation',
    response: R.reconciliation,
    tag,
    summary: "Lines matched to their request's approved quote and budget, with their state and the actions on each",
    handler: async ({ actor, params }) => {
      const d = await uc.detail(actor, params.id!);
      return { invoice: d.invoice, lines: d.lines, actions: d.actions };
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/hours',
    response: R.hoursSpecification,
    tag,
    summary: 'The hours specification: per line the time entries it billed and how rounding made its hours',
    handler: ({ actor, params }) => uc.specification(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/hours.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'The hours specification as CSV, one row per time entry',
    handler: async ({ actor, params, res }) => {
      const { filename, csv } = await uc.specificationCsv(actor, params.id!);
      sendCsv(res, filename, csv);
    },
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/hours.pdf',
    tag,
    raw: true,
    produces: 'application/pdf',
    summary: 'The hours specification as PDF (also embedded in the UBL of an hour invoice)',
    handler: async ({ actor, params, res }) => sendDocument(res, await uc.document(actor, params.id!, 'hours-pdf')),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/audit/verify',
    response: R.chainCheck,
    tag,
    summary: "Whether the invoice's audit trail is intact (hash chain): the first broken link, if any",
    handler: ({ actor, params }) => uc.verifyAudit(actor, params.id!),
  });
  const lineAction = (action: InvoiceWriteAction, path: string, summary: string) =>
    r.add({
      method: 'post',
      path: `/api/invoices/:id/lines/:lineNo/${path}`,
      tag,
      summary,
      body: INVOICE_SCHEMAS[action],
      response: R.invoiceState,
      viaWorkflow: true,
      handler: ({ actor, params, body }) => uc.act(actor, params.id!, action, body, Number(params.lineNo)),
    });
  lineAction('acceptLine', 'accept', 'Buyer finance accepts a line');
  lineAction('disputeLine', 'dispute', 'Buyer finance disputes a line, with a reason');
  lineAction(
    'resolveDispute',
    'resolve',
    'Provider finance resolves a dispute: a credit note (net cents), or a rejection with an explanation',
  );
  r.add({
    method: 'post',
    path: '/api/invoices/:id/payments',
    response: R.invoiceState,
    tag,
    status: 201,
    summary: 'Buyer finance registers a payment, in full or in part',
    viaWorkflow: true,
    body: INVOICE_SCHEMAS.registerPayment,
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, 'registerPayment', body),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/receipts',
    response: R.invoiceState,
    tag,
    status: 201,
    summary: 'Provider finance registers a payment it received, in full or in part (one its bank import could not place)',
    viaWorkflow: true,
    body: INVOICE_SCHEMAS.registerReceipt,
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, 'registerReceipt', body),
  });
  r.add({
    method: 'post',
    path: '/api/invoices/:id/corrections',
    response: R.correction,
    tag,
    status: 201,
    summary: "Provider finance books a correcting entry for a request on the invoice, through the invoice's workflow; a later run bills it",
    body: INVOICE_SCHEMAS.bookCorrection,
    viaWorkflow: true,
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, 'bookCorrection', body),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/document.html',
    tag,
    raw: true,
    produces: 'text/html',
    summary: 'The invoice or credit note as HTML (Dutch, with letterhead)',
    handler: async ({ actor, params, res }) => sendDocument(res, await uc.document(actor, params.id!, 'html')),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/document.pdf',
    tag,
    raw: true,
    produces: 'application/pdf',
    summary: 'The invoice or credit note as PDF',
    handler: async ({ actor, params, res }) => sendDocument(res, await uc.document(actor, params.id!, 'pdf')),
  });
  r.add({
    method: 'get',
    path: '/api/invoices/:id/ubl.xml',
    tag,
    raw: true,
    produces: 'application/xml',
    summary: 'The invoice or credit note as UBL 2.1: Peppol BIS Billing 3.0 (default) or SI-UBL 2.0 / NLCIUS (?profile=nlcius)',
    query: ublSchema,
    handler: async ({ actor, params, query, res }) => sendDocument(res, await uc.document(actor, params.id!, 'ubl', query)),
  });
  r.add({
    method: 'get',
    path: '/api/balances',
    response: z.array(R.balance),
    tag,
    summary: 'Balances per pair of organisations',
    handler: ({ actor }) => uc.balances(actor),
  });
  r.add({
    method: 'get',
    path: '/api/netting',
    response: R.netting,
    tag,
    summary: 'Multilateral netting proposal',
    handler: ({ actor }) => uc.netting(actor),
  });
  r.add({
    method: 'get',
    path: '/api/balances.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'Balances as CSV',
    handler: async ({ actor, res }) => sendCsv(res, 'saldi.csv', await uc.balancesCsv(actor)),
  });
  r.add({
    method: 'get',
    path: '/api/exports/invoices.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'Invoices and credit notes with their lines, for finance systems (q as in the list)',
    query: invoiceListSchema,
    handler: async ({ actor, query, res }) => sendCsv(res, 'facturen.csv', await uc.invoicesCsv(actor, query)),
  });
  r.add({
    method: 'post',
    path: '/api/invoice-runs',
    response: R.runStarted,
    tag,
    status: 202,
    summary:
      "Start the invoice run of the caller's organisation for a period (or join the running one); a finished period runs again for hours approved since",
    body: runSchema,
    viaWorkflow: true,
    handler: ({ actor, body }) => uc.startRun(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/invoice-runs/:period',
    response: R.runProgress,
    tag,
    summary: 'Progress of an invoice run',
    handler: ({ actor, params }) => uc.runProgress(actor, params.period!),
  });
}
