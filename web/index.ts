// The Dutch web UI: server-rendered pages for buying municipalities, the centre and finance.
// Pages call the same use cases as the JSON API (same access checks); this file holds the
// plumbing: static files, session, CSRF, who is signed in, login, layout and error pages.
import fs from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import rateLimit from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { DomainError, ERROR_STATUS } from '../domain/errors';
import type { Actor, Role } from '../domain/roles';
import { createViews } from '../lib/views';
import type { Models } from '../models';
import { fromTemporal } from '../api/problem';
import { catalogueUseCases } from '../api/use-cases/catalogue';
import { contributionUseCases } from '../api/use-cases/contributions';
import { dashboardUseCases } from '../api/use-cases/dashboard';
import { invoiceUseCases } from '../api/use-cases/invoices';
import { requestUseCases } from '../api/use-cases/requests';
import { ROLE_LABELS, viewHelpers } from './format';
import { multipartForm } from './multipart';
import { createOidcLogin } from './oidc';
import { csrfToken, SESSION_MAX_AGE_MS, sessionMiddleware, sessionOf, takeFlash, verifyCsrf } from './session';
import { contributionAdminPages } from './pages/contribution-admin';
import { contributionPages } from './pages/contributions';
import { dashboardPages } from './pages/dashboard';
import { financePages } from './pages/finance';
import { requestPages } from './pages/requests';

declare module 'express-serve-static-core' {
  interface Request {
    webActor?: Actor;
  }
}

export interface WebDeps {
  config: Config;
  models: Models;
  client: Client;
  logger: Logger;
}

export type Views = ReturnType<typeof createViews>;

/** What every page module gets. */
export interface WebContext {
  models: Models;
  views: Views;
  requests: ReturnType<typeof requestUseCases>;
  invoices: ReturnType<typeof invoiceUseCases>;
  catalogue: ReturnType<typeof catalogueUseCases>;
  dashboard: ReturnType<typeof dashboardUseCases>;
  contributions: ReturnType<typeof contributionUseCases>;
  /** Renders templates/pages/<name>.hbs inside the page layout. */
  page(req: Request, res: Response, name: string, data: Record<string, unknown>, status?: number): Promise<void>;
  orgName(code: string): Promise<string>;
}

/** The signed-in actor, or an Unauthenticated error that the error page turns into the login page. */
export function actorOf(req: Request): Actor {
  if (!req.webActor) throw new DomainError('Unauthenticated', 'not signed in');
  return req.webActor;
}

export function requireRoleWeb(actor: Actor, ...roles: Role[]): void {
  if (!roles.some((r) => actor.roles.includes(r))) throw new DomainError('Forbidden', `needs one of ${roles.join(', ')}`);
}

function packageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return path.join(process.cwd(), 'node_modules', name);
  }
}

function publicDir(): string {
  for (const dir of [path.join(__dirname, 'public'), path.join(__dirname, '..', '..', 'web', 'public')]) {
    if (fs.existsSync(path.join(dir, 'app.css'))) return dir;
  }
  throw new Error('web/public not found');
}

interface NavItem {
  href: string;
  label: string;
}

function navFor(actor: Actor | undefined): NavItem[] {
  if (!actor) return [];
  const has = (r: Role) => actor.roles.includes(r);
  const items: NavItem[] = [];
  if (has('requester')) items.push({ href: '/aanvragen', label: 'Mijn aanvragen' }, { href: '/aanvragen/nieuw', label: 'Nieuwe aanvraag' });
  if (has('coordinator'))
    items.push(
      { href: '/intake', label: 'Intake' },
      { href: '/opdrachten', label: 'Opdrachten' },
      { href: '/werkvoorraad', label: 'Werkvoorraad' },
    );
  if (has('staff')) items.push({ href: '/taken', label: 'Mijn taken' }, { href: '/uren', label: 'Uren' });
  if (has('reviewer')) items.push({ href: '/toetsing', label: 'Toetsing' });
  if (has('provider_finance') || has('buyer_finance')) items.push({ href: '/facturen', label: 'Facturen' });
  if (has('provider_finance')) items.push({ href: '/factuurrun', label: 'Factuurrun' });
  if (has('provider_finance') || has('buyer_finance')) items.push({ href: '/saldi', label: 'Saldi en verrekening' });
  // Shared-centre contributions: the centre's admin and finance, a participant's finance and requesters.
  if (has('admin') || has('provider_finance') || has('buyer_finance') || has('requester'))
    items.push({ href: '/bijdragen', label: 'Bijdragen' });
  items.push({ href: '/dashboard', label: 'Dashboard' });
  return items;
}

/** Where someone lands after signing in. */
function homeFor(actor: Actor): string {
  const has = (r: Role) => actor.roles.includes(r);
  if (has('requester')) return '/aanvragen';
  if (has('coordinator')) return '/intake';
  if (has('staff') || has('reviewer')) return '/taken';
  if (has('provider_finance') || has('buyer_finance')) return '/facturen';
  return '/dashboard';
}

