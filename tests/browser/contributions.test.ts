/// <reference lib="dom" />
// The shared centre's contributions clicked through in chromium: centre finance opens the
// allocation preview, invoices the first advance and sees the recorded step with its invoices;
// a participant finds its own advance invoice under Bijdragen.
import type { Browser, Page } from 'playwright-core';
import { checkHeadingsAndLabels, launchBrowser, screenshot as saveScreenshot, signIn, type Session } from '../support/browser';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';

jest.setTimeout(120_000);

// Two years ahead: workflow ids (contribution-DBC-LP-BASIS-<year>-A1) are per Temporal namespace,
// which test files on the same Jest worker share; the API test invoices last year's and this
// year's steps, the page tests next year's.
const THIS_YEAR = Number(todayInNL().slice(0, 4));
const YEAR = THIS_YEAR + 2;
const P = 'DBC-LP-BASIS';
let env: TestEnv;
let browser: Browser;
const sessions: Record<string, Session> = {};

async function as(userId: string): Promise<Page> {
  sessions[userId] ??= await signIn(browser, env.baseUrl, userId);
  return sessions[userId].page;
}

/** Saves the page and checks one h1, heading order and labels. */
async function screenshot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  const { levels, unlabeled } = await checkHeadingsAndLabels(page);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  expect(levels[0]).toBe(1);
  levels.forEach((l, i) => i > 0 && expect(l - levels[i - 1]!).toBeLessThanOrEqual(1));
  expect(unlabeled).toEqual([]);
}

beforeAll(async () => {
  env = await createTestEnv();
  await seedContributions(env, [THIS_YEAR, YEAR]);
  browser = await launchBrowser();
});
afterAll(async () => {
  const problems = Object.entries(sessions).flatMap(([u, s]) => s.problems.map((p) => `${u}: ${p}`));
  await browser?.close();
  await env?.close();
  expect(problems).toEqual([]);
});

describe('contributions in the browser', () => {
  test('centre finance opens the preview, invoices the first advance and sees the step with its invoices', async () => {
    const page = await as('dbc-finance');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Bijdragen' }).click(),
    ]);
    await expect(page.locator('h1').innerText()).resolves.toBe('Bijdragen');
    await screenshot(page, 'c01-contributions-centre');
    await Promise.all([
      page.waitForNavigation(),
      page
        .getByRole('link', { name: `Verdeling, voorschotten en afrekening ${THIS_YEAR}` })
        .first()
        .click(),
    ]);
    await expect(page.locator('#preview-total').innerText()).resolves.toBe('€ 80.000,00');
    // Another year through the year picker.
    await page.selectOption('#jaar', String(YEAR));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tonen' }).click()]);
    await expect(page.locator('h1').innerText()).resolves.toBe(`Verdeling Leerplichtadministratie (regionaal) ${YEAR}`);
    await expect(page.locator('#preview-total').innerText()).resolves.toBe('€ 80.000,00');
    await expect(page.locator('tr[data-participant="DOR"] .share').innerText()).resolves.toBe('€ 40.000,00');
    await expect(page.locator('svg[role="img"] title').first().textContent()).resolves.toContain('Aandelen');
    await expect(page.locator('#no-steps').isVisible()).resolves.toBe(true);
    await screenshot(page, 'c02-contribution-preview');

    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: `Volgend voorschot ${YEAR} factureren` }).click()]);
    await expect(page.getByRole('status').first().innerText()).resolves.toContain(`Voorschot 1 van ${YEAR} wordt gefactureerd`);
    // The step workflow records the step and makes the invoices; the page shows them once they exist.
    const link = page.locator(`a[href="/facturen/${P}-${YEAR}-A1-ZWN"]`);
    for (let i = 0; i < 40 && !(await link.count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await expect(page.getByRole('heading', { name: /Voorschot 1 van 4/ }).count()).resolves.toBe(1);
    await expect(link.count()).resolves.toBe(1);
    await screenshot(page, 'c03-contribution-steps');

    await page.goto(`/bijdragen/rapportage?jaar=${YEAR}`);
    // Seven participants in the basic product, three in case handling.
    await expect(page.locator('#report tbody tr').count()).resolves.toBe(10);
    await expect(page.locator('#report-csv').getAttribute('href')).resolves.toBe(`/bijdragen/rapportage.csv?jaar=${YEAR}`);
    await screenshot(page, 'c04-contribution-report');
  });

  test('a participant sees its advance invoice under Bijdragen and opens it', async () => {
    const page = await as('pap-finance');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Bijdragen' }).click(),
    ]);
    const invoice = page.locator('#contribution-invoices a');
    await expect(invoice.count()).resolves.toBe(1);
    await expect(page.locator(`a[href="/facturen/${P}-${YEAR}-A1-ZWN"]`).count()).resolves.toBe(0);
    await screenshot(page, 'c05-contributions-participant');
    await Promise.all([page.waitForNavigation(), invoice.click()]);
    expect(new URL(page.url()).pathname).toBe(`/facturen/${P}-${YEAR}-A1-PAP`);
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Factuur /);
  });
});
