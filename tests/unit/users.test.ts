// The rules of users and roles: an organisation keeps an active administrator; an invitation
// is used once, before it expires; the region's own role is never granted by an organisation.
import { cleanRoles, grantableRoles, invitationRefusal, lastAdminRefusal, roleKindRefusal } from '../../domain/users';

const m = (userId: string, roles: string[], active = true) => ({ userId, roles, active });

test('removing or switching off the only active administrator is refused; with another one it is not', () => {
  const one = [m('a', ['org_admin']), m('b', ['staff'])];
  expect(lastAdminRefusal('DOR', one, [m('a', ['staff']), m('b', ['staff'])])?.code).toBe('last_admin');
  expect(lastAdminRefusal('DOR', one, [m('a', ['org_admin'], false), m('b', ['staff'])])?.code).toBe('last_admin');
  const two = [m('a', ['org_admin']), m('b', ['org_admin'])];
  expect(lastAdminRefusal('DOR', two, [m('a', ['staff']), m('b', ['org_admin'])])).toBeNull();
  // An inactive administrator does not count.
  expect(
    lastAdminRefusal('DOR', [m('a', ['org_admin']), m('b', ['org_admin'], false)], [m('a', []), m('b', ['org_admin'], false)])?.code,
  ).toBe('last_admin');
  // An organisation that had none is not blocked from other changes.
  expect(lastAdminRefusal('PAP', [m('a', ['staff'])], [m('a', ['requester'])])).toBeNull();
});

test('an invitation: used once, and only until it expires', () => {
  const inv = { expiresAt: '2026-12-10T12:00:00.000Z' };
  expect(invitationRefusal(inv, false, new Date('2026-12-10T11:59:59Z'))).toBeNull();
  expect(invitationRefusal(inv, false, new Date('2026-12-10T12:00:01Z'))?.code).toBe('invitation_expired');
  expect(invitationRefusal(inv, true, new Date('2026-12-01T00:00:00Z'))?.code).toBe('invitation_used');
});

test('roles are cleaned: known ones, once, in order, never the region role', () => {
  expect(cleanRoles(['staff', 'admin', 'staff', 'nonsense', 'requester'])).toEqual(['requester', 'staff']);
});

test('the steering role sees the whole region: only a shared centre can give it', () => {
  expect(grantableRoles('shared_centre')).toContain('steering');
  expect(grantableRoles('municipality')).not.toContain('steering');
  expect(grantableRoles('municipality')).toContain('org_admin');
  expect(roleKindRefusal('ZWN', 'municipality', ['staff', 'steering'])?.info()).toMatchObject({
    code: 'role_not_for_org',
    params: { role: 'steering', org: 'ZWN' },
  });
  expect(roleKindRefusal('DBC', 'shared_centre', ['steering'])).toBeNull();
  expect(roleKindRefusal('ZWN', 'municipality', ['staff'])).toBeNull();
});
