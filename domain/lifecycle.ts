// The request lifecycle as a pure state machine: which action, by which role on which side,
// in which state, under which conditions. Workflows use it in update validators; the
// application layer for the actions a read offers, for lists and for pages.
import { createAccess, type AccessRule, type ActionInfo } from './access';
import { none, refuse, type Refusal } from './refusals';
import type { Actor } from './roles';

export const REQUEST_STATUSES = [
  'submitted', // intake
  'clarification', // verduidelijkingsvraag open at the buyer
  'quoted', // offerte sent, waiting for the buyer
  'accepted', // intake done (and quote approved): waiting for assignment
  'in_progress',
  'in_review', // interne toets (vier-ogen)
  'awaiting_acceptance', // acceptatie by the buyer
  'completed',
  'rejected',
  'cancelled',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Closed requests: their workflow has ended and takes no actions. */
export const TERMINAL_STATUSES: readonly RequestStatus[] = ['completed', 'rejected', 'cancelled'];
export const OPEN_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
/** Work is assigned and running: hours count against the assignee's open work. */
export const WORKING_STATUSES: readonly RequestStatus[] = ['in_progress', 'in_review', 'awaiting_acceptance'];
/** Waiting on the centre's intake. */
export const INTAKE_STATUSES: readonly RequestStatus[] = ['submitted', 'clarification', 'quoted'];

/** Process options a service gets when it does not set them (and requests of older services). */
export const PROCESS_DEFAULTS = {
  quoteRequired: true,
  intakeSlaDays: 5,
  deliverySlaDays: 20,
  silentAcceptanceDays: null as number | null,
  reviewRequired: true,
};

export type Side = 'buyer' | 'provider';

/** The parts of a request the rules look at (a RequestState has them all). */
export interface RequestSubject {
  buyer: string;
  provider: string;
  status: RequestStatus;
  kind?: 'one_off' | 'standing';
  assignee?: string | null;
  contributors?: readonly string[];
  budgetMinutes?: number | null;
  pendingExtension?: unknown;
  nominatedReviewer?: string | null;
  /** Users with the reviewer role at the provider, when known (not inside the workflow). */
  reviewers?: readonly string[];
}

type Condition = 'assignee' | 'notContributor' | 'hasBudget' | 'noPendingExtension' | 'pendingExtension' | 'notStanding' | 'noFreeReviewer';

const coordinator = [['provider', 'coordinator']] as const;
const requester = [['buyer', 'requester']] as const;
const staff = [['provider', 'staff']] as const;
const WORKING = WORKING_STATUSES;

export const REQUEST_ACTIONS = {
  acceptIntake: { by: coordinator, from: ['submitted'] },
  rejectIntake: { by: coordinator, from: ['submitted', 'clarification'] },
  askClarification: { by: coordinator, from: ['submitted'] },
  answerClarification: { by: requester, from: ['clarification'] },
  approveQuote: { by: requester, from: ['quoted'] },
  declineQuote: { by: requester, from: ['quoted'] },
  assign: { by: coordinator, from: ['accepted', 'in_progress'] },
  logTime: { by: staff, from: ['in_progress'], requires: ['assignee'] },
  editTime: { by: staff, from: ['in_progress'] },
  deleteTime: { by: staff, from: ['in_progress'] },
  approveTime: { by: coordinator, from: WORKING },
  requestBudgetExtension: { by: coordinator, from: ['accepted', ...WORKING], requires: ['hasBudget', 'noPendingExtension'] },
  decideBudgetExtension: { by: requester, from: ['accepted', ...WORKING], requires: ['pendingExtension'] },
  submitResult: { by: staff, from: ['in_progress'], requires: ['notStanding', 'assignee'] },
  nominateReviewer: { by: coordinator, from: ['in_progress', 'in_review'], requires: ['notStanding', 'noFreeReviewer'] },
  review: {
    by: [
      ['provider', 'reviewer'],
      ['provider', 'nominated_reviewer'],
    ],
    from: ['in_review'],
    requires: ['notContributor'],
  },
  acceptResult: { by: requester, from: ['awaiting_acceptance'] },
  rejectResult: { by: requester, from: ['awaiting_acceptance'] },
  cancel: { by: [...requester, ...coordinator], from: OPEN_STATUSES },
} as const satisfies Record<string, AccessRule<Side, RequestStatus, Condition>>;
export type RequestAction = keyof typeof REQUEST_ACTIONS;
export const REQUEST_ACTION_NAMES = Object.keys(REQUEST_ACTIONS) as RequestAction[];

/** Reviewers who may still review: they registered no hours and are not the assignee. */
export function freeReviewers(req: Pick<RequestSubject, 'contributors' | 'assignee'>, reviewers: readonly string[]): string[] {
  return reviewers.filter((r) => !(req.contributors ?? []).includes(r) && r !== req.assignee);
}

const conditions: Record<Condition, (r: RequestSubject, actor: Actor, action: RequestAction) => Refusal | null> = {
  assignee: (r, actor, action) => (actor.userId === r.assignee ? null : refuse('only_assignee', { action })),
  notContributor: (r, actor) => ((r.contributors ?? []).includes(actor.userId) ? refuse('four_eyes', none()) : null),
  hasBudget: (r) => (r.budgetMinutes == null ? refuse('no_budget_to_extend', none()) : null),
  noPendingExtension: (r) => (r.pendingExtension ? refuse('extension_pending', none()) : null),
  pendingExtension: (r) => (r.pendingExtension ? null : refuse('no_extension_pending', none())),
  notStanding: (r) => (r.kind === 'standing' ? refuse('standing_order_has_no_result', none()) : null),
  noFreeReviewer: (r) => (r.reviewers && freeReviewers(r, r.reviewers).length > 0 ? refuse('reviewer_already_available', none()) : null),
};

const access = createAccess<Side, RequestStatus, Condition, RequestAction>({
  table: REQUEST_ACTIONS,
  conditions: conditions as never,
  stateRefusal: (action, status) =>
    TERMINAL_STATUSES.includes(status) ? refuse('request_closed', { status }) : refuse('action_not_in_state', { action, status }),
});

const subject = (r: RequestSubject) => ({ ...r, parties: { buyer: r.buyer, provider: r.provider } });

/** The refusal for this actor and action now, or null. */
/** Whether an action's rules look at the provider's reviewers (read only for those actions). */
export function needsReviewers(action: RequestAction): boolean {
  const rule = REQUEST_ACTIONS[action] as { requires?: readonly Condition[] };
  return (rule.requires ?? []).includes('noFreeReviewer');
}

export function requestRefusal(action: RequestAction, req: RequestSubject, actor: Actor): Refusal | null {
  return access.check(action, subject(req), actor);
}

/** Throws the Refusal unless the actor may do this now. */
export function assertAllowed(action: RequestAction, req: RequestSubject, actor: Actor): void {
  access.assert(action, subject(req), actor);
}

/** Every action the actor holds a role for, allowed now or with the reason it is not. */
export function requestActions(req: RequestSubject, actor: Actor): ActionInfo<RequestAction>[] {
  return access.actions(subject(req), actor);
}

/** Actions the actor could take now. */
export function allowedActions(req: RequestSubject, actor: Actor): RequestAction[] {
  return requestActions(req, actor)
    .filter((a) => a.allowed)
    .map((a) => a.action);
}

/** True when the actor's organisation is a party to the request. */
export function isParty(req: Pick<RequestSubject, 'buyer' | 'provider'>, actor: Actor): boolean {
  return actor.org === req.buyer || actor.org === req.provider;
}

/** Share of the budget at which the requester and coordinator are warned. */
export const BUDGET_ALERT_PERCENT = 80;

export function crossesBudgetAlert(budgetMinutes: number | null, before: number, after: number): boolean {
  if (!budgetMinutes) return false;
  const threshold = (budgetMinutes * BUDGET_ALERT_PERCENT) / 100;
  return before < threshold && after >= threshold;
}

/** The warning level is reached: 80 % or more of the budget is spent (the same rule as the mail). */
export function budgetAlertReached(loggedMinutes: number, budgetMinutes: number | null | undefined): boolean {
  return Boolean(budgetMinutes) && loggedMinutes * 100 >= budgetMinutes! * BUDGET_ALERT_PERCENT;
}

/** Budget minutes not yet spent on the requests assigned to a person (their open work). */
export function openMinutes(
  requests: readonly { assignee?: string | null; status: string; budgetMinutes?: number | null; loggedMinutes?: number | null }[],
  userId: string,
): number {
  return requests
    .filter((r) => r.assignee === userId && (WORKING_STATUSES as readonly string[]).concat('accepted').includes(r.status))
    .reduce((s, r) => s + Math.max(0, (r.budgetMinutes ?? 0) - (r.loggedMinutes ?? 0)), 0);
}

/** Percentage of the budget spent, rounded; null without a budget. */
export function budgetPercent(loggedMinutes: number, budgetMinutes: number | null | undefined): number | null {
  return budgetMinutes ? Math.round((loggedMinutes / budgetMinutes) * 100) : null;
}
