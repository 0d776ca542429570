import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
// Request routes: each hands its body or query to the request feature and returns the answer.
import type { Application } from '../../app';
import { ACTION_SCHEMAS, commentSchema, listSchema, queueSchema, submitSchema, weekSchema } from '../../app/requests/schemas';
import { attachSchema } from '../../app/attachments';
import type { RequestAction } from '../../domain/lifecycle';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

/** The action routes: path, summary, method and status (the body schema is the feature's). */
const ACTIONS: { action: RequestAction; path: string; summary: string; method?: 'post' | 'put' | 'delete'; status?: number }[] = [
  {
    action: 'acceptIntake',
    path: 'accept-intake',
    summary: 'Coordinator accepts the intake with an hour estimate and an explanation (a quote when the service requires one)',
  },
  { action: 'rejectIntake', path: 'reject-intake', summary: 'Coordinator rejects the request, with a reason' },
  { action: 'askClarification', path: 'clarification-question', summary: 'Coordinator asks the requester a clarification question' },
  { action: 'answerClarification', path: 'clarification-answer', summary: 'Requester answers the clarification question' },
  { action: 'approveQuote', path: 'approve-quote', summary: 'Requester approves the quote: it becomes the budget' },
  { action: 'declineQuote', path: 'decline-quote', summary: 'Requester declines the quote, with a reason (back to intake)' },
  { action: 'assign', path: 'assign', summary: 'Coordinator assigns (or reassigns) a staff member' },
  { action: 'logTime', path: 'time-entries', summary: 'Assigned staff registers hours (urenregistratie)', status: 201 },
  {
    action: 'approveTime',
    path: 'approve-time',
    summary: 'Coordinator approves the open entries up to a date (per month for standing orders)',
  },
  { action: 'requestBudgetExtension', path: 'budget-extension', summary: 'Coordinator asks the buyer for a budget extension' },
  { action: 'decideBudgetExtension', path: 'budget-extension/decision', summary: 'Requester approves or declines the budget extension' },
  { action: 'submitResult', path: 'submit-result', summary: 'Staff submits the result for review' },
  {
    action: 'nominateReviewer',
    path: 'nominate-reviewer',
    summary: 'Coordinator names a colleague who registered no hours as reviewer, when no reviewer is free (four eyes)',
  },
  { action: 'review', path: 'review', summary: 'Four-eyes review: approve, or reject with a reason' },
  { action: 'acceptResult', path: 'accept-result', summary: 'Requester accepts the result' },
  { action: 'rejectResult', path: 'reject-result', summary: 'Requester rejects the result, with a reason (rework)' },
  { action: 'cancel', path: 'cancel', summary: 'Requester or coordinator cancels, with a reason; hours so far stay billable' },
];

