// Roles belong to a user within an organisation.
export const ROLES = [
  'requester', // opdrachtgever (buying municipality)
  'buyer_finance',
  'coordinator', // provider
  'staff', // medewerker
  'reviewer',
  'provider_finance',
  'admin', // region
] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: verified from the bearer token, passed into workflows as data. */
export interface Actor {
  userId: string;
  org: string;
  roles: Role[];
  name?: string;
}

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.includes(role);
}
