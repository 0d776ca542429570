import { z } from 'zod';
import type { invoiceUseCases } from '../use-cases/invoices';
import type { RouteRegistry } from './registry';

export function invoiceRoutes(r: RouteRegistry, uc: ReturnType<typeof invoiceUseCases>): void {
  const tag = 'invoices';
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
