// Debian's chromium driven by playwright-core (no browser download). The browser tests fail,
// never skip, when chromium is missing: CI installs it with apt before `npm test`.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}. The browser tests need it: apt-get install -y chromium (or set CHROMIUM_PATH). .ci/run installs it on CI.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=nl-NL',
    ],
  });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen on any page of this session. */
  problems: string[];
}

/**
 * A fresh browser context (own cookies) signed in as a demo user through the login page, for
 * the given organisation or else the user's first.
 */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  userId: string,
  viewport = { width: 1280, height: 900 },
  org?: string,
): Promise<Session> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // HTTP error statuses (a 400 form answer, a 404 page) are expected; CSP violations and script errors are not.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto('/inloggen');
  const option = org ? `${userId}|${org}` : await page.locator(`#user option[value^="${userId}|"]`).first().getAttribute('value');
  if (!option) throw new Error(`no demo user ${userId} on the login page`);
  await page.selectOption('#user', option);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Inloggen' }).click()]);
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** WCAG basics every page keeps: one h1 first, headings that never skip a level, a label for every form control. */
export async function checkHeadingsAndLabels(page: Page): Promise<{ levels: number[]; unlabeled: string[] }> {
  const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (els) => els.map((e) => Number(e.tagName.slice(1))));
  const unlabeled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
  );
  return { levels, unlabeled };
}
