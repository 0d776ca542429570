// Messages of the request workflow, shared by the API and the workflow code.
// Only @temporalio/workflow's define* helpers are imported: safe in both worlds.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RequestStatus } from '../domain/lifecycle';
import type { RoundingRule, VatCategory } from '../domain/money';
import type { Actor } from '../domain/roles';

export const requestWorkflowId = (requestId: string) => `request-${requestId}`;

export interface RequestInput {
  requestId: string;
  buyer: string;
  provider: string;
  serviceId: string;
  agreementId: string;
  title: string;
  description: string;
  quoteRequired: boolean;
  submittedBy: Actor;
  submittedAt: string; // ISO, taken by the API so a retry of start keeps it
}

export interface TimeEntrySummary {
  entryId: string;
  userId: string;
  date: string;
  minutes: number;
}

export interface RequestState {
  requestId: string;
  buyer: string;
  provider: string;
  serviceId: string;
  agreementId: string;
  title: string;
  status: RequestStatus;
  estimateMinutes: number | null;
  budgetMinutes: number | null;
  loggedMinutes: number;
  assignee: string | null;
  assignedAt: string | null;
  /** Users who registered hours: none of them may review (four-eyes). */
  contributors: string[];
  entryCount: number;
  deliverable: { reference: string; notes: string } | null;
  version: number;
}

export interface AcceptIntakeInput {
  actor: Actor;
  estimateMinutes: number;
  note?: string;
}
export interface ActorOnly {
  actor: Actor;
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
export interface SubmitResultInput {
  actor: Actor;
  reference: string;
  notes: string;
}
export interface ReviewInput {
  actor: Actor;
  approved: boolean;
  reason?: string;
}

export const getRequestState = defineQuery<RequestState>('getRequestState');
export const acceptIntake = defineUpdate<RequestState, [AcceptIntakeInput]>('acceptIntake');
export const approveQuote = defineUpdate<RequestState, [ActorOnly]>('approveQuote');
export const assign = defineUpdate<RequestState, [AssignInput]>('assign');
export const logTime = defineUpdate<TimeEntrySummary, [LogTimeInput]>('logTime');
export const submitResult = defineUpdate<RequestState, [SubmitResultInput]>('submitResult');
export const review = defineUpdate<RequestState, [ReviewInput]>('review');
export const acceptResult = defineUpdate<RequestState, [ActorOnly]>('acceptResult');

/** Billing snapshot the request carries so hours can be priced without reloading. */
export interface BillingTerms {
  rateCentsPerHour: number;
  roundingRule: RoundingRule;
  vatCategory: VatCategory;
}

/** First update, sent together with the start: answers once the request is recorded. */
export const submitted = defineUpdate<RequestState, []>('submitted');

/** Search attributes, so the Temporal UI finds a request by its parties, status and assignee. */
export const SA = {
  buyer: defineSearchAttributeKey('EenvoudBuyer', SearchAttributeType.KEYWORD),
  provider: defineSearchAttributeKey('EenvoudProvider', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('EenvoudStatus', SearchAttributeType.KEYWORD),
  assignee: defineSearchAttributeKey('EenvoudAssignee', SearchAttributeType.KEYWORD),
};
