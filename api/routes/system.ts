import { z } from 'zod';
import type { Models } from '../../models';
import type { TokenService } from '../auth';
import { DomainError } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import type { RouteRegistry } from './registry';

export function systemRoutes(
  r: RouteRegistry,
  deps: { models: Models; tokens: TokenService; devAuth: boolean; health: () => Promise<Record<string, boolean>> },
): void {
  r.add({
    method: 'get',
    path: '/health',
    tag: 'system',
    public: true,
    summary: 'Liveness and dependencies',
    raw: true,
    handler: async ({ res }) => {
      const checks = await deps.health();
      const ok = Object.values(checks).every(Boolean);
      res.status(ok ? 200 : 503).json({ ok, checks });
    },
  });
  if (!deps.devAuth) return;

  // Development only: the token issuer for the seeded demo users. Never mounted in production.
  r.add({
    method: 'get',
    path: '/dev/users',
    tag: 'development',
    public: true,
    summary: 'Demo users and their organisations',
    handler: async () => deps.models.User.find().sort({ _id: 1 }).lean(),
  });
  r.add({
    method: 'post',
    path: '/dev/token',
    tag: 'development',
    public: true,
    summary: 'Issue a token for a demo user acting for one of their organisations',
    body: z.object({ userId: z.string().min(1), org: z.string().min(1).optional() }),
    handler: async ({ body }) => {
      const user = await deps.models.User.findById(body.userId).lean();
      if (!user) throw new DomainError('NotFound', `user ${body.userId} not found`);
      const membership = body.org ? user.memberships.find((m) => m.org === body.org) : user.memberships[0];
      if (!membership) throw new DomainError('BadInput', `${body.userId} has no roles at ${body.org}`, { field: 'org' });
      const actor = { userId: user._id, org: membership.org, roles: membership.roles as Role[], name: user.name };
      return { token: await deps.tokens.issue(actor), actor };
    },
  });
}
