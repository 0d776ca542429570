// The Dutch web UI: server-rendered pages for buying municipalities, the centre and finance.
// Pages call the application layer and nothing else: they turn forms into its inputs and its
// answers (and refusals) into Dutch HTML. This file holds the plumbing: static files, session,
// CSRF, who is signed in, login, the layout with the menu, and the error pages.
import fs from 'node:fs';
import path from 'node:path';
import { isTransient } from '../lib/transient';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import rateLimit from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Application } from '../app';
import type { Config } from '../config';
import { Refusal, refuse } from '../domain/refusals';
import type { Actor } from '../domain/roles';
import { MENU_NL, refusalNl, ROLE_NL, type Namer } from '../i18n/nl';
import { createViews } from '../lib/views';
import { bodyRefusal } from '../lib/body-errors';
import { viewHelpers } from './format';
import { attachmentForm, multipartForm } from './multipart';
import { MAX_STATEMENT_BYTES } from '../app/banking';
import { createOidcLogin } from './oidc';
import { contributionAdminPages } from './pages/contribution-admin';
import { contributionPages } from './pages/contributions';
import { dashboardPages } from './pages/dashboard';
import { steeringPages } from './pages/steering';
import { bankingPages } from './pages/banking';
import { userPages } from './pages/users';
import { cataloguePages } from './pages/catalogue';
import { submitForm } from './forms';
import { financePages } from './pages/finance';
import { requestPages } from './pages/requests';
import { notificationPages } from './pages/notifications';
import { worklistPages } from './pages/worklist';
import { csrfToken, flash, newSessionId, SESSION_MAX_AGE_MS, sessionMiddleware, sessionOf, takeFlash, verifyCsrf } from './session';

declare module 'express-serve-static-core' {
  interface Request {
    webActor?: Actor;
  }
}

export type Views = ReturnType<typeof createViews>;

/** What every page module gets. */
export interface WebContext {
  app: Application;
  /** Renders templates/pages/<name>.hbs inside the page layout. */
  page(req: Request, res: Response, name: string, data: Record<string, unknown>, status?: number): Promise<void>;
  /** Organisation names for messages and tables. */
  namer(): Promise<Namer>;
}

/** The signed-in actor, or a not_authenticated refusal that the error page turns into the login page. */
export function actorOf(req: Request): Actor {
  if (!req.webActor) throw refuse('not_authenticated', {});
  return req.webActor;
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

/** Only local paths, so the login cannot be used to redirect to another site. */
function safeReturn(value: unknown): string | null {
  return typeof value === 'string' && /^\/[^/\\]/.test(value) ? value : null;
}

const ERROR_PAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Ongeldige invoer', text: 'De gegevens zijn niet goed ontvangen. Ga terug en probeer het opnieuw.' },
  403: { title: 'Geen toegang', text: 'U heeft niet de juiste rol voor deze pagina of actie.' },
  404: { title: 'Niet gevonden', text: 'Deze pagina bestaat niet, of u heeft er geen toegang toe.' },
  409: { title: 'Dat kan nu niet', text: 'Deze actie past niet bij de huidige stand van zaken. Laad de pagina opnieuw.' },
  413: { title: 'Te groot', text: 'Wat u stuurde is te groot.' },
  415: { title: 'Niet aangenomen', text: 'Deze gegevens worden in deze vorm niet aangenomen. Gebruik het formulier op de pagina.' },
  429: { title: 'Even wachten', text: 'U heeft in korte tijd erg veel verzoeken gedaan. Wacht een minuut en probeer het opnieuw.' },
  500: { title: 'Er ging iets mis', text: 'Er is een onverwachte fout opgetreden. De fout is vastgelegd; probeer het later opnieuw.' },
  503: {
    title: 'Even niet beschikbaar',
    text: 'Eenvoud kon een onderdeel even niet bereiken. Wacht een paar seconden en laad de pagina opnieuw; kijk na een actie eerst of die al verwerkt is.',
  },
};

