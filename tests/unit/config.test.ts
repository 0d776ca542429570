import { assertServingSecrets, CONFIG_VARIABLES, ConfigError, loadConfig } from '../../config';

describe('configuration', () => {
  test('when nothing is set, then the embedded defaults apply', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.mongodbUri).toBe('mongodb://127.0.0.1:27018/eenvoud');
    expect(c.temporalAddress).toBe('127.0.0.1:7233');
    expect(c.DEV_AUTH).toBe(false);
  });
  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'no-port'],
    ['MONGODB_URI', 'postgres://x'],
    ['LOG_LEVEL', 'loud'],
    ['DEV_AUTH', 'maybe'],
    ['JWT_SECRET', 'short'],
  ])('when %s is %p, then start-up stops with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
  test('when production has no key to verify tokens, then start-up stops', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET or OIDC_JWKS_URL/);
  });
  test('when production asks for the dev token issuer, then start-up stops', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEV_AUTH: 'true' })).toThrow(/DEV_AUTH/);
  });
  test('when the demo login is off, then the public development secrets are refused for serving', () => {
    expect(() => assertServingSecrets(loadConfig({}))).toThrow(/JWT_SECRET: set a secret[\s\S]*SESSION_SECRET: set a secret/);
    expect(() => assertServingSecrets(loadConfig({ JWT_SECRET: 'eenvoud-development-secret-not-for-production-use' }))).toThrow(
      /JWT_SECRET/,
    );
    expect(() => assertServingSecrets(loadConfig({ DEV_AUTH: 'true' }))).not.toThrow();
    expect(() => assertServingSecrets(loadConfig({ JWT_SECRET: 'a'.repeat(32), SESSION_SECRET: 'b'.repeat(32) }))).not.toThrow();
    // Tokens from an OIDC provider need no token secret of our own.
    expect(() =>
      assertServingSecrets(loadConfig({ OIDC_JWKS_URL: 'https://login.example.nl/jwks', SESSION_SECRET: 'b'.repeat(32) })),
    ).not.toThrow();
  });
  test('when external servers are configured, then they are used', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', MONGODB_URI: 'mongodb://mongo:27017/eenvoud' });
    expect(c.temporalAddress).toBe('temporal:7233');
    expect(c.mongodbUri).toBe('mongodb://mongo:27017/eenvoud');
  });
  test('the list of variables is complete', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'DATA_DIR', 'TEMPORAL_ADDRESS', 'MONGODB_URI', 'JWT_SECRET']));
  });
});
