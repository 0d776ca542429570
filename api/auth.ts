// Bearer JWT authentication with jose. Tokens carry the user, the organisation acted for,
// and the roles there. HS256 with JWT_SECRET, or an OIDC provider's JWKS in production.
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Config } from '../config';
import { DomainError } from '../domain/errors';
import { ROLES, type Actor, type Role } from '../domain/roles';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export interface TokenService {
  verify(token: string): Promise<Actor>;
  issue(actor: Actor, ttlSeconds?: number): Promise<string>;
}

export function createTokenService(config: Config): TokenService {
  const secret = config.JWT_SECRET ? new TextEncoder().encode(config.JWT_SECRET) : null;
  const jwks = config.OIDC_JWKS_URL ? createRemoteJWKSet(new URL(config.OIDC_JWKS_URL)) : null;
  const issuer = config.OIDC_ISSUER ?? config.JWT_ISSUER;

  function toActor(p: JWTPayload): Actor {
    const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)) : [];
    if (typeof p.sub !== 'string' || typeof p.org !== 'string') throw new Error('token lacks sub or org');
    return { userId: p.sub, org: p.org, roles, ...(typeof p.name === 'string' ? { name: p.name } : {}) };
  }

  return {
    async verify(token) {
      const key = jwks ?? secret;
      if (!key) throw new Error('no verification key configured');
      const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer,
        audience: config.JWT_AUDIENCE,
        algorithms: jwks ? ['RS256', 'ES256', 'PS256'] : ['HS256'],
      });
      return toActor(payload);
    },
    async issue(actor, ttlSeconds = 8 * 3600) {
      if (!secret) throw new Error('token issuing needs JWT_SECRET');
      return new SignJWT({ org: actor.org, roles: actor.roles, name: actor.name })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(actor.userId)
        .setIssuer(config.JWT_ISSUER)
        .setAudience(config.JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(secret);
    },
  };
}

export function requireAuth(tokens: TokenService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new DomainError('Unauthenticated', 'a bearer token is required'));
    try {
      req.actor = await tokens.verify(match[1]!);
      next();
    } catch {
      next(new DomainError('Unauthenticated', 'the bearer token is invalid or expired'));
    }
  };
}

export function actorOf(req: { actor?: Actor }): Actor {
  if (!req.actor) throw new DomainError('Unauthenticated', 'not authenticated');
  return req.actor;
}

export function requireRole(actor: Actor, role: Role): void {
  if (!actor.roles.includes(role)) throw new DomainError('Forbidden', `this needs role ${role} at ${actor.org}`);
}
