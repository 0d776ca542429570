import { z } from 'zod';
import { acceptIntake, acceptResult, approveQuote, assign, logTime, review, submitResult } from '../../contracts';
import { REQUEST_STATUSES } from '../../domain/lifecycle';
import type { requestUseCases } from '../use-cases/requests';
import type { RouteRegistry } from './registry';

const text = (max: number) => z.string().trim().min(1).max(max);
const minutes = z.number().int().min(1);

export function requestRoutes(r: RouteRegistry, uc: ReturnType<typeof requestUseCases>): void {
  const tag = 'requests';
  r.add({
    method: 'post',
    path: '/api/requests',
    tag,
    status: 201,
    summary: 'Submit a request (opdracht) for a service under an active agreement',
    body: z.object({ serviceId: text(100), title: text(200), description: z.string().max(10_000).default('') }),
    handler: ({ actor, body }) => uc.submit(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/requests',
    tag,
    summary: "List the requests of the caller's organisation",
    query: z.object({
      status: z.enum(REQUEST_STATUSES).optional(),
      page: z.coerce.number().int().min(1).default(1),
      pageSize: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: ({ actor, query }) => uc.list(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id',
    tag,
    summary: 'The live state of a request',
    handler: ({ actor, params }) => uc.load(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/time-entries',
    tag,
    summary: 'Time entries of a request',
    handler: ({ actor, params }) => uc.timeEntries(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/audit',
    tag,
    summary: 'Audit trail of a request',
    handler: ({ actor, params }) => uc.auditTrail(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/accept-intake',
    tag,
    summary: 'Coordinator accepts the intake with an hour estimate (a quote when the service requires one)',
    body: z.object({ estimateMinutes: minutes, note: z.string().max(2000).optional() }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, acceptIntake, body),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/approve-quote',
    tag,
    summary: 'Requester approves the quote',
    body: z.object({}),
    handler: ({ actor, params }) => uc.act(actor, params.id!, approveQuote, {}),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/assign',
    tag,
    summary: 'Coordinator assigns a staff member',
    body: z.object({ assignee: text(100) }),
    handler: async ({ actor, params, body }) => {
      await uc.assertAssignable(actor, await uc.load(actor, params.id!), body.assignee);
      return uc.act(actor, params.id!, assign, body);
    },
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/time-entries',
    tag,
    status: 201,
    summary: 'Assigned staff registers hours (urenregistratie)',
    body: z.object({ date: z.string(), minutes: z.number().int(), description: text(2000) }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, logTime, body),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/submit-result',
    tag,
    summary: 'Staff submits the result for review',
    body: z.object({ reference: text(500), notes: z.string().max(10_000).default('') }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, submitResult, body),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/review',
    tag,
    summary: 'Four-eyes review: approve, or reject with a reason',
    body: z.object({ approved: z.boolean(), reason: z.string().max(2000).optional() }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, review, body),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/accept-result',
    tag,
    summary: 'Requester accepts the result',
    body: z.object({}),
    handler: ({ actor, params }) => uc.act(actor, params.id!, acceptResult, {}),
  });
}
