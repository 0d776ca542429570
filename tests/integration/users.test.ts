// Users and roles, run by an organisation's own administrator: invitations by e-mail that work
// once and expire, roles granted and revoked within the own organisation only, members switched
// off, never without an administrator (also when two administrators act at once, on FerretDB),
// every change audited, and a first OIDC login that creates a user without roles.
import { createApplication } from '../../app';
import { createTestEnv, type TestEnv } from '../support/env';
import { signedIn, webClient } from '../support/web-client';

let env: TestEnv;
let admin: string;
beforeAll(async () => {
  env = await createTestEnv();
  admin = await env.token('dor-beheer');
});
afterAll(() => env.close());

const linkIn = async (email: string) => {
  const mail = await env.models.Mail.findOne({ email, kind: 'invitation' }).sort({ createdAt: -1 }).lean();
  const link = /href="([^"]*\/uitnodiging\/[^"]+)"/.exec(mail!.html)![1]!;
  return new URL(link).pathname;
};

test('an administrator invites a colleague; the link works once, signs the colleague in with the roles given', async () => {
  const sent = await env.api('POST', '/api/organisation/invitations', {
    token: admin,
    body: { email: 'Nina.Vos@Dordrecht.nl', roles: ['staff', 'reviewer'] },
  });
  expect(sent).toMatchObject({ status: 201, body: { email: 'nina.vos@dordrecht.nl', roles: ['staff', 'reviewer'] } });
  const path = await linkIn('nina.vos@dordrecht.nl');
  // Only the digest of the token is stored.
  expect(await env.models.Invitation.countDocuments({ _id: path.split('/').pop() })).toBe(0);

  const visitor = webClient(env);
  const page = await visitor.get(path);
  expect(page.status).toBe(200);
  expect(page.html).toContain('als medewerker, toetser');
  const accepted = await visitor.post(path, { name: 'Nina Vos' });
  expect(accepted.status).toBe(303);
  const home = await visitor.get('/start');
  expect(home.status).toBe(303);
  const landed = await visitor.get(home.location!);
  expect(landed.html).toContain('Nina Vos · Gemeente Dordrecht · medewerker, toetser');

  // Used once: the same link again is refused.
  const again = webClient(env);
  expect((await again.get(path)).html).toContain('Deze uitnodiging is al gebruikt.');
  await again.get('/inloggen'); // a form token: the refused page has no form
  const twice = await again.post(path, { name: 'Iemand anders' });
  expect(twice.status).toBe(410); // gone: the page says why
  expect(twice.html).toContain('Deze uitnodiging is al gebruikt.');
  expect(await env.models.User.countDocuments({ email: 'nina.vos@dordrecht.nl' })).toBe(1);

  const audit = await env.api('GET', '/api/organisation/audit', { token: admin });
  expect(audit.body.map((e: { action: string }) => e.action).slice(0, 2)).toEqual(['acceptInvitation', 'inviteUser']);
});

test('an expired invitation is refused, in Dutch', async () => {
  await env.api('POST', '/api/organisation/invitations', { token: admin, body: { email: 'laat@dordrecht.nl', roles: ['requester'] } });
  const path = await linkIn('laat@dordrecht.nl');
  await env.models.Invitation.updateOne({ email: 'laat@dordrecht.nl' }, { $set: { expiresAt: '2020-01-01T00:00:00.000Z' } });
  const visitor = webClient(env);
  const page = await visitor.get(path);
  expect(page.status).toBe(410);
  expect(page.html).toContain('Deze uitnodiging is verlopen (01-01-2020).');
  await visitor.get('/inloggen'); // a form token: the refused page has no form
  expect((await visitor.post(path, { name: 'Te Laat' })).status).toBe(410);
  expect(await env.models.User.countDocuments({ email: 'laat@dordrecht.nl' })).toBe(0);
  expect((await webClient(env).get('/uitnodiging/bestaatniet')).status).toBe(404);
});

test('roles are granted and revoked within the own organisation only; others are refused', async () => {
  const set = await env.api('PUT', '/api/organisation/users/dor-staff-2/roles', {
    token: admin,
    body: { roles: ['staff', 'coordinator'] },
  });
  expect(set).toMatchObject({ status: 200, body: { userId: 'dor-staff-2', roles: ['coordinator', 'staff'] } });
  const staff2 = await env.token('dor-staff-2');
  expect((await env.api('GET', '/api/me', { token: staff2 })).body.roles).toEqual(['coordinator', 'staff']);
  // Someone of another organisation: not a member here.
  const other = await env.api('PUT', '/api/organisation/users/zwn-staff/roles', { token: admin, body: { roles: ['staff'] } });
  expect(other).toMatchObject({ status: 404, body: { code: 'user_not_member' } });
  expect((await env.models.User.findById('zwn-staff').lean())!.memberships).toEqual([
    expect.objectContaining({ org: 'ZWN', roles: ['staff'] }),
  ]);
  // The region's own role is not given here; a coordinator is no administrator.
  expect((await env.api('PUT', '/api/organisation/users/dor-staff-2/roles', { token: admin, body: { roles: ['admin'] } })).status).toBe(
    400,
  );
  const coordinator = await env.token('dor-coordinator');
  expect((await env.api('GET', '/api/organisation/users', { token: coordinator })).body).toMatchObject({ code: 'role_required' });
  // ZWN's administrator sees ZWN's people only.
  const zwn = await env.api('GET', '/api/organisation/users', { token: await env.token('zwn-beheer') });
  expect(zwn.body.members.map((m: { userId: string }) => m.userId)).not.toContain('dor-staff');
});

