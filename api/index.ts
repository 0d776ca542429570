// The JSON API: bearer-token routes from the registry, and their OpenAPI document.
import { Router } from 'express';
import type { Application } from '../app';
import type { Config } from '../config';
import { createTokenService, requireAuth } from './auth';
import { RouteRegistry } from './registry';
import { bankingRoutes } from './routes/banking';
import { userRoutes } from './routes/users';
import { catalogueRoutes } from './routes/catalogue';
import { contributionRoutes } from './routes/contributions';
import { invoiceRoutes } from './routes/invoices';
import { nettingRoutes } from './routes/netting';
import { requestRoutes } from './routes/requests';
import { steeringRoutes } from './routes/steering';
import { systemRoutes } from './routes/system';

export function createApiRouter(app: Application, config: Config): { router: Router; registry: RouteRegistry } {
  const tokens = createTokenService(config);
  const registry = new RouteRegistry();
  systemRoutes(registry, app, { tokens, devAuth: config.DEV_AUTH });
  requestRoutes(registry, app);
  invoiceRoutes(registry, app);
  catalogueRoutes(registry, app);
  contributionRoutes(registry, app);
  bankingRoutes(registry, app);
  userRoutes(registry, app);
  steeringRoutes(registry, app);
  nettingRoutes(registry, app);
  const router = Router();
  registry.mount(
    router,
    requireAuth(tokens, (userId, org) => app.identity.sessionActor(userId, org)),
    app.idempotency,
  );
  const openapi = registry.openapi({ title: 'Eenvoud API', version: '0.2.0' });
  router.get('/openapi.json', (_req, res) => res.json(openapi));
  return { router, registry };
}

/** Paths the API owns: the web pages never answer them. */
export const API_PATHS = /^\/(api|dev|health|openapi\.json)(\/|$)/;
