import { createOidcLogin, oidcSettings, type OidcLib } from '../../web/oidc';
import { loadConfig } from '../../config';
import { parseDate, parseEuro, parseHours, dutchDateText, hoursText } from '../../web/format';

const config = {
  OIDC_ISSUER: 'https://login.example.nl/realms/drechtsteden',
  OIDC_CLIENT_ID: 'eenvoud-web',
  OIDC_CLIENT_SECRET: 'geheim',
  OIDC_REDIRECT_URL: 'https://eenvoud.example.nl/inloggen/oidc/callback',
};

/** A stand-in for openid-client that records what it is asked: no IdP needed. */
function fakeLib(opts: { failDiscovery?: number; emailVerified?: boolean } = {}) {
  const calls: Record<string, unknown[][]> = { discovery: [], buildAuthorizationUrl: [], authorizationCodeGrant: [] };
  let failures = opts.failDiscovery ?? 0;
  const lib = {
    discovery: async (...args: unknown[]) => {
      calls.discovery!.push(args);
      if (failures-- > 0) throw new Error('IdP unreachable');
      return { issuer: 'configured' };
    },
    randomPKCECodeVerifier: () => 'verifier-123',
    randomState: () => 'state-456',
    calculatePKCECodeChallenge: async (v: string) => `challenge-of-${v}`,
    buildAuthorizationUrl: (...args: unknown[]) => {
      calls.buildAuthorizationUrl!.push(args);
      const params = args[1] as Record<string, string>;
      return new URL(`https://login.example.nl/auth?${new URLSearchParams(params)}`);
    },
    authorizationCodeGrant: async (...args: unknown[]) => {
      calls.authorizationCodeGrant!.push(args);
      return {
        claims: () => ({
          sub: 'abc-1',
          email: 'zwn-requester@demo.eenvoud.nl',
          email_verified: opts.emailVerified ?? true,
          name: 'Anne de Vries',
        }),
      };
    },
  } as unknown as OidcLib;
  return { lib, calls };
}

describe('OIDC web login configuration', () => {
  test('without a client id there is no OIDC login', () => {
    expect(oidcSettings({ ...config, OIDC_CLIENT_ID: undefined })).toBeNull();
    expect(createOidcLogin({ ...config, OIDC_CLIENT_ID: undefined }, async () => fakeLib().lib)).toBeNull();
  });

  test('the config requires issuer and redirect URL with a client id, and a session secret in production', () => {
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER and OIDC_REDIRECT_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
    const c = loadConfig({
      ...config,
      NODE_ENV: 'production',
      OIDC_JWKS_URL: 'https://login.example.nl/jwks',
      SESSION_SECRET: 's'.repeat(40),
    });
    expect(oidcSettings(c)).toMatchObject({ clientId: 'eenvoud-web', redirectUri: config.OIDC_REDIRECT_URL });
    expect(loadConfig({}).SESSION_SECRET!.length).toBeGreaterThanOrEqual(32);
  });

  test('login starts with discovery at the issuer and an authorization URL with PKCE (S256) and state', async () => {
    const { lib, calls } = fakeLib();
    const login = createOidcLogin(config, async () => lib)!;
    const start = await login.start();
    expect(calls.discovery).toEqual([[new URL(config.OIDC_ISSUER), 'eenvoud-web', 'geheim']]);
    const url = new URL(start.url);
    expect(url.searchParams.get('redirect_uri')).toBe(config.OIDC_REDIRECT_URL);
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    expect(url.searchParams.get('code_challenge')).toBe('challenge-of-verifier-123');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(start).toMatchObject({ verifier: 'verifier-123', state: 'state-456' });
    // discovery happens once
    await login.start();
    expect(calls.discovery).toHaveLength(1);
  });

  test('the callback exchanges the code with the verifier and the expected state, and returns the identity', async () => {
    const { lib, calls } = fakeLib();
    const login = createOidcLogin(config, async () => lib)!;
    const callback = new URL(`${config.OIDC_REDIRECT_URL}?code=c0de&state=state-456`);
    const who = await login.finish(callback, { verifier: 'verifier-123', state: 'state-456' });
    expect(who).toEqual({ sub: 'abc-1', email: 'zwn-requester@demo.eenvoud.nl', name: 'Anne de Vries' });
    expect(calls.authorizationCodeGrant![0]![1]).toBe(callback);
    expect(calls.authorizationCodeGrant![0]![2]).toEqual({ pkceCodeVerifier: 'verifier-123', expectedState: 'state-456' });
  });

  test('an e-mail address the provider has not verified is not used to find the user', async () => {
    const { lib } = fakeLib({ emailVerified: false });
    const login = createOidcLogin(config, async () => lib)!;
    const callback = new URL(`${config.OIDC_REDIRECT_URL}?code=c0de&state=state-456`);
    expect(await login.finish(callback, { verifier: 'verifier-123', state: 'state-456' })).toEqual({ sub: 'abc-1', name: 'Anne de Vries' });
  });

  test('an unreachable IdP fails the login, and the next login tries discovery again', async () => {
    const { lib, calls } = fakeLib({ failDiscovery: 1 });
    const login = createOidcLogin(config, async () => lib)!;
    await expect(login.start()).rejects.toThrow('IdP unreachable');
    await expect(login.start()).resolves.toMatchObject({ state: 'state-456' });
    expect(calls.discovery).toHaveLength(2);
  });
});

describe('Dutch input and display', () => {
  test.each([
    ['1,5', 90],
    ['1.5', 90],
    ['2', 120],
    ['1:35', 95],
    ['0:05', 5],
    ['veel', null],
    ['', null],
    ['1,555', null],
  ])('hours %p are %p minutes', (input, minutes) => expect(parseHours(input)).toBe(minutes));
  test.each([
    ['1.234,56', 123_456],
    ['€ 10', 1_000],
    ['365,63', 36_563],
    ['365.63', 36_563],
    ['1.000', 100_000],
    ['abc', null],
  ])('money %p is %p cents', (input, cents) => expect(parseEuro(input)).toBe(cents));
  test('dates are shown and read the Dutch way', () => {
    expect(dutchDateText('2026-11-28')).toBe('28-11-2026');
    expect(dutchDateText('2026-11-28T23:30:00.000Z')).toBe('29-11-2026'); // already the 29th in Amsterdam
    expect(parseDate('28-11-2026')).toBe('2026-11-28');
    expect(parseDate('2026-11-28')).toBe('2026-11-28');
    expect(parseDate('31-02-2026')).toBeNull();
    expect(hoursText(228)).toBe('3,8');
    expect(hoursText(null)).toBe('–');
  });
});
