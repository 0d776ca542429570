// Users and roles of one organisation, managed by its administrator (beheerder): the members
// with their roles, invitations by e-mail (a single-use link that expires), granting and
// revoking roles, switching a member off and on. Only within the administrator's own
// organisation; never leaving it without an active administrator (changes to one
// organisation's members run one at a time under a key lock, as FerretDB has no transactions);
// every change in the organisation's audit trail.
import crypto from 'node:crypto';
import { ulid } from 'ulid';
import { z } from 'zod';
import { dutchDate } from '../../domain/dates';
import { notFound, refuse } from '../../domain/refusals';
import { assertOrgAction, type Actor, type Role } from '../../domain/roles';
import {
  cleanRoles,
  GRANTABLE_ROLES,
  grantableRoles,
  INVITATION_DAYS,
  invitationRefusal,
  lastAdminRefusal,
  roleKindRefusal,
  type Member,
} from '../../domain/users';
import { withKeyLock } from '../../lib/key-lock';
import { createViews } from '../../lib/views';
import { dateNl, ROLE_NL } from '../../i18n/nl';
import { isDuplicateKey } from '../../models';
import { enqueueMails } from '../../models/outbox';
import { appendNextAudit } from '../../models/audit';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { parseInput } from '../core/input';

const email = z.string().trim().toLowerCase().email().max(200);
const roles = z.array(z.enum(GRANTABLE_ROLES as [string, ...string[]])).max(GRANTABLE_ROLES.length);
export const inviteSchema = z.object({ email, roles: roles.min(1) });
export const rolesSchema = z.object({ roles });
export const acceptSchema = z.object({ name: z.string().trim().min(2).max(120) });

