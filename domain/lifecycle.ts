// The request lifecycle as a pure state machine: which action, by which role on which side,
// in which state. Workflows use it in update validators; the API for lists and pages.
import { forbidden, invalidState } from './errors';
import { hasRole, type Actor, type Role } from './roles';

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

export const TERMINAL_STATUSES: readonly RequestStatus[] = ['completed', 'rejected', 'cancelled'];
export const OPEN_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
const WORKING: readonly RequestStatus[] = ['in_progress', 'in_review', 'awaiting_acceptance'];

type Side = 'buyer' | 'provider';
interface ActionRule {
  /** Who may act: one role on one side each; any of them will do. */
  by: ReadonlyArray<readonly [Side, Role]>;
  from: readonly RequestStatus[];
}

const coordinator = [['provider', 'coordinator']] as const;
const requester = [['buyer', 'requester']] as const;
const staff = [['provider', 'staff']] as const;

export const REQUEST_ACTIONS = {
  acceptIntake: { by: coordinator, from: ['submitted'] },
  rejectIntake: { by: coordinator, from: ['submitted', 'clarification'] },
  askClarification: { by: coordinator, from: ['submitted'] },
  answerClarification: { by: requester, from: ['clarification'] },
  approveQuote: { by: requester, from: ['quoted'] },
  declineQuote: { by: requester, from: ['quoted'] },
  assign: { by: coordinator, from: ['accepted', 'in_progress'] },
  logTime: { by: staff, from: ['in_progress'] },
  editTime: { by: staff, from: ['in_progress'] },
  deleteTime: { by: staff, from: ['in_progress'] },
  approveTime: { by: coordinator, from: WORKING },
  requestBudgetExtension: { by: coordinator, from: ['accepted', ...WORKING] },
  decideBudgetExtension: { by: requester, from: ['accepted', ...WORKING] },
  submitResult: { by: staff, from: ['in_progress'] },
  review: { by: [['provider', 'reviewer']], from: ['in_review'] },
  acceptResult: { by: requester, from: ['awaiting_acceptance'] },
  rejectResult: { by: requester, from: ['awaiting_acceptance'] },
  cancel: { by: [...requester, ...coordinator], from: OPEN_STATUSES },
} as const satisfies Record<string, ActionRule>;
export type RequestAction = keyof typeof REQUEST_ACTIONS;

export interface RequestParties {
  buyer: string;
  provider: string;
  status: RequestStatus;
}

/** Throws a DomainError (Forbidden or InvalidState) unless the actor may do this now. */
export function assertAllowed(action: RequestAction, req: RequestParties, actor: Actor): void {
  const rule: ActionRule = REQUEST_ACTIONS[action];
  const ok = rule.by.some(([side, role]) => actor.org === (side === 'buyer' ? req.buyer : req.provider) && hasRole(actor, role));
  if (!ok) {
    const who = rule.by.map(([side, role]) => `${role} at ${side === 'buyer' ? req.buyer : req.provider}`).join(' or ');
    throw forbidden(`${action} needs role ${who}`);
  }
  if (!rule.from.includes(req.status)) {
    throw invalidState(req.status, `${action} is not possible while the request is ${req.status}`);
  }
}

/** Actions the actor could take now: for pages that show only the buttons that work. */
export function allowedActions(req: RequestParties, actor: Actor): RequestAction[] {
  return (Object.keys(REQUEST_ACTIONS) as RequestAction[]).filter((a) => {
    try {
      assertAllowed(a, req, actor);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when the actor's organisation is a party to the request. */
export function isParty(req: Pick<RequestParties, 'buyer' | 'provider'>, actor: Actor): boolean {
  return actor.org === req.buyer || actor.org === req.provider;
}

/** Share of the budget at which the requester and coordinator are warned. */
export const BUDGET_ALERT_PERCENT = 80;

export function crossesBudgetAlert(budgetMinutes: number | null, before: number, after: number): boolean {
  if (!budgetMinutes) return false;
  const threshold = (budgetMinutes * BUDGET_ALERT_PERCENT) / 100;
  return before < threshold && after >= threshold;
}
