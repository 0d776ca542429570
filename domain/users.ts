// Users and roles of one organisation, as its administrator (beheerder) manages them: the
// rules that hold whatever the page or API. An organisation always keeps an active
// administrator; an invitation is used once and only before it expires.
import { refuse, type Refusal } from './refusals';
import { ROLES, type Role } from './roles';

export interface Member {
  userId: string;
  roles: readonly string[];
  active: boolean;
}

/** Days an invitation link stays valid. */
export const INVITATION_DAYS = 7;

/** The roles an organisation's administrator may give: every role but the region's own. */
export const GRANTABLE_ROLES = ROLES.filter((r) => r !== 'admin') as Exclude<Role, 'admin'>[];

/**
 * Roles that see across the whole region are held at a shared centre only: a municipality's
 * administrator cannot make a colleague see the other municipalities' figures.
 */
const SHARED_CENTRE_ROLES: readonly Role[] = ['steering'];

/** The roles an administrator of an organisation of this kind may give. */
export function grantableRoles(orgKind: string): Exclude<Role, 'admin'>[] {
  return GRANTABLE_ROLES.filter((r) => orgKind === 'shared_centre' || !SHARED_CENTRE_ROLES.includes(r));
}

/** Refused when a role is asked for that this kind of organisation cannot hold. */
export function roleKindRefusal(org: string, orgKind: string, roles: readonly string[]): Refusal | null {
  const wrong = roles.find((r) => (SHARED_CENTRE_ROLES as readonly string[]).includes(r) && orgKind !== 'shared_centre');
  return wrong ? refuse('role_not_for_org', { role: wrong as Role, org }, 'roles') : null;
}

const activeAdmins = (members: readonly Member[]) => members.filter((m) => m.active && m.roles.includes('org_admin')).length;

/** Refused when the change would leave the organisation without an active administrator. */
export function lastAdminRefusal(org: string, before: readonly Member[], after: readonly Member[]): Refusal | null {
  return activeAdmins(before) > 0 && activeAdmins(after) === 0 ? refuse('last_admin', { org }, 'roles') : null;
}

/** Whether an invitation can be accepted now. */
export function invitationRefusal(inv: { expiresAt: string }, used: boolean, now: Date): Refusal | null {
  if (used) return refuse('invitation_used', {});
  if (now.toISOString() > inv.expiresAt) return refuse('invitation_expired', { expiredAt: inv.expiresAt });
  return null;
}

/** The roles as given, without duplicates, in the order of ROLES; the region's own role is never granted here. */
export function cleanRoles(roles: readonly string[]): Exclude<Role, 'admin'>[] {
  return GRANTABLE_ROLES.filter((r) => roles.includes(r));
}