export function createWebRouter(app: Application, config: Config, logger: Logger): Router {
  const router = express.Router();
  const views = createViews(viewHelpers);
  const oidc = createOidcLogin(config);

  // Static files: the NL Design System CSS straight from node_modules, and our own few files.
  const assets = { maxAge: config.NODE_ENV === 'production' ? '1d' : 0, index: false };
  router.use('/static/utrecht', express.static(path.join(packageDir('@utrecht/component-library-css'), 'dist'), assets));
  router.use('/static/tokens', express.static(path.join(packageDir('@utrecht/design-tokens'), 'dist'), assets));
  router.use('/static', express.static(publicDir(), assets));

  // Pages and downloads have a rate limit of their own; sign-in a stricter one below.
  router.use(rateLimit({ windowMs: 60_000, limit: config.RATE_LIMIT_PER_MINUTE, standardHeaders: 'draft-8', legacyHeaders: false }));
  // The session first, so that a refused body still gets the Dutch error page.
  router.use(sessionMiddleware(config));
  // Pages take forms only: a JSON (or any other) body is refused before anything reads it.
  router.use((req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (req.method === 'POST' && hasBody && !req.is(['application/x-www-form-urlencoded', 'multipart/form-data']))
      return next(refuse('unsupported_media_type', { mediaType: String(req.headers['content-type'] ?? 'none') }));
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  // The key-figure import takes a CSV file (up to 1 MB); its fields land in req.body before the
  // CSRF check, which reads the token from the form. Only there, and only for a signed-in user,
  // so no other request can make the server buffer an upload.
  router.use(
    '/bijdragen/kengetallen/import',
    (req, _res, next) => (sessionOf(req).userId ? next() : next(refuse('not_authenticated', {}))),
    multipartForm(1024 * 1024),
  );
  // Forms with attachments: a new request, a question, an answer, the result, a file on the request.
  router.use(
    /^\/aanvragen\/(nieuw|[0-9A-Z]{26}\/(bijlagen|acties\/(askClarification|answerClarification|submitResult)))$/,
    (req, _res, next) => (sessionOf(req).userId ? next() : next(refuse('not_authenticated', {}))),
    attachmentForm(app.attachments.maxBytes),
  );
  router.use(
    '/bankafschriften',
    (req, _res, next) => (sessionOf(req).userId ? next() : next(refuse('not_authenticated', {}))),
    attachmentForm(MAX_STATEMENT_BYTES),
  );
  router.use(verifyCsrf);

  // Who is signed in: the session names the user and organisation; the roles come from the database.
  router.use(async (req, _res, next) => {
    try {
      const s = sessionOf(req);
      // A session ends on the server too: a copied cookie is worthless after SESSION_MAX_AGE_MS.
      if (s.userId && !(typeof s.since === 'number' && Date.now() - s.since < SESSION_MAX_AGE_MS)) {
        delete s.userId;
        delete s.org;
      }
      if (s.userId && s.org) {
        const actor = await app.identity.webSessionActor({ sid: s.sid, userId: s.userId, org: s.org });
        if (actor) req.webActor = actor;
        else {
          delete s.userId;
          delete s.org;
          delete s.sid;
        }
      }
      next();
    } catch (err) {
      next(err);
    }
  });

  const page: WebContext['page'] = async (req, res, name, data, status = 200) => {
    const actor = req.webActor;
    const namer = await app.identity.namer();
    // The menu: exactly the organisation-wide actions this person may take.
    const capabilities = actor ? app.identity.capabilities(actor) : [];
    // How much waits for this person: the number next to Actie nodig.
    // A count is a courtesy: when the database is away (an error page), the menu shows none.
    const count = (work: () => Promise<number>) => work().catch(() => null);
    const waiting = actor && capabilities.includes('viewWorklist') ? await count(() => app.worklist.count(actor)) : null;
    const unread = actor && capabilities.includes('viewNotifications') ? await count(() => app.notifications.unreadCount(actor)) : null;
    const counts: Partial<Record<string, number | null>> = { viewWorklist: waiting, viewNotifications: unread };
    const nav = capabilities
      .map((a) =>
        MENU_NL[a] ? { ...MENU_NL[a], count: counts[a] ?? null, countText: a === 'viewNotifications' ? 'ongelezen' : 'wachtend' } : null,
      )
      .filter((n): n is { href: string; label: string; count: number | null; countText: string } => Boolean(n))
      .map((n) => ({ ...n, current: req.path === n.href || (n.href !== '/aanvragen' && req.path.startsWith(`${n.href}/`)) }));
    // The switch between one's organisations, for people who work for more than one.
    const orgs = actor ? await app.identity.memberships(actor).catch(() => []) : [];
    const html = views.render(
      `pages/${name}`,
      {
        ...data,
        actor,
        orgs: orgs.length > 1 ? orgs : null,
        org: actor ? namer(actor.org) : '',
        roleText: actor?.roles.map((r) => ROLE_NL[r]).join(', '),
        nav,
        csrf: csrfToken(req),
        flash: takeFlash(req),
        namer,
      },
      'pages/layout',
    );
    res.status(status).type('html').send(html);
  };

  const ctx: WebContext = { app, page, namer: () => app.identity.namer() };
  const homeOf = (actor: Actor) => MENU_NL[app.identity.home(actor)]?.href ?? '/dashboard';

  router.get('/', (req, res) => {
    if (req.webActor) return res.redirect(303, homeOf(req.webActor));
    return page(req, res, 'home', { title: 'Eenvoud', devAuth: config.DEV_AUTH });
  });
  router.get('/start', (req, res) => res.redirect(303, homeOf(actorOf(req))));

  // Login: the demo-user picker in development, OIDC in production.
  const loginLimit = rateLimit({ windowMs: 60_000, limit: 30, standardHeaders: 'draft-8', legacyHeaders: false });
  const loginPage = async (req: Request, res: Response, error?: string, status = 200) => {
    const options = config.DEV_AUTH
      ? (await app.identity.demoSignIns()).map((u) => ({
          value: `${u.userId}|${u.org}`,
          text: `${u.name} — ${u.orgName} (${u.roles.map((r) => ROLE_NL[r]).join(', ')})`,
        }))
      : [];
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
    if (!config.DEV_AUTH) throw refuse('not_found', { thing: 'page' });
    const [userId, org] = String(req.body?.user ?? '').split('|');
    let actor: Actor;
    try {
      actor = await app.identity.signIn(userId ?? '', org ?? '');
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      return loginPage(req, res, 'Kies een gebruiker uit de lijst.', 400);
    }
    const s = sessionOf(req);
    s.sid = newSessionId();
    s.userId = actor.userId;
    s.org = actor.org;
    s.since = Date.now();
    delete s.csrf; // a fresh token for the signed-in session
    res.redirect(303, safeReturn(req.body?.terug) ?? homeOf(actor));
  });
  // Acting for another of one's organisations: the session names it; pages and data follow.
  router.post('/organisatie', async (req, res) => {
    const next = await app.identity.switchOrganisation(actorOf(req), String((req.body as Record<string, unknown>)?.org ?? ''));
    const s = sessionOf(req);
    s.org = next.org;
    delete s.csrf; // a fresh form token for the other organisation
    flash(req, `U werkt nu voor ${await app.identity.orgName(next.org)}.`);
    res.redirect(303, homeOf(next));
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
      const actor = await app.identity.oidcActor(claims);
      if (!actor)
        return loginPage(
          req,
          res,
          'U bent aangemeld, maar heeft nog geen rol in Eenvoud. Vraag de beheerder van uw organisatie om u rollen te geven (op uw e-mailadres).',
          403,
        );
      s.sid = newSessionId();
      s.userId = actor.userId;
      s.org = actor.org;
      s.since = Date.now();
      delete s.csrf;
      res.redirect(303, pending.returnTo);
    });
  }
  // An invitation link: open to anyone holding it (the link is the credential), usable once.
  const invitationPage = async (
    req: Request,
    res: Response,
    values: Record<string, unknown> = {},
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    const token = String(req.params.token);
    const inv = await app.users.invitation(token);
    return page(
      req,
      res,
      'invitation',
      { title: `Uitnodiging voor ${inv.orgName}`, inv, token, rolesText: inv.roles.map((r) => ROLE_NL[r]).join(', '), values, errors },
      inv.refusal ? 410 : status,
    );
  };
  router.get('/uitnodiging/:token', (req, res) => invitationPage(req, res));
  router.post('/uitnodiging/:token', loginLimit, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    await submitForm(req, res, {
      run: () => app.users.accept(String(req.params.token), { name: typeof body.name === 'string' ? body.name : '' }),
      name: await app.identity.namer(),
      again: (errors, status) => invitationPage(req, res, body, errors, status),
      done: (actor) => {
        // In development the new member is signed in at once; with OIDC they sign in there.
        if (!config.DEV_AUTH) return { flash: 'Uw uitnodiging is aangenomen. Log in om te beginnen.', to: '/inloggen' };
        const s = sessionOf(req);
        s.sid = newSessionId();
        s.userId = actor.userId;
        s.org = actor.org;
        s.since = Date.now();
        delete s.csrf;
        return { flash: 'Welkom! Uw uitnodiging is aangenomen.', to: '/start' };
      },
    });
  });
  router.post('/uitloggen', async (req, res) => {
    const s = sessionOf(req);
    await app.identity.endSession(s.sid, (s.since ?? Date.now()) + SESSION_MAX_AGE_MS);
    req.session = null;
    res.redirect(303, '/');
  });
  worklistPages(router, ctx);
  notificationPages(router, ctx);
  requestPages(router, ctx);
  financePages(router, ctx);
  bankingPages(router, ctx);
  userPages(router, ctx);
  cataloguePages(router, ctx);
  contributionAdminPages(router, ctx); // before contributionPages: /bijdragen/producten/nieuw is not a product id
  contributionPages(router, ctx);
  dashboardPages(router, ctx);
  steeringPages(router, ctx);

  // Unknown page addresses get the Dutch 404 page.
  router.use((_req, _res, next) => next(refuse('not_found', { thing: 'page' })));

  const errorPage: ErrorRequestHandler = (err, req, res, _next) => {
    const refusal = bodyRefusal(err) ?? (err instanceof Refusal ? err : null);
    if (refusal?.code === 'not_authenticated') {
      if (req.method === 'GET') return res.redirect(303, `/inloggen?terug=${encodeURIComponent(req.originalUrl)}`);
      return res.redirect(303, '/inloggen');
    }
    const transient = !refusal && isTransient(err);
    if (transient) logger.warn({ err, path: req.path }, 'a dependency is briefly unavailable');
    else if (!refusal) logger.error({ err, path: req.path }, 'unhandled error on a page');
    const status = refusal?.status ?? (transient ? 503 : 500);
    if (transient) res.set('retry-after', '5');
    const info = refusal?.code === 'form_expired' ? { title: 'Formulier verlopen', text: '' } : (ERROR_PAGES[status] ?? ERROR_PAGES[500]!);
    if (res.headersSent) return;
    app.identity
      .namer()
      .then((namer) =>
        page(
          req,
          res,
          'error',
          {
            title: info.title,
            // The refusal itself says best what went wrong; a missing page or thing keeps the general text.
            text: refusal && refusal.code !== 'not_found' ? refusalNl(refusal.info(), namer) : info.text,
            status,
          },
          status,
        ),
      )
      .catch(() => res.status(500).end());
  };
  router.use(errorPage);
  return router;
}
