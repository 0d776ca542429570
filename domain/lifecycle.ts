// The request lifecycle as a pure state machine: which action, by which role on which side,
// in which state. Workflows use it in update validators; the API uses it for lists.
import { DomainError, forbidden, invalidState } from './errors';
import { hasRole, type Actor, type Role } from './roles';

export const REQUEST_STATUSES = [
  'submitted', // intake
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

export const OPEN_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((s) => !['completed', 'rejected', 'cancelled'].includes(s));

type Side = 'buyer' | 'provider';

interface ActionRule {
  role: Role;
  side: Side;
  from: readonly RequestStatus[];
}

export const REQUEST_ACTIONS = {
  acceptIntake: { role: 'coordinator', side: 'provider', from: ['submitted'] },
  approveQuote: { role: 'requester', side: 'buyer', from: ['quoted'] },
  assign: { role: 'coordinator', side: 'provider', from: ['accepted', 'in_progress'] },
  logTime: { role: 'staff', side: 'provider', from: ['in_progress'] },
  submitResult: { role: 'staff', side: 'provider', from: ['in_progress'] },
  review: { role: 'reviewer', side: 'provider', from: ['in_review'] },
  acceptResult: { role: 'requester', side: 'buyer', from: ['awaiting_acceptance'] },
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
  const org = rule.side === 'buyer' ? req.buyer : req.provider;
  if (actor.org !== org || !hasRole(actor, rule.role)) {
    throw forbidden(`${action} needs role ${rule.role} at ${org}`);
  }
  if (!rule.from.includes(req.status)) {
    throw invalidState(req.status, `${action} is not possible while the request is ${req.status}`);
  }
}

/** True when the actor's organisation is a party to the request. */
export function isParty(req: Pick<RequestParties, 'buyer' | 'provider'>, actor: Actor): boolean {
  return actor.org === req.buyer || actor.org === req.provider;
}

export { DomainError };
