// Input schemas of the request feature: one per action of the lifecycle, the submission and
// the list filter. The API documents its bodies with these; the use cases parse with them.
import { z } from 'zod';
import { REQUEST_STATUSES, type RequestAction } from '../../domain/lifecycle';
import { MAX_MINUTES_PER_ENTRY } from '../../domain/time';
import { flag, isoDate, minutes, optionalText, text } from '../core/input';

/** Budgets and estimates: up to 10,000 hours. */
export const MAX_BUDGET_MINUTES = 60 * 10_000;
const reason = z.object({ reason: text(2000) });
const entry = z.object({ date: isoDate, minutes: minutes(MAX_MINUTES_PER_ENTRY), description: text(2000) });
const decision = z
  .object({ approved: z.boolean(), reason: optionalText(2000) })
  .refine((d) => d.approved || Boolean(d.reason), { message: 'required', path: ['reason'] });

export const submitSchema = z.object({
  serviceId: text(100),
  title: text(200),
  description: z.string().max(10_000).default(''),
  kind: z.enum(['one_off', 'standing']).default('one_off'),
});
export type SubmitInput = z.input<typeof submitSchema>;

export const SORT_FIELDS = ['submittedAt', 'updatedAt', 'title', 'status'] as const;
export const listSchema = z.object({
  status: z.enum(REQUEST_STATUSES).optional(),
  buyer: z.string().max(20).optional(),
  provider: z.string().max(20).optional(),
  assignee: z.string().max(100).optional(),
  serviceId: z.string().max(100).optional(),
  overdue: flag.optional(),
  /** Words that must all occur in the title (as the start of a word) or the description. */
  q: z.string().max(200).optional(),
  sort: z.enum([...SORT_FIELDS, ...SORT_FIELDS.map((f) => `-${f}` as const)]).default('-submittedAt'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListFilter = z.input<typeof listSchema>;

/** The filter of a work queue (intake, my tasks): words of the title or description, oldest or newest first. */
export const queueSchema = z.object({
  q: z.string().max(200).optional(),
  sort: z.enum(['submittedAt', '-submittedAt', 'title']).optional(),
});

/** The body of each action (what the caller sends; the actor comes from the session or token). */
export const ACTION_SCHEMAS = {
  acceptIntake: z.object({ estimateMinutes: minutes(MAX_BUDGET_MINUTES), note: optionalText(2000) }),
  rejectIntake: reason,
  askClarification: z.object({ text: text(2000) }),
  answerClarification: z.object({ text: text(2000) }),
  approveQuote: z.object({}),
  declineQuote: reason,
  assign: z.object({ assignee: text(100) }),
  logTime: entry,
  editTime: entry.extend({ entryId: text(100) }),
  deleteTime: z.object({ entryId: text(100) }),
  approveTime: z.object({ upTo: isoDate }),
  requestBudgetExtension: z.object({ extraMinutes: minutes(MAX_BUDGET_MINUTES), reason: text(2000) }),
  decideBudgetExtension: decision,
  submitResult: z.object({ reference: text(500), notes: z.string().max(10_000).default('') }),
  nominateReviewer: z.object({ reviewer: text(100) }),
  review: decision,
  acceptResult: z.object({}),
  rejectResult: reason,
  cancel: reason,
} as const satisfies Record<RequestAction, z.ZodType>;
export type ActionInput<A extends RequestAction> = z.input<(typeof ACTION_SCHEMAS)[A]>;

/** The week view: any day of the week to show. */
export const weekSchema = z.object({ week: isoDate.optional() });

/** A comment on a request; `internal` makes it a note only the provider's people see. */
export const commentSchema = z.object({ text: text(5000), internal: z.boolean().default(false) });