const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export function userFeature({ models, publicBaseUrl = 'http://127.0.0.1:3000' }: AppDeps, directory: Directory) {
  const mailViews = createViews();
  const today = () => dutchDate(Date.now());

  async function membersOf(org: string) {
    const users = await models.User.find({ 'memberships.org': org }).sort({ name: 1, _id: 1 }).lean();
    return users.map((u) => {
      const m = u.memberships.find((x) => x.org === org)!;
      return {
        userId: u._id,
        name: u.name,
        email: u.email,
        roles: m.roles as Role[],
        active: !m.deactivatedAt,
        deactivatedAt: m.deactivatedAt ?? null,
      };
    });
  }
  const asMembers = (list: Awaited<ReturnType<typeof membersOf>>): Member[] =>
    list.map((m) => ({ userId: m.userId, roles: m.roles, active: m.active }));

  const audit = (actor: Actor, action: string, after: Record<string, unknown>) =>
    appendNextAudit(models, `org-${actor.org}`, { action, actor, at: new Date().toISOString(), before: null, after });

  /** One organisation's member changes, one at a time: the last-administrator check holds under concurrency. */
  const serially = <T>(org: string, work: () => Promise<T>) =>
    withKeyLock(models, `members:${org}`, work, { staleMs: 30_000, waitMs: 10_000 });

  /** The members of my organisation, the open invitations, and the roles I may grant. */
  /** A region-wide role only at a shared centre, whoever asks. */
  async function assertRoleKinds(org: string, roles: readonly string[]) {
    const refusal = roleKindRefusal(org, (await directory.organisation(org))?.kind ?? 'municipality', roles);
    if (refusal) throw refusal;
  }

  async function overview(actor: Actor) {
    assertOrgAction(actor, 'manageUsers');
    const invitations = await models.Invitation.find({ org: actor.org }).sort({ createdAt: -1 }).lean();
    const used = new Set(
      (
        await models.InvitationUse.find({ _id: { $in: invitations.map((i) => i._id) } })
          .select({ _id: 1 })
          .lean()
      ).map((u) => u._id),
    );
    const now = new Date().toISOString();
    return {
      org: actor.org,
      orgName: await directory.orgName(actor.org),
      members: await membersOf(actor.org),
      invitations: invitations.map((i) => ({
        id: i._id.slice(0, 12),
        email: i.email,
        roles: i.roles as Role[],
        createdAt: i.createdAt,
        expiresAt: i.expiresAt,
        status: used.has(i._id) ? ('used' as const) : now > i.expiresAt ? ('expired' as const) : ('open' as const),
      })),
      grantable: grantableRoles((await directory.organisation(actor.org))?.kind ?? 'municipality'),
    };
  }

  /**
   * Invites someone by e-mail to my organisation with these roles: a mail with a link that
   * works once, for INVITATION_DAYS days. Only the link's digest is stored.
   */
  async function invite(actor: Actor, raw: unknown) {
    assertOrgAction(actor, 'manageUsers');
    const input = parseInput(inviteSchema, raw);
    await assertRoleKinds(actor.org, input.roles);
    const existing = await models.User.findOne({ email: input.email, 'memberships.org': actor.org }).lean();
    if (existing) throw refuse('already_member', { email: input.email, org: actor.org }, 'email');
    const token = crypto.randomBytes(32).toString('base64url');
    const createdAt = new Date().toISOString();
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 3600_000).toISOString();
    const doc = {
      _id: digest(token),
      org: actor.org,
      email: input.email,
      roles: cleanRoles(input.roles),
      invitedBy: actor.userId,
      createdAt,
      expiresAt,
    };
    await models.Invitation.create(doc);
    const orgName = await directory.orgName(actor.org);
    const inviter = (await directory.userNames([actor.userId])).get(actor.userId) ?? actor.userId;
    await enqueueMails(models, [
      {
        _id: `invitation-${ulid()}`,
        to: `invitee:${input.email}`,
        email: input.email,
        subject: `Uitnodiging voor Eenvoud: ${orgName}`,
        html: mailViews.render(
          'mail/invitation',
          {
            orgName,
            inviter,
            rolesText: doc.roles.map((r) => ROLE_NL[r]).join(', '),
            link: `${publicBaseUrl}/uitnodiging/${token}`,
            expires: dateNl(expiresAt),
          },
          'mail/layout',
        ),
        kind: 'invitation',
        createdAt,
      },
    ]);
    await audit(actor, 'inviteUser', { email: input.email, roles: doc.roles, expiresAt });
    return { email: input.email, roles: doc.roles, expiresAt };
  }

  /** The invitation behind a link, for its page: which organisation and roles, or why it can no longer be used. */
  async function invitation(token: string) {
    const inv = await models.Invitation.findById(digest(token)).lean();
    if (!inv) throw notFound('invitation');
    const used = Boolean(await models.InvitationUse.exists({ _id: inv._id }));
    const refusal = invitationRefusal(inv, used, new Date());
    return {
      org: inv.org,
      orgName: await directory.orgName(inv.org),
      email: inv.email,
      roles: inv.roles as Role[],
      refusal: refusal?.info() ?? null,
    };
  }

  /**
   * Accepts an invitation: once (the use is a unique insert), before it expires. The person
   * with that e-mail address gets the membership (a new user when there is none yet).
   */
  async function accept(token: string, raw: unknown): Promise<Actor> {
    const inv = await models.Invitation.findById(digest(token)).lean();
    if (!inv) throw notFound('invitation');
    const input = parseInput(acceptSchema, raw);
    const early = invitationRefusal(inv, Boolean(await models.InvitationUse.exists({ _id: inv._id })), new Date());
    if (early) throw early;
    const user = (await models.User.findOne({ email: inv.email }).lean()) ?? null;
    const userId = user?._id ?? `u-${ulid().toLowerCase()}`;
    try {
      await models.InvitationUse.create({ _id: inv._id, userId, at: new Date().toISOString() });
    } catch (err) {
      if (isDuplicateKey(err)) throw refuse('invitation_used', {});
      throw err;
    }
    const actor: Actor = { userId, org: inv.org, roles: inv.roles as Role[], name: input.name };
    await serially(inv.org, async () => {
      if (!user) {
        await models.User.create({ _id: userId, name: input.name, email: inv.email, memberships: [{ org: inv.org, roles: inv.roles }] });
      } else {
        const others = user.memberships.filter((m) => m.org !== inv.org);
        await models.User.updateOne(
          { _id: userId },
          { $set: { memberships: [...others, { org: inv.org, roles: inv.roles, deactivatedAt: null }] } },
        );
      }
    });
    await appendNextAudit(models, `org-${inv.org}`, {
      action: 'acceptInvitation',
      actor,
      at: new Date().toISOString(),
      before: null,
      after: { email: inv.email, roles: inv.roles, invitedBy: inv.invitedBy },
    });
    return actor;
  }

  /** The member's roles in my organisation become exactly these (grants and revokes in one). */
  async function setRoles(actor: Actor, userId: string, raw: unknown) {
    assertOrgAction(actor, 'manageUsers');
    return serially(actor.org, async () => {
      const before = await membersOf(actor.org);
      const member = before.find((m) => m.userId === userId);
      // Someone of another organisation is not found here, whatever was sent.
      if (!member) throw refuse('user_not_member', { user: userId.slice(0, 100), org: actor.org });
      const next = cleanRoles(parseInput(rolesSchema, raw).roles);
      await assertRoleKinds(actor.org, next);
      const after = asMembers(before).map((m) => (m.userId === userId ? { ...m, roles: next } : m));
      const refusal = lastAdminRefusal(actor.org, asMembers(before), after);
      if (refusal) throw refusal;
      const user = (await models.User.findById(userId).lean())!;
      const memberships = user.memberships.map((m) => (m.org === actor.org ? { ...m, roles: next } : m));
      await models.User.updateOne({ _id: userId }, { $set: { memberships } });
      await audit(actor, 'setRoles', { userId, before: member.roles, roles: next });
      return { ...member, roles: next as Role[] };
    });
  }

  /** Switches a member off (no longer acts for my organisation) or on again. */
  async function setActive(actor: Actor, userId: string, active: boolean) {
    assertOrgAction(actor, 'manageUsers');
    if (!active && userId === actor.userId) throw refuse('own_account', {});
    return serially(actor.org, async () => {
      const before = await membersOf(actor.org);
      const member = before.find((m) => m.userId === userId);
      if (!member) throw refuse('user_not_member', { user: userId.slice(0, 100), org: actor.org });
      const refusal = lastAdminRefusal(
        actor.org,
        asMembers(before),
        asMembers(before).map((m) => (m.userId === userId ? { ...m, active } : m)),
      );
      if (refusal) throw refusal;
      const user = (await models.User.findById(userId).lean())!;
      const deactivatedAt = active ? null : today();
      const memberships = user.memberships.map((m) => (m.org === actor.org ? { ...m, deactivatedAt } : m));
      await models.User.updateOne({ _id: userId }, { $set: { memberships } });
      await audit(actor, active ? 'reactivateUser' : 'deactivateUser', { userId });
      return { ...member, active, deactivatedAt };
    });
  }

  /** The organisation's audit trail of user changes, newest first. */
  async function history(actor: Actor) {
    assertOrgAction(actor, 'manageUsers');
    const events = await models.AuditEvent.find({ subject: `org-${actor.org}` })
      .sort({ seq: -1 })
      .limit(200)
      .lean();
    const names = await directory.userNames(events.map((e) => e.actor));
    return events.map((e) => ({
      seq: e.seq,
      action: e.action,
      actor: e.actor,
      actorName: names.get(e.actor) ?? e.actor,
      at: e.at,
      after: e.after,
    }));
  }

  return { overview, invite, invitation, accept, setRoles, setActive, history };
}
export type UserFeature = ReturnType<typeof userFeature>;
