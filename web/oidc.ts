// Production login: OpenID Connect authorization code flow with PKCE, through openid-client.
// The IdP says who someone is (sub, e-mail); Eenvoud's user records say for which
// organisations and roles. The library is injectable so the configuration path is testable
// without a reachable IdP.
import type * as OpenIdClient from 'openid-client';
import type { Config } from '../config';

export type OidcLib = Pick<
  typeof OpenIdClient,
  'discovery' | 'buildAuthorizationUrl' | 'authorizationCodeGrant' | 'randomPKCECodeVerifier' | 'calculatePKCECodeChallenge' | 'randomState'
>;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  scope: string;
}

/** The web login settings, or null when OIDC login is not configured (then only the dev picker, if on). */
export function oidcSettings(config: Pick<Config, 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_REDIRECT_URL'>) {
  if (!config.OIDC_CLIENT_ID || !config.OIDC_ISSUER || !config.OIDC_REDIRECT_URL) return null;
  return {
    issuer: config.OIDC_ISSUER,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: config.OIDC_REDIRECT_URL,
    scope: 'openid profile email',
  } satisfies OidcSettings;
}

export interface OidcLogin {
  settings: OidcSettings;
  /** Where to send the browser, and what the session must remember for the callback. */
  start(): Promise<{ url: string; verifier: string; state: string }>;
  /** Exchanges the code on the callback URL; returns the identity claims. */
  finish(callbackUrl: URL, expected: { verifier: string; state: string }): Promise<{ sub: string; email?: string; name?: string }>;
}

export function createOidcLogin(
  config: Parameters<typeof oidcSettings>[0],
  loadLib: () => Promise<OidcLib> = () => import('openid-client'),
): OidcLogin | null {
  const settings = oidcSettings(config);
  if (!settings) return null;
  let discovered: Promise<{ lib: OidcLib; configuration: OpenIdClient.Configuration }> | null = null;
  // Discovery once, lazily; a failure (IdP down) is retried on the next login instead of cached.
  const discover = () =>
    (discovered ??= (async () => {
      const lib = await loadLib();
      const configuration = await lib.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret);
      return { lib, configuration };
    })().catch((err) => {
      discovered = null;
      throw err;
    }));

  return {
    settings,
    async start() {
      const { lib, configuration } = await discover();
      const verifier = lib.randomPKCECodeVerifier();
      const state = lib.randomState();
      const url = lib.buildAuthorizationUrl(configuration, {
        redirect_uri: settings.redirectUri,
        scope: settings.scope,
        code_challenge: await lib.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      return { url: url.href, verifier, state };
    },
    async finish(callbackUrl, expected) {
      const { lib, configuration } = await discover();
      const tokens = await lib.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
      });
      const claims = tokens.claims();
      if (!claims?.sub) throw new Error('the ID token has no subject');
      return {
        sub: claims.sub,
        // Users are matched by e-mail only when the provider has verified the address.
        ...(typeof claims.email === 'string' && claims.email_verified === true ? { email: claims.email } : {}),
        ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
      };
    },
  };
}
