// The one place that builds the HTTP server: security headers, request logging, body limits and
// rate limits, then the JSON API and the Dutch web pages, both on the same application layer.
import express, { type Express } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { ulid } from 'ulid';
import { createApiRouter } from '../api';
import { notFoundRoute, problemHandler } from '../api/problem';
import type { RouteRegistry } from '../api/registry';
import { createApplication, type Application } from '../app';
import { assertServingSecrets, type Config } from '../config';
import type { Models } from '../models';
import { createWebRouter } from '../web';

export interface ServerDeps {
  config: Config;
  models: Models;
  client: Client;
  logger: Logger;
}

/** TRUST_PROXY as Express reads it: false, true, a number of hops, or addresses. */
function trustProxy(value: string): boolean | number | string {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Paths the API owns: the web pages never answer them. */
const API_PATHS = /^\/(api|dev|health|openapi\.json)(\/|$)/;

/**
 * Keep-alive longer than the idle timeout of a load balancer or client pool in front (60 s is
 * common): otherwise the server may close an idle connection just as a client sends on it,
 * and that client sees a reset instead of an answer.
 */
export function tuneHttpServer<T extends { keepAliveTimeout: number; headersTimeout: number }>(server: T): T {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

export function createServer({ config, models, client, logger }: ServerDeps): {
  app: Express;
  registry: RouteRegistry;
  application: Application;
} {
  assertServingSecrets(config);
  const application = createApplication({
    models,
    client,
    taskQueue: config.TASK_QUEUE,
    publicBaseUrl: config.publicBaseUrl,
    schedules: config.INVOICE_SCHEDULES,
    attachments: {
      maxBytes: Math.round(config.ATTACHMENT_MAX_MB * 1024 * 1024),
      clamd: config.CLAMAV_HOST ? { host: config.CLAMAV_HOST, port: config.CLAMAV_PORT } : null,
    },
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy(config.TRUST_PROXY));
  app.use(helmet());
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? ulid();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
      // A client's mistake is a warning, our fault an error.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Headers carry bearer tokens and cookies: log only what helps to trace a request.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  // The JSON API: JSON bodies only, its own rate limit, problem+json for every error.
  const { router: apiRouter, registry } = createApiRouter(application, config);
  const api = express.Router();
  api.use(rateLimit({ windowMs: 60_000, limit: config.RATE_LIMIT_PER_MINUTE, standardHeaders: 'draft-8', legacyHeaders: false }));
  api.use(express.json({ limit: '1mb' }));
  api.use(apiRouter);
  api.use(notFoundRoute);
  api.use(problemHandler(logger));
  app.use((req, res, next) => (API_PATHS.test(req.path) ? api(req, res, next) : next()));

  // The Dutch web pages: session cookie, CSRF, forms.
  app.use(createWebRouter(application, config, logger));
  return { app, registry, application };
}