test('the last administrator cannot be removed or switched off, also not by two administrators at once', async () => {
  const self = await env.api('PUT', '/api/organisation/users/dor-beheer/roles', { token: admin, body: { roles: ['staff'] } });
  expect(self).toMatchObject({ status: 409, body: { code: 'last_admin' } });
  expect((await env.api('POST', '/api/organisation/users/dor-beheer/deactivate', { token: admin })).body).toMatchObject({
    code: 'own_account',
  });
  // A second administrator; then each removes the other's role at the same moment.
  await env.api('PUT', '/api/organisation/users/dor-requester/roles', { token: admin, body: { roles: ['requester', 'org_admin'] } });
  const second = await env.token('dor-requester');
  const [a, b] = await Promise.all([
    env.api('PUT', '/api/organisation/users/dor-requester/roles', { token: admin, body: { roles: ['requester'] } }),
    env.api('PUT', '/api/organisation/users/dor-beheer/roles', { token: second, body: { roles: [] } }),
  ]);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  const members = (await env.api('GET', '/api/organisation/users', { token: a.status === 200 ? admin : second })).body.members as {
    roles: string[];
    active: boolean;
  }[];
  expect(members.filter((m) => m.active && m.roles.includes('org_admin'))).toHaveLength(1);
});

test('a member switched off can no longer act: the API refuses the token, the page signs out; on again, it works', async () => {
  const web = await signedIn(env, 'dor-staff-2');
  const token = await env.token('dor-staff-2');
  const off = await env.api('POST', '/api/organisation/users/dor-staff-2/deactivate', { token: admin });
  expect(off).toMatchObject({ status: 200, body: { active: false } });
  expect((await env.api('GET', '/api/me', { token })).status).toBe(401);
  expect((await web.get('/taken')).status).toBe(303); // to the login page
  await env.api('POST', '/api/organisation/users/dor-staff-2/reactivate', { token: admin });
  expect((await env.api('GET', '/api/me', { token })).status).toBe(200);
});

test('on the page: the administrator sees the members, invites, and a refusal in Dutch', async () => {
  const web = await signedIn(env, 'dor-beheer');
  const page = await web.get('/beheer/gebruikers');
  expect(page.status).toBe(200);
  expect(page.html).toContain('Gebruikers van Gemeente Dordrecht');
  expect(page.html).toContain('Joris van Dijk');
  const refused = await web.post('/beheer/gebruikers/dor-beheer/rollen', { roles: 'staff' });
  expect(refused.status).toBe(409);
  expect(refused.html).toContain('Dit kan niet: dan heeft Gemeente Dordrecht geen beheerder meer.');
  const invited = await web.post('/beheer/gebruikers/uitnodigen', { email: 'geen-adres', roles: 'staff' });
  expect(invited.status).toBe(400);
  // A requester has no such page.
  const requester = await signedIn(env, 'dor-coordinator');
  expect((await requester.get('/beheer/gebruikers')).status).toBe(403);
});

test('a first OIDC login creates the user without roles; an invitation to that e-mail gives the roles', async () => {
  const app = createApplication({ models: env.models, client: env.client, taskQueue: env.taskQueue });
  expect(await app.identity.oidcActor({ sub: 'oidc|kim', email: 'kim@dordrecht.nl', name: 'Kim de Wit' })).toBeNull();
  expect(await env.models.User.findById('oidc|kim').lean()).toMatchObject({ name: 'Kim de Wit', memberships: [] });
  await env.api('POST', '/api/organisation/invitations', { token: admin, body: { email: 'kim@dordrecht.nl', roles: ['requester'] } });
  const path = await linkIn('kim@dordrecht.nl');
  await app.users.accept(path.split('/').pop()!, { name: 'Kim de Wit' });
  expect(await app.identity.oidcActor({ sub: 'oidc|kim', email: 'kim@dordrecht.nl' })).toMatchObject({
    userId: 'oidc|kim',
    org: 'DOR',
    roles: ['requester'],
  });
});
