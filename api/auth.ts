// Bearer JWT authentication with jose. A token names the user and the organisation acted for;
// the roles come from the database on every call (through the application layer), so a
// changed membership counts at once and a token for an unknown user opens nothing.
// HS256 with JWT_SECRET, or an OIDC provider's JWKS in production.
import { retryTransient } from '../lib/transient';
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Config } from '../config';
import { refuse } from '../domain/refusals';
import type { Actor } from '../domain/roles';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export interface TokenClaims {
  userId: string;
  org: string;
}

export interface TokenService {
  verify(token: string): Promise<TokenClaims>;
  issue(actor: Actor, ttlSeconds?: number): Promise<string>;
}

export function createTokenService(config: Config): TokenService {
  const secret = config.JWT_SECRET ? new TextEncoder().encode(config.JWT_SECRET) : null;
  const jwks = config.OIDC_JWKS_URL ? createRemoteJWKSet(new URL(config.OIDC_JWKS_URL)) : null;
  const issuer = config.OIDC_ISSUER ?? config.JWT_ISSUER;

  function claims(p: JWTPayload): TokenClaims {
    if (typeof p.sub !== 'string' || typeof p.org !== 'string') throw new Error('token lacks sub or org');
    return { userId: p.sub, org: p.org };
  }

  return {
    async verify(token) {
      const key = jwks ?? secret;
      if (!key) throw new Error('no verification key configured');
      const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer,
        audience: config.JWT_AUDIENCE,
        algorithms: jwks ? ['RS256', 'ES256', 'PS256'] : ['HS256'],
        // A token that never expires is refused.
        requiredClaims: ['exp'],
      });
      return claims(payload);
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

/** Verifies the bearer token and resolves the actor; `resolve` gives null for an unknown user or membership. */
export function requireAuth(tokens: TokenService, resolve: (userId: string, org: string) => Promise<Actor | null>): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return next(refuse('not_authenticated', {}));
    let claims: TokenClaims;
    try {
      claims = await tokens.verify(match[1]!);
    } catch {
      return next(refuse('not_authenticated', {}));
    }
    try {
      // A read: when the database is briefly away (restarting), it is tried again for a while.
      const actor = await retryTransient(() => resolve(claims.userId, claims.org));
      if (!actor) return next(refuse('not_authenticated', {}));
      req.actor = actor;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function actorOf(req: { actor?: Actor }): Actor {
  if (!req.actor) throw refuse('not_authenticated', {});
  return req.actor;
}
