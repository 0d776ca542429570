// The Express application: security headers, rate limits, request logging, JWT auth,
// JSON routes from the registry, server-rendered pages, problem+json errors.
import express, { type Express } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { ulid } from 'ulid';
import type { Config } from '../config';
import type { Models } from '../models';
import { createTokenService, requireAuth } from './auth';
import { notFoundRoute, problemHandler } from './problem';
import { catalogueRoutes } from './routes/catalogue';
import { contributionRoutes } from './routes/contributions';
import { invoiceRoutes } from './routes/invoices';
import { RouteRegistry } from './routes/registry';
import { requestRoutes } from './routes/requests';
import { systemRoutes } from './routes/system';
import { catalogueUseCases } from './use-cases/catalogue';
import { contributionUseCases } from './use-cases/contributions';
import { serviceTransferUseCases } from './use-cases/service-transfers';
import { invoiceUseCases } from './use-cases/invoices';
import { requestUseCases } from './use-cases/requests';
import { createWebRouter } from '../web/router';

export interface AppDeps {
  config: Config;
  models: Models;
  client: Client;
  logger: Logger;
}

export function createApp({ config, models, client, logger }: AppDeps): { app: Express; registry: RouteRegistry } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
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
      // Headers carry bearer tokens and cookies: log only what helps to trace a request.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(express.json({ limit: '1mb' }));
  app.use(
    ['/api', '/dev'],
    rateLimit({ windowMs: 60_000, limit: config.RATE_LIMIT_PER_MINUTE, standardHeaders: 'draft-8', legacyHeaders: false }),
  );

  const tokens = createTokenService(config);
  const deps = { models, client, taskQueue: config.TASK_QUEUE };
  const registry = new RouteRegistry();
  systemRoutes(registry, {
    models,
    tokens,
    devAuth: config.DEV_AUTH,
    health: async () => ({
      mongodb: models.Request.db.readyState === 1,
      temporal: await client.workflowService
        .getSystemInfo({})
        .then(() => true)
        .catch(() => false),
    }),
  });
  requestRoutes(registry, requestUseCases(deps));
  invoiceRoutes(registry, invoiceUseCases(deps));
  catalogueRoutes(registry, catalogueUseCases(deps));
  contributionRoutes(registry, contributionUseCases(deps), serviceTransferUseCases(deps));
  registry.add({
    method: 'get',
    path: '/api/mailbox',
    tag: 'notifications',
    summary: 'My e-mails (the local mailbox)',
    handler: ({ actor }) => models.Mail.find({ to: actor.userId }).sort({ createdAt: -1, _id: -1 }).limit(200).lean(),
  });

  const router = express.Router();
  registry.mount(router, requireAuth(tokens));
  const openapi = registry.openapi({ title: 'Eenvoud API', version: '0.1.0' });
  app.get('/openapi.json', (_req, res) => res.json(openapi));
  app.use(router);

  // The Dutch web pages (session cookie + CSRF), after the API so /api keeps its bearer auth.
  app.use(createWebRouter({ config, models, client, logger }));

  app.use(notFoundRoute);
  app.use(problemHandler(logger));
  return { app, registry };
}
