// Users and roles of the caller's organisation (its administrator, beheerder): members,
// invitations, roles, switching a member off and on, and the audit trail of these changes.
import { z } from 'zod';
import type { Application } from '../../app';
import { inviteSchema, rolesSchema } from '../../app/users';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function userRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.users;
  const tag = 'users';
  r.add({
    method: 'get',
    path: '/api/organisation/users',
    response: R.orgUsers,
    tag,
    summary: "The members of the caller's organisation with their roles, and its invitations (administrator only)",
    handler: ({ actor }) => uc.overview(actor),
  });
  r.add({
    method: 'post',
    path: '/api/organisation/invitations',
    response: R.invitation,
    tag,
    status: 201,
    summary: 'Invite someone by e-mail with roles: a mail with a link that works once and expires after 7 days',
    body: inviteSchema,
    handler: ({ actor, body }) => uc.invite(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/organisation/users/:userId/roles',
    response: R.orgUser,
    tag,
    summary: "Set a member's roles in the caller's organisation (grants and revokes); never the last administrator's last admin role",
    body: rolesSchema,
    handler: ({ actor, params, body }) => uc.setRoles(actor, params.userId!, body),
  });
  r.add({
    method: 'post',
    path: '/api/organisation/users/:userId/deactivate',
    response: R.orgUser,
    tag,
    summary: 'Switch a member off: they can no longer act for the organisation (not oneself, not the last administrator)',
    handler: ({ actor, params }) => uc.setActive(actor, params.userId!, false),
  });
  r.add({
    method: 'post',
    path: '/api/organisation/users/:userId/reactivate',
    response: R.orgUser,
    tag,
    summary: 'Switch a member on again',
    handler: ({ actor, params }) => uc.setActive(actor, params.userId!, true),
  });
  r.add({
    method: 'get',
    path: '/api/organisation/audit',
    response: z.array(R.orgAuditEvent),
    tag,
    summary: 'The audit trail of user and role changes of the organisation, newest first',
    handler: ({ actor }) => uc.history(actor),
  });
}
