import { z } from 'zod';
import * as msg from '../../contracts';
import { REQUEST_STATUSES } from '../../domain/lifecycle';
import { SORT_FIELDS, type requestUseCases } from '../use-cases/requests';
import type { RouteRegistry } from './registry';

const text = (max: number) => z.string().trim().min(1).max(max);
const minutes = z.number().int().min(1);
const reason = z.object({ reason: text(2000) });
const entry = z.object({ date: z.string(), minutes: z.number().int(), description: text(2000) });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export function requestRoutes(r: RouteRegistry, uc: ReturnType<typeof requestUseCases>): void {
  const tag = 'requests';
  r.add({
    method: 'post',
    path: '/api/requests',
    tag,
    status: 201,
    summary: 'Submit a request (opdracht) for a service under an active agreement',
    body: z.object({
      serviceId: text(100),
      title: text(200),
      description: z.string().max(10_000).default(''),
      kind: z.enum(['one_off', 'standing']).default('one_off'),
    }),
    handler: ({ actor, body }) => uc.submit(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/requests',
    tag,
    summary: "List the requests of the caller's organisation, filtered, sorted and paged",
    query: z.object({
      status: z.enum(REQUEST_STATUSES).optional(),
      buyer: z.string().max(20).optional(),
      provider: z.string().max(20).optional(),
      assignee: z.string().max(100).optional(),
      serviceId: z.string().max(100).optional(),
      overdue: flag.optional(),
      sort: z.enum([...SORT_FIELDS, ...SORT_FIELDS.map((f) => `-${f}` as const)]).default('-submittedAt'),
      page: z.coerce.number().int().min(1).default(1),
      pageSize: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: ({ actor, query }) => uc.list(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/my/tasks',
    tag,
    summary: 'My assigned requests and my review queue',
    handler: ({ actor }) => uc.myTasks(actor),
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
    path: '/api/requests/:id/monthly-overview',
    tag,
    summary: 'Hours per month (the monthly overview of a standing order)',
    handler: ({ actor, params }) => uc.monthlyOverview(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/audit',
    tag,
    summary: 'Audit trail of a request',
    handler: ({ actor, params }) => uc.auditTrail(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/assignment-suggestions',
    tag,
    summary: 'Staff ranked by skill and open hours',
    handler: ({ actor, params }) => uc.suggestions(actor, params.id!),
  });

  const action = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    run: (actor: Parameters<typeof uc.act>[0], id: string, body: z.infer<B>, entryId?: string) => Promise<unknown>,
    method: 'post' | 'put' | 'delete' = 'post',
    status = 200,
  ) =>
    r.add({
      method,
      path: `/api/requests/:id/${path}`,
      tag,
      summary,
      status,
      body: body as z.ZodType<z.infer<B>>,
      handler: ({ actor, params, body: b }) => run(actor, params.id!, b, params.entryId),
    });

  action(
    'accept-intake',
    'Coordinator accepts the intake with an hour estimate (a quote when the service requires one)',
    z.object({ estimateMinutes: minutes, note: z.string().max(2000).optional() }),
    (a, id, b) => uc.act(a, id, msg.acceptIntake, b),
  );
  action('reject-intake', 'Coordinator rejects the request, with a reason', reason, (a, id, b) => uc.act(a, id, msg.rejectIntake, b));
  action('clarification-question', 'Coordinator asks the requester a clarification question', z.object({ text: text(2000) }), (a, id, b) =>
    uc.act(a, id, msg.askClarification, b),
  );
  action('clarification-answer', 'Requester answers the clarification question', z.object({ text: text(2000) }), (a, id, b) =>
    uc.act(a, id, msg.answerClarification, b),
  );
  action('approve-quote', 'Requester approves the quote: it becomes the budget', z.object({}), (a, id) =>
    uc.act(a, id, msg.approveQuote, {}),
  );
  action('decline-quote', 'Requester declines the quote, with a reason (back to intake)', reason, (a, id, b) =>
    uc.act(a, id, msg.declineQuote, b),
  );
  action('assign', 'Coordinator assigns (or reassigns) a staff member', z.object({ assignee: text(100) }), async (a, id, b) => {
    await uc.assertAssignable(a, await uc.load(a, id), b.assignee);
    return uc.act(a, id, msg.assign, b);
  });
  action(
    'time-entries',
    'Assigned staff registers hours (urenregistratie)',
    entry,
    (a, id, b) => uc.act(a, id, msg.logTime, b),
    'post',
    201,
  );
  action(
    'time-entries/:entryId',
    'Edit an own entry that is not yet approved',
    entry,
    (a, id, b, entryId) => uc.act(a, id, msg.editTime, { ...b, entryId: entryId! }),
    'put',
  );
  action(
    'time-entries/:entryId',
    'Delete an own entry that is not yet approved',
    z.object({}).default({}),
    (a, id, _b, entryId) => uc.act(a, id, msg.deleteTime, { entryId: entryId! }),
    'delete',
  );
  action(
    'approve-time',
    'Coordinator approves the open entries up to a date (per month for standing orders)',
    z.object({ upTo: z.string() }),
    (a, id, b) => uc.act(a, id, msg.approveTime, b),
  );
  action(
    'budget-extension',
    'Coordinator asks the buyer for a budget extension',
    z.object({ extraMinutes: minutes, reason: text(2000) }),
    (a, id, b) => uc.act(a, id, msg.requestBudgetExtension, b),
  );
  action(
    'budget-extension/decision',
    'Requester approves or declines the budget extension',
    z.object({ approved: z.boolean(), reason: z.string().max(2000).optional() }),
    (a, id, b) => uc.act(a, id, msg.decideBudgetExtension, b),
  );
  action(
    'submit-result',
    'Staff submits the result for review',
    z.object({ reference: text(500), notes: z.string().max(10_000).default('') }),
    (a, id, b) => uc.act(a, id, msg.submitResult, b),
  );
  action(
    'review',
    'Four-eyes review: approve, or reject with a reason',
    z.object({ approved: z.boolean(), reason: z.string().max(2000).optional() }),
    (a, id, b) => uc.act(a, id, msg.review, b),
  );
  action('accept-result', 'Requester accepts the result', z.object({}), (a, id) => uc.act(a, id, msg.acceptResult, {}));
  action('reject-result', 'Requester rejects the result, with a reason (rework)', reason, (a, id, b) => uc.act(a, id, msg.rejectResult, b));
  action('cancel', 'Requester or coordinator cancels, with a reason; hours so far stay billable', reason, (a, id, b) =>
    uc.act(a, id, msg.cancel, b),
  );
}
