// Health, the mailbox, and in development the token issuer for the demo users.
import { z } from 'zod';
import type { Application } from '../../app';
import type { TokenService } from '../auth';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function systemRoutes(r: RouteRegistry, app: Application, deps: { tokens: TokenService; devAuth: boolean }): void {
  r.add({
    method: 'get',
    path: '/health',
    response: R.health,
    tag: 'system',
    public: true,
    summary: 'Liveness and dependencies',
    raw: true,
    produces: 'application/json',
    handler: async ({ res }) => {
      const checks = await app.health();
      const ok = Object.values(checks).every(Boolean);
      res.status(ok ? 200 : 503).json({ ok, checks });
    },
  });
  r.add({
    method: 'get',
    path: '/api/mailbox',
    response: z.array(R.mail),
    tag: 'notifications',
    summary: 'My e-mails (the local mailbox)',
    handler: ({ actor }) => app.identity.mailbox(actor),
  });
  r.add({
    method: 'get',
    path: '/api/notifications',
    response: R.notifications,
    tag: 'notifications',
    summary: 'My notifications (every mail sent to me), newest first, with the number unread',
    handler: ({ actor }) => app.notifications.list(actor),
  });
  r.add({
    method: 'post',
    path: '/api/notifications/:id/read',
    response: R.unread,
    tag: 'notifications',
    summary: 'Mark one of my notifications read',
    handler: ({ actor, params }) => app.notifications.markRead(actor, params.id!),
  });
  r.add({
    method: 'post',
    path: '/api/notifications/read-all',
    response: R.unread,
    tag: 'notifications',
    summary: 'Mark all my notifications read',
    handler: ({ actor }) => app.notifications.markAllRead(actor),
  });
  r.add({
    method: 'get',
    path: '/api/worklist',
    response: R.worklist,
    tag: 'notifications',
    summary: 'Everything waiting for me (Actie nodig), overdue first, from the same rules as the actions',
    handler: ({ actor }) => app.worklist.worklist(actor),
  });
  if (!deps.devAuth) return;

  // Development only: the token issuer for the seeded demo users. Never mounted in production.
  r.add({
    method: 'get',
    path: '/dev/users',
    response: R.demoUsers,
    tag: 'development',
    public: true,
    summary: 'Demo users and their organisations',
    handler: () => app.identity.demoSignIns(),
  });
  r.add({
    method: 'get',
    path: '/api/me',
    response: R.me,
    tag: 'system',
    summary:
      'Who the token acts as: the user, the organisation it names and the roles there, and every organisation the user works for (a token acts for one; ask one per organisation)',
    handler: async ({ actor }) => ({
      userId: actor.userId,
      name: actor.name ?? actor.userId,
      org: actor.org,
      roles: actor.roles,
      memberships: (await app.identity.memberships(actor)).map(({ org, name, roles }) => ({ org, name, roles })),
    }),
  });
  r.add({
    method: 'post',
    path: '/dev/token',
    response: R.devToken,
    tag: 'development',
    public: true,
    summary: 'Issue a token for a demo user acting for one of their organisations',
    body: z.object({ userId: z.string().min(1), org: z.string().min(1).optional() }),
    handler: async ({ body }) => {
      const b = (body ?? {}) as { userId?: unknown; org?: unknown };
      const actor = await app.identity.signIn(String(b.userId ?? ''), typeof b.org === 'string' ? b.org : undefined);
      return { token: await deps.tokens.issue(actor), actor };
    },
  });
}
