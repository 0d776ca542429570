// Who is acting: signing in (the demo users in development, OIDC in production), the actor of a
// session or token with the roles read from the database, and what that actor may open.
import { refuse } from '../../domain/refusals';
import { orgActions, ROLES, type Actor, type OrgAction, type Role } from '../../domain/roles';
import { ignoreDuplicateKey, type Models } from '../../models';
import type { Directory } from '../core/directory';

/** Where someone lands after signing in: the first page of this list that they may open. */
const HOME_ORDER: OrgAction[] = [
  'viewWorklist',
  'viewBuyerRequests',
  'handleIntake',
  'viewTasks',
  'listInvoices',
  'viewSteering',
  'viewContributions',
  'viewDashboard',
];

export function identityFeature({ models }: { models: Models }, directory: Directory) {
  const toActor = (
    user: { _id: string; name: string; memberships: { org: string; roles: string[]; deactivatedAt?: string | null }[] },
    org: string,
  ): Actor | null => {
    // A membership the organisation's administrator switched off acts for nothing.
    const m = user.memberships.find((x) => x.org === org && !x.deactivatedAt);
    if (!m) return null;
    return { userId: user._id, org, roles: m.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)), name: user.name };
  };

  /** The actor of a token or session: the user must still exist and still work for the organisation. */
  async function sessionActor(userId: string, org: string): Promise<Actor | null> {
    const user = await models.User.findById(userId).lean();
    return user ? toActor(user, org) : null;
  }

  /** The actor of a web session that was not signed out. */
  async function webSessionActor(session: { sid?: string; userId: string; org: string }): Promise<Actor | null> {
    if (!session.sid || (await models.EndedSession.exists({ _id: session.sid }))) return null;
    return sessionActor(session.userId, session.org);
  }

  /** Signing out ends the session on the server: a copied cookie opens nothing any more. */
  async function endSession(sid: string | undefined, expiresAt: number): Promise<void> {
    if (!sid) return;
    await models.EndedSession.updateOne({ _id: sid }, { $setOnInsert: { until: expiresAt } }, { upsert: true }).catch(() => undefined);
    // Ended sessions whose cookies have expired anyway are forgotten (no TTL index on FerretDB).
    await models.EndedSession.deleteMany({ until: { $lt: Date.now() } });
  }

  /** The demo users and their organisations, for the development sign-in. */
  async function demoSignIns() {
    const users = await models.User.find().sort({ _id: 1 }).lean();
    const name = await directory.namer();
    return users.flatMap((u) =>
      u.memberships.map((m) => ({ userId: u._id, org: m.org, orgName: name(m.org), name: u.name, roles: m.roles as Role[] })),
    );
  }

  /** Development sign-in as a demo user acting for one of their organisations. */
  async function signIn(userId: string, org?: string): Promise<Actor> {
    const user = await models.User.findById(userId).lean();
    if (!user) throw refuse('not_found', { thing: 'user' }, 'user');
    const actor = toActor(user, org ?? user.memberships[0]?.org ?? '');
    if (!actor) throw refuse('no_membership', { user: userId, org: org ?? '' }, 'org');
    return actor;
  }

  /** The organisations this person works for, with the roles in each (for the switch). */
  async function memberships(actor: Actor) {
    const user = await models.User.findById(actor.userId).select({ memberships: 1 }).lean();
    const name = await directory.namer();
    return (user?.memberships ?? []).map((m) => ({
      org: m.org,
      name: name(m.org),
      roles: m.roles as Role[],
      current: m.org === actor.org,
    }));
  }

  /** Acting for another of one's organisations: only one where the person has a membership. */
  async function switchOrganisation(actor: Actor, org: string): Promise<Actor> {
    const next = await sessionActor(actor.userId, org);
    if (!next) throw refuse('no_membership', { user: actor.userId, org: org.slice(0, 20) }, 'org');
    return next;
  }

  /**
   * An OIDC login: the user by subject, or by e-mail (the login passes it only when the provider
   * verified it). A first login creates the user without any role: an administrator grants
   * them (by e-mail, on the users page) before the person can act for an organisation.
   */
  async function oidcActor(claims: { sub: string; email?: string; name?: string }): Promise<Actor | null> {
    let user =
      (await models.User.findById(claims.sub).lean()) ?? (claims.email ? await models.User.findOne({ email: claims.email }).lean() : null);
    if (!user) {
      await models.User.create({
        _id: claims.sub,
        name: claims.name ?? claims.email ?? claims.sub,
        email: claims.email ?? '',
        memberships: [],
      }).catch(ignoreDuplicateKey);
      user = await models.User.findById(claims.sub).lean();
    }
    const first = user?.memberships.find((m) => !m.deactivatedAt);
    return user && first ? toActor(user, first.org) : null;
  }

  return {
    sessionActor,
    webSessionActor,
    endSession,
    demoSignIns,
    signIn,
    oidcActor,
    memberships,
    switchOrganisation,
    /** The organisation-wide actions the actor may take (the menu shows exactly these). */
    capabilities: (actor: Actor) => orgActions(actor),
    home(actor: Actor): OrgAction {
      const mine = orgActions(actor);
      return HOME_ORDER.find((a) => mine.includes(a)) ?? 'viewDashboard';
    },
    orgName: (code: string) => directory.orgName(code),
    namer: () => directory.namer(),
    /** My e-mails (the local mailbox). */
    async mailbox(actor: Actor) {
      return models.Mail.find({ to: actor.userId }).sort({ createdAt: -1, _id: -1 }).limit(200).lean();
    },
  };
}
export type IdentityFeature = ReturnType<typeof identityFeature>;
