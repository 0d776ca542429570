// WCAG 2.1 AA in the browser: axe-core (the rules engine behind most accessibility checkers)
// runs on the key page of every user group, with the real CSS, so colour contrast is measured
// rather than assumed.
import axe from 'axe-core';
import type { Browser } from 'playwright-core';
import { launchBrowser, signIn, type Session } from '../support/browser';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens } from '../support/story';

let env: TestEnv;
let browser: Browser;
let requestId: string;
const sessions: Session[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  browser = await launchBrowser();
  // A request with hours, a review and a result, so the request page shows all its parts.
  requestId = await requestUpTo(env, await storyTokens(env), 'awaiting_acceptance');
  // The shared centre's demo products, so the allocation preview has shares, a chart and a table.
  const year = Number(todayInNL().slice(0, 4));
  await seedContributions(env, [year]);
});
afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
  await env.close();
});

interface Violation {
  id: string;
  impact: string | null;
  nodes: string[];
}

/** The WCAG 2.0/2.1 A and AA violations axe finds on the page as it is now. */
async function violations(session: Session, path: string): Promise<Violation[]> {
  const response = await session.page.goto(path);
  if (!response || response.status() >= 400) throw new Error(`${path} answered ${response?.status()}`);
  // evaluate() runs through the DevTools protocol, so the page's strict CSP does not apply to it.
  await session.page.evaluate(axe.source);
  return session.page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, nodes: v.nodes.map((n) => n.html.slice(0, 160)) }));
  });
}

const PAGES: [user: string, paths: (() => string)[]][] = [
  ['zwn-requester', [() => '/aanvragen', () => '/aanvragen/nieuw', () => `/aanvragen/${requestId}`]],
  ['dor-coordinator', [() => '/intake', () => '/werkvoorraad', () => `/aanvragen/${requestId}`]],
  ['dor-staff', [() => '/taken', () => '/uren']],
  ['dor-finance', [() => '/facturen', () => '/factuurrun', () => '/saldi', () => '/dashboard']],
  ['dbc-finance', [() => '/bijdragen', () => '/bijdragen/kengetallen', () => '/bijdragen/producten/DBC-LP-BASIS/verdeling']],
];

test.each(PAGES)('the pages of %s have no WCAG 2.1 A/AA violations', async (user, paths) => {
  const session = await signIn(browser, env.baseUrl, user);
  sessions.push(session);
  const found: Record<string, Violation[]> = {};
  for (const pathOf of paths) {
    const path = pathOf();
    const v = await violations(session, path);
    if (v.length > 0) found[path] = v;
  }
  expect(found).toEqual({});
});

test('the login page has no WCAG 2.1 A/AA violations', async () => {
  const context = await browser.newContext({ baseURL: env.baseUrl, locale: 'nl-NL' });
  const page = await context.newPage();
  sessions.push({ context, page, problems: [] });
  expect(await violations({ context, page, problems: [] }, '/inloggen')).toEqual([]);
});
