// Users and roles of one's own organisation, for its administrator (beheerder): the members
// with their roles, inviting someone by e-mail, changing roles, switching a member off and on,
// and what changed when. The user feature decides; these pages translate.
import type { Request, Response, Router } from 'express';
import { ROLE_NL } from '../../i18n/nl';
import { submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

const ACTION_NL: Record<string, string> = {
  inviteUser: 'Uitgenodigd',
  acceptInvitation: 'Uitnodiging aangenomen',
  setRoles: 'Rollen gewijzigd',
  deactivateUser: 'Uitgeschakeld',
  reactivateUser: 'Weer ingeschakeld',
};
const rolesOf = (b: Body) => ([] as string[]).concat(b.roles ?? []);
const rolesText = (roles: readonly string[]) => roles.map((r) => ROLE_NL[r as keyof typeof ROLE_NL] ?? r).join(', ') || 'geen';

export function userPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.users;

  const page = async (req: Request, res: Response, form: { key?: string; values?: Body; errors?: Errors } = {}, status = 200) => {
    const actor = actorOf(req);
    const o = await uc.overview(actor);
    const history = await uc.history(actor);
    const names = new Map(o.members.map((m) => [m.userId, m.name]));
    const checkboxes = (selected: readonly string[]) =>
      o.grantable.map((r) => ({ value: r, label: ROLE_NL[r], checked: selected.includes(r) }));
    await ctx.page(
      req,
      res,
      'users',
      {
        title: `Gebruikers van ${o.orgName}`,
        o,
        members: o.members.map((m) => ({
          ...m,
          self: m.userId === actor.userId,
          roleBoxes: checkboxes(form.key === `roles-${m.userId}` ? rolesOf(form.values ?? {}) : m.roles),
          rolesText: rolesText(m.roles),
          error:
            form.key === `roles-${m.userId}` || form.key === `active-${m.userId}`
              ? (form.errors?._form ?? Object.values(form.errors ?? {})[0])
              : null,
        })),
        invite: {
          values: form.key === 'invite' ? (form.values ?? {}) : {},
          errors: form.key === 'invite' ? (form.errors ?? {}) : {},
          roleBoxes: checkboxes(form.key === 'invite' ? rolesOf(form.values ?? {}) : []),
        },
        invitations: o.invitations.map((i) => ({ ...i, rolesText: rolesText(i.roles) })),
        history: history.slice(0, 30).map((e) => {
          const after = (e.after ?? {}) as { userId?: string; email?: string; roles?: string[] };
          return {
            ...e,
            label: ACTION_NL[e.action] ?? e.action,
            who: after.email ?? (after.userId ? (names.get(after.userId) ?? after.userId) : ''),
            rolesText: after.roles ? rolesText(after.roles) : null,
          };
        }),
      },
      status,
    );
  };
  router.get('/beheer/gebruikers', (req, res) => page(req, res));
  router.post('/beheer/gebruikers/uitnodigen', async (req, res) => {
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.invite(actorOf(req), { email: typeof body.email === 'string' ? body.email : '', roles: rolesOf(body) }),
      name: await ctx.namer(),
      again: (errors, status) => page(req, res, { key: 'invite', values: body, errors }, status),
      done: (i) => ({ flash: `Er is een uitnodiging gestuurd naar ${i.email}.`, to: '/beheer/gebruikers' }),
    });
  });
  router.post('/beheer/gebruikers/:userId/rollen', async (req, res) => {
    const body = req.body as Body;
    const userId = String(req.params.userId);
    await submitForm(req, res, {
      run: () => uc.setRoles(actorOf(req), userId, { roles: rolesOf(body) }),
      name: await ctx.namer(),
      again: (errors, status) => page(req, res, { key: `roles-${userId}`, values: body, errors }, status),
      done: (m) => ({ flash: `De rollen van ${m.name} zijn nu: ${rolesText(m.roles)}.`, to: '/beheer/gebruikers' }),
    });
  });
  for (const [path, active] of [
    ['uitschakelen', false],
    ['inschakelen', true],
  ] as const) {
    router.post(`/beheer/gebruikers/:userId/${path}`, async (req, res) => {
      const userId = String(req.params.userId);
      await submitForm(req, res, {
        run: () => uc.setActive(actorOf(req), userId, active),
        name: await ctx.namer(),
        again: (errors, status) => page(req, res, { key: `active-${userId}`, errors }, status),
        done: (m) => ({
          flash: active ? `${m.name} kan weer werken voor uw organisatie.` : `${m.name} is uitgeschakeld.`,
          to: '/beheer/gebruikers',
        }),
      });
    });
  }
}
