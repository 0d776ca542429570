import { roleRequired } from './refusals';

// Roles belong to a user within an organisation.
export const ROLES = [
  'requester', // opdrachtgever (buying municipality)
  'buyer_finance',
  'coordinator', // provider
  'staff', // medewerker
  'reviewer',
  'provider_finance',
  'admin', // region
  'org_admin', // beheerder: the users and roles of one organisation
  'steering', // regionale sturing: the region's figures, held at a shared centre
] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: verified from the bearer token, passed into workflows as data. */
export interface Actor {
  userId: string;
  org: string;
  roles: Role[];
  name?: string;
}

/**
 * What a person may do for their own organisation, apart from any one thing: the lists and
 * pages they may open, the things they may start. The menu shows exactly these.
 */
export const ORG_ACTIONS = {
  // Everyone who can have work waiting: the admin of the region has none of their own.
  viewWorklist: ['requester', 'buyer_finance', 'coordinator', 'staff', 'reviewer', 'provider_finance'],
  viewNotifications: ROLES,
  submitRequest: ['requester'],
  viewBuyerRequests: ['requester', 'buyer_finance'],
  viewProviderRequests: ['coordinator', 'staff', 'reviewer'],
  handleIntake: ['coordinator'],
  viewWorkload: ['coordinator'],
  viewTasks: ['staff', 'reviewer'],
  registerHours: ['staff'],
  viewReviewQueue: ['reviewer'],
  listInvoices: ['provider_finance', 'buyer_finance'],
  startInvoiceRun: ['provider_finance'],
  viewBalances: ['provider_finance', 'buyer_finance'],
  importBankStatements: ['provider_finance'],
  viewContributions: ['admin', 'provider_finance', 'buyer_finance', 'requester'],
  manageCatalogue: ['admin'],
  manageUsers: ['org_admin'],
  viewSteering: ['steering'],
  viewDashboard: ROLES,
} as const satisfies Record<string, readonly Role[]>;
export type OrgAction = keyof typeof ORG_ACTIONS;
export const ORG_ACTION_NAMES = Object.keys(ORG_ACTIONS) as OrgAction[];

export function mayDo(actor: Actor, action: OrgAction): boolean {
  return (ORG_ACTIONS[action] as readonly Role[]).some((r) => actor.roles.includes(r));
}

/** The organisation-wide actions this person may take. */
export function orgActions(actor: Actor): OrgAction[] {
  return ORG_ACTION_NAMES.filter((a) => mayDo(actor, a));
}

/** Throws role_required unless the person has one of the action's roles at their organisation. */
export function assertOrgAction(actor: Actor, action: OrgAction): void {
  if (!mayDo(actor, action)) throw roleRequired(ORG_ACTIONS[action], actor.org);
}
