// All configuration comes from environment variables, validated once at start-up.
// A bad value stops the process with a message that names the variable.
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TASK_QUEUE: z.string().min(1).default('eenvoud'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb://')
    .optional(),
  FERRETDB_PORT: port.default(27018),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('eenvoud'),
  JWT_AUDIENCE: z.string().min(1).default('eenvoud-api'),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_JWKS_URL: z.string().url().optional(),
  // Web login through the OIDC provider (authorization code flow with PKCE): on when a client id is set.
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URL: z.string().url().optional(),
  // Signs the web session cookie.
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEV_AUTH: bool.default(false),
  SEED_DEMO_DATA: bool.default(true),
  INVOICE_SCHEDULES: bool.default(true),
  SLA_TIME_SCALE: z.coerce.number().gt(0).max(1).default(1),
  /** Workflows a worker keeps in memory; the SDK's default from a 192 MB heap is only 23. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).default(250),
  // Where people reach the pages: the links in mails point here.
  PUBLIC_BASE_URL: z.string().url().optional(),
  MAIL_TRANSPORT: z.enum(['mailbox', 'smtp']).default('mailbox'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Eenvoud <noreply@eenvoud.local>'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  // Attachments: the largest file, and an optional ClamAV daemon that scans every upload first.
  ATTACHMENT_MAX_MB: z.coerce.number().gt(0).max(500).default(20),
  CLAMAV_HOST: z.string().min(1).optional(),
  CLAMAV_PORT: port.default(3310),
  // A prebuilt workflow bundle for the worker (default: dist/workflow-bundle.js when the build made one).
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
  // Which proxies may set X-Forwarded-For: none by default, so a client cannot choose its own
  // rate-limit bucket; behind a load balancer its address or the number of hops (Express syntax).
  TRUST_PROXY: z
    .string()
    .regex(/^(false|true|\d{1,2}|[0-9a-fA-F.:/,\s]+|loopback|linklocal|uniquelocal)$/, 'false, a number of hops, or addresses')
    .default('false'),
});

export type Config = z.infer<typeof configSchema> & {
  mongodbUri: string;
  temporalAddress: string;
  /** PUBLIC_BASE_URL without a trailing slash, or this server's own address. */
  publicBaseUrl: string;
  dataDir: string;
  /** Which secrets are the development defaults from this source file (never fit to serve without the dev login). */
  defaultSecrets: { jwt: boolean; session: boolean };
};

/** Names of all variables the app reads: the deployment files are checked against this. */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape);

const DEV_SECRET = 'eenvoud-development-secret-not-for-production-use';
const DEV_SESSION_SECRET = 'eenvoud-development-session-secret-not-for-production';

export class ConfigError extends Error {}

/**
 * A server that answers HTTP must not run on secrets anyone can read in the source: the token
 * key (unless tokens come from an OIDC provider) and the cookie key. Only a development set-up
 * that has explicitly switched the demo login on may use them.
 */
export function assertServingSecrets(c: Pick<Config, 'DEV_AUTH' | 'OIDC_JWKS_URL' | 'defaultSecrets'>): void {
  if (c.DEV_AUTH) return;
  const problems: string[] = [];
  if (c.defaultSecrets.jwt && !c.OIDC_JWKS_URL) problems.push('  JWT_SECRET: set a secret of 32+ random characters (or OIDC_JWKS_URL)');
  if (c.defaultSecrets.session) problems.push('  SESSION_SECRET: set a secret of 32+ random characters');
  if (problems.length)
    throw new ConfigError(
      `Invalid configuration: the built-in development secrets are public and only allowed with DEV_AUTH=true:\n${problems.join('\n')}`,
    );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(CONFIG_VARIABLES.map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (production && !c.JWT_SECRET && !c.OIDC_JWKS_URL) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET or OIDC_JWKS_URL: one is required when NODE_ENV=production');
  }
  if (production && c.DEV_AUTH) {
    throw new ConfigError('Invalid configuration:\n  DEV_AUTH: the development token issuer is never on when NODE_ENV=production');
  }
  if (production && !c.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production (32+ random characters)');
  }
  if (c.OIDC_CLIENT_ID && (!c.OIDC_ISSUER || !c.OIDC_REDIRECT_URL)) {
    throw new ConfigError('Invalid configuration:\n  OIDC_CLIENT_ID: web login through OIDC also needs OIDC_ISSUER and OIDC_REDIRECT_URL');
  }
  if (c.MAIL_TRANSPORT === 'smtp' && !c.SMTP_URL) {
    throw new ConfigError('Invalid configuration:\n  SMTP_URL: required when MAIL_TRANSPORT=smtp');
  }
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    ...c,
    DEV_AUTH: production ? false : c.DEV_AUTH,
    JWT_SECRET: c.JWT_SECRET ?? (production ? undefined : DEV_SECRET),
    SESSION_SECRET: c.SESSION_SECRET ?? DEV_SESSION_SECRET,
    dataDir,
    defaultSecrets: {
      jwt: !c.JWT_SECRET || c.JWT_SECRET === DEV_SECRET,
      session: !c.SESSION_SECRET || c.SESSION_SECRET === DEV_SESSION_SECRET,
    },
    mongodbUri: c.MONGODB_URI ?? `mongodb://127.0.0.1:${c.FERRETDB_PORT}/eenvoud`,
    temporalAddress: c.TEMPORAL_ADDRESS ?? `127.0.0.1:${c.TEMPORAL_PORT}`,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/+$/, ''),
  };
}
