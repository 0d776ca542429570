// Bank statement routes: import a CAMT.053 file, read the proposal, confirm it.
import { z } from 'zod';
import type { Application } from '../../app';
import { confirmSchema, MAX_STATEMENT_BYTES } from '../../app/banking';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function bankingRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.banking;
  const tag = 'banking';
  r.add({
    method: 'post',
    path: '/api/bank-statements',
    response: z.array(R.bankStatement),
    tag,
    status: 201,
    upload: { maxBytes: MAX_STATEMENT_BYTES },
    summary:
      'Provider finance imports a CAMT.053 bank statement (multipart field "file"): each credit matched to an open invoice by number or end-to-end reference, as a proposal to confirm. The same statement twice: 409, nothing stored',
    handler: ({ actor, file }) => uc.importStatement(actor, file),
  });
  r.add({
    method: 'get',
    path: '/api/bank-statements',
    response: z.array(R.bankStatement),
    tag,
    summary: "The organisation's imported bank statements, newest first",
    handler: ({ actor }) => uc.list(actor),
  });
  r.add({
    method: 'get',
    path: '/api/bank-statements/:id',
    response: R.bankStatement,
    tag,
    summary: 'One imported statement: each line with its match (exact, partial, unmatched) and what became of it',
    handler: ({ actor, params }) => uc.get(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/bank-statements/:id/confirm',
    response: R.bankStatement,
    tag,
    viaWorkflow: true,
    summary:
      'Registers the chosen matched lines (all exact and partial ones by default) as payments through the invoice workflows; a line never pays twice',
    body: confirmSchema,
    handler: ({ actor, params, body }) => uc.confirm(actor, params.id!, body),
  });
}
