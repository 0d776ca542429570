// Messages of the request workflow, shared by the API and the workflow code.
// Only define* helpers are imported: safe in both worlds.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RequestStatus } from '../domain/lifecycle';
import type { Actor } from '../domain/roles';

export const requestWorkflowId = (requestId: string) => `request-${requestId}`;

export type RequestKind = 'one_off' | 'standing';

/** Process options of the service, copied at submission so the workflow stays deterministic. */
export interface ProcessOptions {
  quoteRequired: boolean;
  intakeSlaDays: number;
  deliverySlaDays: number;
  silentAcceptanceDays: number | null;
  /** Four-eyes review before the buyer sees the result (absent in older histories: true). */
  reviewRequired?: boolean;
}

export interface RequestInput {
  requestId: string;
  kind: RequestKind;
  buyer: string;
  provider: string;
  serviceId: string;
  agreementId: string;
  title: string;
  description: string;
  process: ProcessOptions;
  /** Standing orders run until the end of the agreement period (YYYY-MM-DD). */
  periodEnd: string | null;
  /** Budget of a standing order: the agreement's hour budget, in minutes. */
  standingBudgetMinutes: number | null;
  submittedBy: Actor;
  submittedAt: string; // ISO, taken by the API so a retried start keeps it
  /** Continue-as-new after this many history events (tests lower it). */
  historyLimit?: number;
  /** Set when the workflow continues as new: the state it carries over. */
  carried?: RequestState;
}

export interface OpenEntry {
  entryId: string;
  userId: string;
  date: string;
  minutes: number;
}

export interface Breach {
  kind: 'intake' | 'delivery';
  deadline: string;
  at: string;
}

export interface RequestState {
  requestId: string;
  kind: RequestKind;
  buyer: string;
  provider: string;
  serviceId: string;
  agreementId: string;
  title: string;
  /** What the requester wrote when submitting (Omschrijving). */
  description: string;
  status: RequestStatus;
  estimateMinutes: number | null;
  /** The coordinator's explanation with the estimate or quote (Toelichting). */
  quoteNote: string | null;
  budgetMinutes: number | null;
  loggedMinutes: number;
  assignee: string | null;
  assignedAt: string | null;
  /** Users who registered hours: none of them may review (four-eyes). */
  contributors: string[];
  /** The service asks for a four-eyes review before the buyer sees the result. */
  reviewRequired: boolean;
  /** A colleague the coordinator named to review this request when no reviewer was free. */
  nominatedReviewer: string | null;
  /** Entries that can still be edited or deleted (registered, not yet approved). */
  openEntries: OpenEntry[];
  entrySeq: number;
  pendingExtension: { extraMinutes: number; reason: string; requestedBy: string } | null;
  budgetAlerted: boolean;
  clarifications: { question: string; answer: string | null }[];
  deliverable: { reference: string; notes: string } | null;
  lastReason: string | null;
  /** The action that gave the last reason: a four-eyes review note is internal to the provider. */
  lastReasonAction: string | null;
  deadlines: { intake: string | null; delivery: string | null; acceptance: string | null };
  breaches: Breach[];
  version: number;
  runs: number;
}

export interface ActorOnly {
  actor: Actor;
}
export interface WithReason {
  actor: Actor;
  reason: string;
}
export interface AcceptIntakeInput {
  actor: Actor;
  estimateMinutes: number;
  note?: string;
}
export interface ClarificationInput {
  actor: Actor;
  text: string;
}
export interface AssignInput {
  actor: Actor;
  assignee: string;
}
export interface LogTimeInput {
  actor: Actor;
  date: string; // YYYY-MM-DD
  minutes: number;
  description: string;
}
export interface EditTimeInput extends LogTimeInput {
  entryId: string;
}
export interface DeleteTimeInput {
  actor: Actor;
  entryId: string;
}
export interface ApproveTimeInput {
  actor: Actor;
  /** Approve the open entries dated up to and including this day (a month's end for standing orders). */
  upTo: string;
}
export interface NominateReviewerInput {
  actor: Actor;
  reviewer: string;
}
export interface ExtensionInput {
  actor: Actor;
  extraMinutes: number;
  reason: string;
}
export interface DecideInput {
  actor: Actor;
  approved: boolean;
  reason?: string;
}
export interface SubmitResultInput {
  actor: Actor;
  reference: string;
  notes: string;
}

export interface TimeEntrySummary {
  entryId: string;
  userId: string;
  date: string;
  minutes: number;
}

export const getRequestState = defineQuery<RequestState>('getRequestState');
/** First update, sent together with the start: answers once the request is recorded. */
export const submitted = defineUpdate<RequestState, []>('submitted');
export const acceptIntake = defineUpdate<RequestState, [AcceptIntakeInput]>('acceptIntake');
export const rejectIntake = defineUpdate<RequestState, [WithReason]>('rejectIntake');
export const askClarification = defineUpdate<RequestState, [ClarificationInput]>('askClarification');
export const answerClarification = defineUpdate<RequestState, [ClarificationInput]>('answerClarification');
export const approveQuote = defineUpdate<RequestState, [ActorOnly]>('approveQuote');
export const declineQuote = defineUpdate<RequestState, [WithReason]>('declineQuote');
export const assign = defineUpdate<RequestState, [AssignInput]>('assign');
export const logTime = defineUpdate<TimeEntrySummary, [LogTimeInput]>('logTime');
export const editTime = defineUpdate<TimeEntrySummary, [EditTimeInput]>('editTime');
export const deleteTime = defineUpdate<RequestState, [DeleteTimeInput]>('deleteTime');
export const approveTime = defineUpdate<RequestState, [ApproveTimeInput]>('approveTime');
export const requestBudgetExtension = defineUpdate<RequestState, [ExtensionInput]>('requestBudgetExtension');
export const decideBudgetExtension = defineUpdate<RequestState, [DecideInput]>('decideBudgetExtension');
export const submitResult = defineUpdate<RequestState, [SubmitResultInput]>('submitResult');
export const nominateReviewer = defineUpdate<RequestState, [NominateReviewerInput]>('nominateReviewer');
export const review = defineUpdate<RequestState, [DecideInput]>('review');
export const acceptResult = defineUpdate<RequestState, [ActorOnly]>('acceptResult');
export const rejectResult = defineUpdate<RequestState, [WithReason]>('rejectResult');
export const cancel = defineUpdate<RequestState, [WithReason]>('cancel');

/** Search attributes, so the Temporal UI finds a request by its parties, status and assignee. */
export const SA = {
  buyer: defineSearchAttributeKey('EenvoudBuyer', SearchAttributeType.KEYWORD),
  provider: defineSearchAttributeKey('EenvoudProvider', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('EenvoudStatus', SearchAttributeType.KEYWORD),
  assignee: defineSearchAttributeKey('EenvoudAssignee', SearchAttributeType.KEYWORD),
};

/** The system itself, for timer-driven transitions (silent acceptance, escalation). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', org: 'system', roles: [], name: 'Eenvoud' };