export function requestRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.requests;
  const tag = 'requests';
  r.add({
    method: 'post',
    path: '/api/requests',
    response: R.requestState,
    tag,
    status: 201,
    viaWorkflow: true,
    summary: 'Submit a request (opdracht) for a service under an active agreement',
    body: submitSchema,
    handler: ({ actor, body }) => uc.submit(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/requests',
    response: R.requestList,
    tag,
    summary: "List the requests of the caller's organisation, filtered (q searches the title and description), sorted and paged",
    query: listSchema,
    handler: ({ actor, query }) => uc.list(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/requests.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'The same filtered list as CSV, all pages (at most 5,000 rows)',
    query: listSchema,
    handler: async ({ actor, query, res }) => {
      const csv = await uc.requestsCsv(actor, query);
      res.set('cache-control', 'private, no-store').type('text/csv').attachment('opdrachten.csv').send(csv);
    },
  });
  r.add({
    method: 'get',
    path: '/api/my/tasks',
    response: R.tasks,
    tag,
    summary: 'My assigned requests and the reviews I may do; q searches the title and description, sort orders both lists',
    query: queueSchema,
    handler: ({ actor, query }) => uc.tasks(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/my/week',
    response: R.week,
    tag,
    summary: 'My hours in a week, per request and day (week: any day of it; this week by default)',
    query: weekSchema,
    handler: ({ actor, query }) => uc.week(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id',
    response: R.requestDetail,
    tag,
    summary: 'The live state of a request, with the actions the caller may take now (or why not)',
    handler: async ({ actor, params }) => {
      const d = await uc.detail(actor, params.id!);
      return { ...d.request, actions: d.actions, review: d.review, money: d.money, budgetAlert: d.budgetAlert };
    },
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/time-entries',
    response: z.array(R.timeEntry),
    tag,
    summary: 'Time entries of a request',
    handler: ({ actor, params }) => uc.timeEntries(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/monthly-overview',
    response: R.monthly,
    tag,
    summary: 'Hours per month (the monthly overview of a standing order)',
    handler: ({ actor, params }) => uc.monthlyOverview(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/audit',
    response: z.array(R.auditEvent),
    tag,
    summary: "Audit trail of a request (the provider's four-eyes notes are left out for the buyer)",
    handler: ({ actor, params }) => uc.auditTrail(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/timeline',
    response: R.timeline,
    tag,
    summary: "The request's history, oldest first: status changes, questions and answers, comments, mails, hours per week, invoices",
    handler: ({ actor, params }) => uc.timeline(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/comments',
    response: R.comment,
    tag,
    status: 201,
    summary: 'A comment of either party; internal: true makes it a note only the provider sees. @name notifies a colleague',
    body: commentSchema,
    handler: ({ actor, params, body }) => uc.comment(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/requests/:id/attachments',
    response: R.attachment,
    tag,
    status: 201,
    upload: { maxBytes: app.attachments.maxBytes },
    summary:
      'Add a file (multipart field "file"): PDF, office document, image, CSV or plain text, judged by its content; context: on the request (default), the latest question or answer, or the result',
    body: attachSchema,
    handler: ({ actor, params, body, file }) => app.attachments.add(actor, params.id!, file, body),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/attachments',
    response: z.array(R.attachment),
    tag,
    summary: 'The files of a request, for both parties',
    handler: ({ actor, params }) => app.attachments.list(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/attachments/:attachmentId',
    tag,
    raw: true,
    produces: '*/*',
    summary: 'Download a file (as an attachment, with its type); every download is in its audit trail',
    handler: async ({ actor, params, res }) => {
      const f = await app.attachments.download(actor, params.id!, params.attachmentId!);
      res.set('cache-control', 'private, no-store').attachment(f.name).type(f.contentType).set('content-length', String(f.size));
      await pipeline(f.stream, res);
    },
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/attachments/:attachmentId/downloads',
    response: R.attachmentDownloads,
    tag,
    summary: "A file's audit trail: who added it, and every download with who and when",
    handler: ({ actor, params }) => app.attachments.downloads(actor, params.id!, params.attachmentId!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/audit/verify',
    response: R.chainCheck,
    tag,
    summary: 'Whether the audit trail is intact (each event chained to the one before by its hash): the first broken link, if any',
    handler: ({ actor, params }) => uc.verifyAudit(actor, params.id!),
  });
  r.add({
    method: 'get',
    path: '/api/requests/:id/assignment-suggestions',
    response: R.suggestions,
    tag,
    summary: 'Staff ranked by skill, keeping a reviewer free for the four-eyes review, and open hours',
    handler: ({ actor, params }) => uc.suggestions(actor, params.id!),
  });
  for (const a of ACTIONS) {
    r.add({
      method: a.method ?? 'post',
      path: `/api/requests/:id/${a.path}`,
      tag,
      summary: a.summary,
      status: a.status ?? 200,
      viaWorkflow: true,
      body: ACTION_SCHEMAS[a.action],
      response: a.action === 'logTime' ? R.entrySummary : R.requestState,
      handler: ({ actor, params, body }) => uc.act(actor, params.id!, a.action, body),
    });
  }
  r.add({
    method: 'put',
    path: '/api/requests/:id/time-entries/:entryId',
    response: R.entrySummary,
    tag,
    summary: 'Edit an own entry that is not yet approved',
    viaWorkflow: true,
    body: ACTION_SCHEMAS.editTime.omit({ entryId: true }),
    handler: ({ actor, params, body }) => uc.act(actor, params.id!, 'editTime', { ...(body as object), entryId: params.entryId }),
  });
  r.add({
    method: 'delete',
    path: '/api/requests/:id/time-entries/:entryId',
    response: R.requestState,
    tag,
    summary: 'Delete an own entry that is not yet approved',
    viaWorkflow: true,
    handler: ({ actor, params }) => uc.act(actor, params.id!, 'deleteTime', { entryId: params.entryId }),
  });
}