/** Only local paths, so the login cannot be used to redirect to another site. */
function safeReturn(value: unknown): string | null {
  return typeof value === 'string' && /^\/[^/\\]/.test(value) ? value : null;
}

const ERROR_PAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Ongeldige invoer', text: 'De gegevens zijn niet goed ontvangen. Ga terug en probeer het opnieuw.' },
  403: { title: 'Geen toegang', text: 'U heeft niet de juiste rol voor deze pagina of actie.' },
  404: { title: 'Niet gevonden', text: 'Deze pagina bestaat niet, of u heeft er geen toegang toe.' },
  409: { title: 'Dat kan nu niet', text: 'Deze actie past niet bij de huidige stand van zaken. Laad de pagina opnieuw.' },
  500: { title: 'Er ging iets mis', text: 'Er is een onverwachte fout opgetreden. De fout is vastgelegd; probeer het later opnieuw.' },
};

export function createWebRouter({ config, models, client, logger }: WebDeps): Router {
  const router = express.Router();
  const views = createViews(viewHelpers);
  const deps = { models, client, taskQueue: config.TASK_QUEUE };
  const oidc = createOidcLogin(config);

  // Static files: the NL Design System CSS straight from node_modules, and our own few files.
  const assets = { maxAge: config.NODE_ENV === 'production' ? '1d' : 0, index: false };
  router.use('/static/utrecht', express.static(path.join(packageDir('@utrecht/component-library-css'), 'dist'), assets));
  router.use('/static/tokens', express.static(path.join(packageDir('@utrecht/design-tokens'), 'dist'), assets));
  router.use('/static', express.static(publicDir(), assets));

  // The session first, so that a refused body still gets the Dutch error page.
  router.use(sessionMiddleware(config));
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));
  // The key-figure import takes a CSV file (up to 1 MB); its fields land in req.body before the
  // CSRF check, which reads the token from the form. Only there, and only for a signed-in user,
  // so no other request can make the server buffer an upload.
  router.use(
    '/bijdragen/kengetallen/import',
    (req, _res, next) => (sessionOf(req).userId ? next() : next(new DomainError('Unauthenticated', 'not signed in'))),
    multipartForm(1024 * 1024),
  );
  router.use(verifyCsrf);

  let orgNames: { at: number; names: Map<string, string> } | null = null;
  async function orgName(code: string): Promise<string> {
    if (!orgNames || Date.now() - orgNames.at > 60_000) {
      const orgs = await models.Organisation.find().select({ name: 1 }).lean();
      orgNames = { at: Date.now(), names: new Map(orgs.map((o) => [o._id, o.name])) };
    }
    return orgNames.names.get(code) ?? code;
  }

  // Who is signed in: the session names the user and organisation; the roles come from the database.
  router.use(async (req, _res, next) => {
    const s = sessionOf(req);
    // A session ends on the server too: a copied cookie is worthless after SESSION_MAX_AGE_MS.
    if (s.userId && !(typeof s.since === 'number' && Date.now() - s.since < SESSION_MAX_AGE_MS)) {
      delete s.userId;
      delete s.org;
    }
    if (s.userId && s.org) {
      const user = await models.User.findById(s.userId).lean();
      const membership = user?.memberships.find((m) => m.org === s.org);
      if (user && membership) req.webActor = { userId: user._id, org: membership.org, roles: membership.roles as Role[], name: user.name };
      else {
        delete s.userId;
        delete s.org;
      }
    }
    next();
  });

  const page: WebContext['page'] = async (req, res, name, data, status = 200) => {
    const actor = req.webActor;
    const nav = navFor(actor).map((n) => ({
      ...n,
      current: req.path === n.href || (n.href !== '/aanvragen' && req.path.startsWith(`${n.href}/`)),
    }));
    const org = actor ? await orgName(actor.org) : '';
    const html = views.render(
      `pages/${name}`,
      {
        ...data,
        actor,
        org,
        roleText: actor?.roles.map((r) => ROLE_LABELS[r]).join(', '),
        nav,
        csrf: csrfToken(req),
        flash: takeFlash(req),
      },
      'pages/layout',
    );
    res.status(status).type('html').send(html);
  };

  const ctx: WebContext = {
    models,
    views,
    requests: requestUseCases(deps),
    invoices: invoiceUseCases(deps),
    catalogue: catalogueUseCases(deps),
    dashboard: dashboardUseCases(deps),
    contributions: contributionUseCases(deps),
    page,
    orgName,
  };

  router.get('/', (req, res) => {
    if (req.webActor) return res.redirect(303, homeFor(req.webActor));
    return page(req, res, 'home', { title: 'Eenvoud', devAuth: config.DEV_AUTH });
  });
  router.get('/start', (req, res) => res.redirect(303, homeFor(actorOf(req))));

  // Login: the demo-user picker in development, OIDC in production.
  const loginLimit = rateLimit({ windowMs: 60_000, limit: 30, standardHeaders: 'draft-8', legacyHeaders: false });
  const loginPage = async (req: Request, res: Response, error?: string, status = 200) => {
    const users = config.DEV_AUTH ? await models.User.find().sort({ _id: 1 }).lean() : [];
    const options = [];
    for (const u of users) {
      for (const m of u.memberships) {
        options.push({
          value: `${u._id}|${m.org}`,
          text: `${u.name} — ${await orgName(m.org)} (${m.roles.map((r) => ROLE_LABELS[r as Role]).join(', ')})`,
        });
      }
    }
    return page(
      req,
      res,
      'login',
      { title: 'Inloggen', devAuth: config.DEV_AUTH, oidc: Boolean(oidc), options, error, returnTo: safeReturn(req.query.terug) ?? '' },
      status,
    );
  };
  router.get('/inloggen', (req, res) => loginPage(req, res));
  router.post('/inloggen', loginLimit, async (req, res) => {
    if (!config.DEV_AUTH) throw new DomainError('NotFound', 'no dev login');
    const [userId, org] = String(req.body.user ?? '').split('|');
    const user = userId ? await models.User.findById(userId).lean() : null;
    if (!user || !user.memberships.some((m) => m.org === org)) return loginPage(req, res, 'Kies een gebruiker uit de lijst.', 400);
    const s = sessionOf(req);
    s.userId = user._id;
    s.org = org;
    s.since = Date.now();
    delete s.csrf; // a fresh token for the signed-in session
    const roles = user.memberships.find((m) => m.org === org)!.roles as Role[];
    res.redirect(303, safeReturn(req.body.terug) ?? homeFor({ userId: user._id, org: org!, roles }));
  });
  if (oidc) {
    router.get('/inloggen/oidc', loginLimit, async (req, res) => {
      const { url, verifier, state } = await oidc.start();
      sessionOf(req).oidc = { verifier, state, returnTo: safeReturn(req.query.terug) ?? '/start' };
      res.redirect(303, url);
    });
    router.get('/inloggen/oidc/callback', loginLimit, async (req, res) => {
      const s = sessionOf(req);
      if (!s.oidc) return res.redirect(303, '/inloggen');
      const pending = s.oidc;
      delete s.oidc;
      const claims = await oidc.finish(new URL(req.originalUrl, config.OIDC_REDIRECT_URL), pending);
      const user =
        (await models.User.findById(claims.sub).lean()) ??
        (claims.email ? await models.User.findOne({ email: claims.email }).lean() : null);
      const membership = user?.memberships[0];
      if (!user || !membership) return loginPage(req, res, 'U bent bij de identiteitsprovider bekend, maar niet in Eenvoud.', 403);
      s.userId = user._id;
      s.org = membership.org;
      s.since = Date.now();
      delete s.csrf;
      res.redirect(303, pending.returnTo);
    });
  }
  router.post('/uitloggen', (req, res) => {
    req.session = null;
    res.redirect(303, '/');
  });
  requestPages(router, ctx);
  financePages(router, ctx);
  contributionAdminPages(router, ctx); // before contributionPages: /bijdragen/producten/nieuw is not a product id
  contributionPages(router, ctx);
  dashboardPages(router, ctx);

  // Unknown page addresses get the Dutch 404 page; API paths keep their problem+json answers.
  router.use((req, _res, next) => {
    if (req.method === 'GET' && req.accepts('html')) {
      return next(new DomainError('NotFound', 'no page'));
    }
    next();
  });

  const errorPage: ErrorRequestHandler = (rawErr, req, res, _next) => {
    const err = fromTemporal(rawErr);
    if (err instanceof DomainError && err.kind === 'Unauthenticated') {
      if (req.method === 'GET') return res.redirect(303, `/inloggen?terug=${encodeURIComponent(req.originalUrl)}`);
      return res.redirect(303, '/inloggen');
    }
    let status = 500;
    if (err instanceof DomainError) status = ERROR_STATUS[err.kind];
    else if ((rawErr as { type?: string })?.type === 'entity.parse.failed') status = 400;
    else logger.error({ err: rawErr, path: req.path }, 'unhandled error on a page');
    const csrfFailed = err instanceof DomainError && err.kind === 'Forbidden' && err.message === 'csrf';
    const info = csrfFailed
      ? { title: 'Formulier verlopen', text: 'Het formulier is verlopen of niet geldig. Laad de pagina opnieuw en probeer het nog eens.' }
      : (ERROR_PAGES[status] ?? ERROR_PAGES[500]!);
    if (res.headersSent) return;
    page(req, res, 'error', { title: info.title, text: info.text, status }, status).catch(() => res.status(500).end());
  };
  router.use(errorPage);
  // The API, the dev token issuer and the health check are not pages: they never pass through here.
  const outer = express.Router();
  outer.use((req, res, next) => (API_PATHS.test(req.path) ? next() : router(req, res, next)));
  return outer;
}

const API_PATHS = /^\/(api|dev|health|openapi\.json)(\/|$)/;
