// Netting round routes: propose a round over the region's open invoices, read it, agree or
// reject it. When the last party agrees, the round's workflow settles its invoices.
import { z } from 'zod';
import type { Application } from '../../app';
import { rejectSchema } from '../../app/netting';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function nettingRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.netting;
  const tag = 'netting';
  r.add({
    method: 'post',
    path: '/api/netting-rounds',
    response: R.nettingRound,
    tag,
    status: 201,
    summary:
      "Finance proposes a netting round over every open, undisputed invoice of the region; the same open invoices give the same round (alreadyProposed). The caller's organisation must be a party",
    handler: ({ actor }) => uc.propose(actor),
  });
  r.add({
    method: 'get',
    path: '/api/netting-rounds',
    response: z.array(R.nettingRound),
    tag,
    summary: "The netting rounds the caller's organisation is party to, newest first: its own invoices, position and transfers in each",
    handler: ({ actor }) => uc.list(actor),
  });
  r.add({
    method: 'get',
    path: '/api/netting-rounds/:id',
    response: R.nettingRound,
    tag,
    summary: 'One netting round as a party sees it: who agreed, its own invoices, position and transfers',
    handler: ({ actor, params }) => uc.get(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/netting-rounds/:id/agree',
    response: R.nettingRound,
    tag,
    viaWorkflow: true,
    summary:
      "The caller's organisation agrees (finance, once per organisation). When every party has agreed, the round holds all its invoices and settles each exactly once, or none if one has changed",
    handler: ({ actor, params }) => uc.agree(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/netting-rounds/:id/reject',
    response: R.nettingRound,
    tag,
    viaWorkflow: true,
    summary: 'A party rejects the round, with a reason: it settles nothing',
    body: rejectSchema,
    handler: ({ actor, params, body }) => uc.reject(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/netting-rounds/:id/audit',
    response: z.array(
      z.object({ seq: z.number().int(), action: z.string(), at: z.string(), actor: z.string(), actorName: z.string(), org: z.string() }),
    ),
    tag,
    summary: "The round's audit trail: proposal, each agreement or the rejection, holding and settling",
    handler: ({ actor, params }) => uc.history(actor, params.id!),
  });
}
