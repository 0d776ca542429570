/// <reference lib="dom" />
// The whole story clicked through in a real browser (Debian's chromium via playwright-core),
// against the real system: Temporal dev server, FerretDB, worker and the web pages.
import type { Browser, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../support/env';
import { launchBrowser, screenshot as saveScreenshot, signIn, type Session } from '../support/browser';
import { currentPeriod } from '../support/story';

jest.setTimeout(120_000);

let env: TestEnv;
let browser: Browser;
const sessions: Record<string, Session> = {};
let requestId = '';
let invoiceUrl = '';
const TITLE = 'Verzuimanalyse voortgezet onderwijs 2026';

/** One signed-in browser context per demo user, reused across the steps. */
async function as(userId: string): Promise<Page> {
  sessions[userId] ??= await signIn(browser, env.baseUrl, userId);
  return sessions[userId].page;
}

async function submitAndWait(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button, exact: true }).click()]);
}

/**
 * A key page: saved as a screenshot, and checked for WCAG basics that hold on every page:
 * one h1, headings that never skip a level, a label for every form control.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (els) => els.map((e) => Number(e.tagName.slice(1))));
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  expect(levels[0]).toBe(1);
  levels.forEach((l, i) => i > 0 && expect(l - levels[i - 1]!).toBeLessThanOrEqual(1));
  const unlabeled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
  );
  expect(unlabeled).toEqual([]);
}

const statusOf = (page: Page) => page.locator('#request-status').innerText();

/** Opens what waits for this person from Actie nodig: the row of that kind about that subject. */
async function fromWorklist(page: Page, kind: string, subject: string | RegExp): Promise<void> {
  await page.goto('/actie-nodig');
  const row = page.locator('#worklist tbody tr', { hasText: kind }).filter({ hasText: subject });
  await expect(row.count()).resolves.toBe(1);
  await Promise.all([page.waitForNavigation(), row.getByRole('link').click()]);
}

beforeAll(async () => {
  env = await createTestEnv();
  browser = await launchBrowser();
});
afterAll(async () => {
  // Pages may only load their own scripts and styles: a CSP violation or script error shows here.
  const problems = Object.entries(sessions).flatMap(([u, s]) => s.problems.map((p) => `${u}: ${p}`));
  await browser?.close();
  await env?.close();
  expect(problems).toEqual([]);
});

describe('the story in the browser', () => {
  test('1. a requester submits a request; the form explains mistakes in Dutch and keeps what was typed', async () => {
    const page = await as('zwn-requester');
    // Everyone lands on what waits for them.
    expect(new URL(page.url()).pathname).toBe('/actie-nodig');
    await page.getByRole('link', { name: 'Nieuwe aanvraag' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Nieuwe aanvraag');
    // The picker offers only services under an active agreement of ZWN: Dordrecht's, not ZWN's own.
    const services = await page.locator('#serviceId option').allInnerTexts();
    expect(services.join('|')).toContain('Leerplichtadministratie — Gemeente Dordrecht');
    expect(services.join('|')).not.toContain('Advies ICT-beleid');

    await page.fill('#description', 'Analyse van het verzuim per school, met aanbevelingen.');
    await submitAndWait(page, 'Aanvraag indienen');
    await expect(page.locator('#title-error').innerText()).resolves.toBe('Geef de aanvraag een titel.');
    await expect(page.locator('#serviceId-error').innerText()).resolves.toContain('Kies een dienst');
    await expect(page.inputValue('#description')).resolves.toBe('Analyse van het verzuim per school, met aanbevelingen.');
    await expect(page.getAttribute('#title', 'aria-invalid')).resolves.toBe('true');
    await screenshot(page, '01-new-request-errors');

    await page.selectOption('#serviceId', 'DOR-LEERPLICHT');
    await page.fill('#title', TITLE);
    await submitAndWait(page, 'Aanvraag indienen');
    requestId = /\/aanvragen\/([0-9A-Z]{26})$/.exec(page.url())![1]!;
    await expect(statusOf(page)).resolves.toBe('Ingediend');
    await expect(page.getByRole('status').innerText()).resolves.toContain('Uw aanvraag is ingediend.');
    await screenshot(page, '02-request-submitted');
  });

  test('2. the coordinator accepts the intake with a quote, the requester approves it, the coordinator assigns', async () => {
    const coordinator = await as('dor-coordinator');
    expect(new URL(coordinator.url()).pathname).toBe('/actie-nodig');
    await coordinator.reload();
    await expect(coordinator.locator('nav .nav-count').first().innerText()).resolves.toMatch(/^\([1-9]/);
    await screenshot(coordinator, '00-worklist');
    await fromWorklist(coordinator, 'Intake afhandelen', TITLE);
    await coordinator.fill('#intake-hours', 'tien');
    await submitAndWait(coordinator, 'Intake accepteren');
    await expect(coordinator.locator('#intake-hours-error').innerText()).resolves.toContain('Vul een aantal uren in');
    await coordinator.fill('#intake-hours', '10');
    await submitAndWait(coordinator, 'Intake accepteren');
    await expect(statusOf(coordinator)).resolves.toBe('Offerte uitgebracht');

    const requester = await as('zwn-requester');
    await requester.goto('/aanvragen');
    await expect(requester.locator('table').innerText()).resolves.toContain('Offerte uitgebracht');
    await screenshot(requester, '03-my-requests');
    await fromWorklist(requester, 'Offerte beoordelen', TITLE);
    await expect(requester.locator('#h-quote + p').innerText()).resolves.toContain('10 uur');
    await submitAndWait(requester, 'Offerte goedkeuren');
    await expect(statusOf(requester)).resolves.toBe('Wacht op toewijzing');

    await coordinator.goto('/intake');
    await expect(coordinator.locator('main').innerText()).resolves.toContain('Wacht op toewijzing');
    await fromWorklist(coordinator, 'Medewerker toewijzen', TITLE);
    // Ranked suggestions: staff with the skill first, fewest open hours next.
    const options = await coordinator.locator('#assignee option').allInnerTexts();
    expect(options[0]).toContain('heeft de vaardigheid');
    await coordinator.selectOption('#assignee', 'dor-staff');
    await screenshot(coordinator, '04-assign');
    await submitAndWait(coordinator, 'Toewijzen');
    await expect(statusOf(coordinator)).resolves.toBe('In uitvoering');
  });

  test('3. staff register hours in the week view and submit the result for review', async () => {
    const staff = await as('dor-staff');
    await fromWorklist(staff, 'Uitvoeren en resultaat opleveren', TITLE);
    await staff.goto('/taken');
    await expect(staff.locator('main').innerText()).resolves.toContain(TITLE);
    await staff.goto('/uren');
    await staff.selectOption('#requestId', requestId);
    await staff.fill('#hours', 'veel');
    await staff.fill('#description', 'Dossieronderzoek verzuimmeldingen');
    await submitAndWait(staff, 'Uren registreren');
    await expect(staff.locator('#hours-error').innerText()).resolves.toContain('Vul een aantal uren in');
    await expect(staff.inputValue('#description')).resolves.toBe('Dossieronderzoek verzuimmeldingen');
    await staff.fill('#hours', '1:35');
    await submitAndWait(staff, 'Uren registreren');
    await staff.selectOption('#requestId', requestId);
    await staff.fill('#hours', '2,2');
    await staff.fill('#description', 'Analyse en rapportage');
    await submitAndWait(staff, 'Uren registreren');
    // 95 + 132 minutes = 3,78 hours in the week total; billed with the up6 rule as 96 + 132 = 228 minutes: € 356,25
    await expect(staff.locator('table.week tfoot').innerText()).resolves.toContain('3,78');
    await screenshot(staff, '05-hours-week');

    await staff.goto(`/aanvragen/${requestId}`);
    // Names, not user ids: the assignee and the person on each time entry.
    await expect(staff.locator('main table').innerText()).resolves.toContain('Joris van Dijk');
    await expect(staff.locator('svg[role="img"] title').first().textContent()).resolves.toContain('Burn-down');
    await staff.fill('#result-reference', 'DMS-2026-0042');
    await submitAndWait(staff, 'Aanbieden ter toetsing');
    await expect(statusOf(staff)).resolves.toBe('Interne toets');
  });

  test('4. a reviewer who did not register hours approves (four eyes)', async () => {
    const reviewer = await as('dor-reviewer');
    await fromWorklist(reviewer, 'Resultaat toetsen', TITLE);
    await screenshot(reviewer, '06-review');
    await submitAndWait(reviewer, 'Goedkeuren');
    await expect(statusOf(reviewer)).resolves.toBe('Wacht op acceptatie');
  });

  test('5. the requester accepts the result', async () => {
    const requester = await as('zwn-requester');
    await fromWorklist(requester, 'Resultaat accepteren', TITLE);
    await submitAndWait(requester, 'Resultaat accepteren');
    await expect(statusOf(requester)).resolves.toBe('Afgerond');
    await requester.goto('/actie-nodig');
    await expect(requester.locator('main').innerText()).resolves.not.toContain(TITLE);
  });

  test('6. provider finance runs invoicing and watches the progress live', async () => {
    const finance = await as('dor-finance');
    await finance.goto('/factuurrun');
    await expect(finance.inputValue('#period')).resolves.toBe(currentPeriod());
    await submitAndWait(finance, 'Factuurrun starten');
    expect(new URL(finance.url()).pathname).toBe(`/factuurrun/${currentPeriod()}`);
    // The page polls the run's progress query until it is done, then lists the invoice.
    await finance.locator('#run-status', { hasText: 'Klaar' }).waitFor({ timeout: 60_000 });
    const link = finance.locator('#run-invoice-list a').first();
    await link.waitFor();
    await expect(finance.locator('#run-invoice-list').innerText()).resolves.toContain('Gemeente Zwijndrecht — € 356,25');
    await screenshot(finance, '07-invoice-run');
    // The run may finish before the page is drawn: show the script a page that is behind, and
    // it must catch up from the progress endpoint by itself.
    await finance.evaluate(() => {
      document.getElementById('run-progress')!.setAttribute('data-done', 'false');
      document.getElementById('run-invoices')!.textContent = '?';
      document.getElementById('run-invoice-list')!.textContent = '';
    });
    await finance.addScriptTag({ url: '/static/invoice-run.js' });
    await finance.locator('#run-invoices', { hasText: '1' }).waitFor({ timeout: 10_000 });
    await finance.locator('#run-invoice-list a').first().waitFor({ timeout: 10_000 });
    await link.click();
    invoiceUrl = new URL(finance.url()).pathname;
    await expect(finance.locator('h1').innerText()).resolves.toMatch(/^Factuur DOR-\d{4}-\d{5}$/);
    await expect(finance.locator('#regel-1').innerText()).resolves.toContain('€ 356,25');
    const pdf = await finance.request.get(`${invoiceUrl}/document.pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const ubl = await finance.request.get(`${invoiceUrl}/ubl.xml`);
    expect(await ubl.text()).toContain('<cbc:PayableAmount currencyID="EUR">356.25</cbc:PayableAmount>');
    const html = await finance.request.get(`${invoiceUrl}/document.html`);
    expect(await html.text()).toContain('€ 356,25');
  });

  test('7. buyer finance reconciles the invoice and disputes the line', async () => {
    const buyer = await as('zwn-finance');
    await buyer.goto('/facturen');
    await expect(buyer.locator('main').innerText()).resolves.toContain('Inkomende facturen');
    await fromWorklist(buyer, 'Factuurregels controleren', /Factuur DOR-/);
    expect(new URL(buyer.url()).pathname).toBe(invoiceUrl);
    await expect(buyer.locator('#regel-1').innerText()).resolves.toContain('Past binnen budget');
    // The line explains its hours and opens the entries it billed.
    await expect(buyer.locator('#regel-1 .rounding').innerText()).resolves.toBe(
      'Uren afgerond per registratie op 6 minuten: 3,78 → 3,8 uur',
    );
    await buyer.getByText('Urenregistraties van regel 1 (2)').click();
    await expect(buyer.locator('#registraties-1 table').innerText()).resolves.toContain('Dossieronderzoek verzuimmeldingen');
    await screenshot(buyer, '07-invoice-entries');
    await submitAndWait(buyer, 'Regel 1 betwisten');
    await expect(buyer.locator('#dispute-reason-1-error').innerText()).resolves.toContain('Geef een reden op.');
    await buyer.fill('#dispute-reason-1', 'Twee uur analyse was niet afgesproken');
    await submitAndWait(buyer, 'Regel 1 betwisten');
    await expect(buyer.locator('#regel-1 .line-status').innerText()).resolves.toContain('Betwist');
    await screenshot(buyer, '08-invoice-disputed');
  });

  test('8. provider finance credits part of the disputed line', async () => {
    const finance = await as('dor-finance');
    await fromWorklist(finance, 'Betwisting afhandelen', /Factuur DOR-/);
    // Nothing is filled in for the provider: the whole line is not the default credit.
    await expect(finance.locator('#credit-1').inputValue()).resolves.toBe('');
    await finance.fill('#credit-1', '100,00');
    // Crediting asks for a confirmation first.
    await submitAndWait(finance, 'Crediteren');
    await expect(finance.locator('main').innerText()).resolves.toContain('Bevestig dat u dit bedrag wilt crediteren');
    await finance.fill('#credit-1', '100,00');
    await finance.check('input[name="confirm"]');
    await submitAndWait(finance, 'Crediteren');
    await expect(finance.locator('#regel-1 .line-status').innerText()).resolves.toContain('Gecrediteerd: € 100,00');
    await expect(finance.locator('#outstanding').innerText()).resolves.toBe('€ 256,25');
    await expect(finance.locator('main').innerText()).resolves.toMatch(/Creditnota's\s+DOR-\d{4}-\d{5} — € 100,00/);
  });

  test('9. buyer finance registers the payment; the invoice is paid and the balance is zero', async () => {
    const buyer = await as('zwn-finance');
    await fromWorklist(buyer, 'Betaling registreren', /Factuur DOR-/);
    await expect(buyer.inputValue('#payment-amount')).resolves.toBe('256,25');
    await submitAndWait(buyer, 'Betaling registreren');
    await expect(buyer.locator('#invoice-status').innerText()).resolves.toBe('Betaald');
    await expect(buyer.locator('#outstanding').innerText()).resolves.toBe('€ 0,00');
    await screenshot(buyer, '09-invoice-paid');
    await buyer.goto('/saldi');
    await expect(buyer.locator('main').innerText()).resolves.toContain('€ 356,25');
    await screenshot(buyer, '10-balances');
  });

  test('dashboards show server-rendered charts with text alternatives', async () => {
    const coordinator = await as('dor-coordinator');
    await coordinator.goto('/dashboard');
    const titles = await coordinator.locator('svg[role="img"] > title').allTextContents();
    expect(titles).toEqual(['Uren tegen budget per opdracht', 'Uren per gemeente per maand', 'SLA-naleving per maand van indienen']);
    await expect(coordinator.locator('main').textContent()).resolves.toContain('Gemeente Zwijndrecht');
    await coordinator.goto('/werkvoorraad');
    await expect(coordinator.locator('tbody').innerText()).resolves.toMatch(/Joris van Dijk/);
    await screenshot(coordinator, '11-workload');
    const finance = await as('dor-finance');
    await finance.goto('/dashboard');
    await expect(finance.locator('svg[role="img"] > title').allTextContents()).resolves.toContain('Openstaande saldi tussen gemeenten');
    await screenshot(finance, '12-dashboard-finance');
  });

  test("another municipality's user gets a Dutch 'niet gevonden' page for the request", async () => {
    const other = await signIn(browser, env.baseUrl, 'pap-requester');
    sessions['pap-requester'] = other;
    const res = await other.page.goto(`/aanvragen/${requestId}`);
    expect(res!.status()).toBe(404);
    await expect(other.page.locator('h1').innerText()).resolves.toBe('Niet gevonden');
    await expect(other.page.locator('main').innerText()).resolves.not.toContain(TITLE);
    const invoice = await other.page.goto(invoiceUrl);
    expect(invoice!.status()).toBe(404);
    await screenshot(other.page, '13-not-found');
    // the 404 is logged as a console error by the browser; it is expected here
    other.problems.length = 0;
  });
});

describe('keyboard only', () => {
  /** Presses Tab until the element with this id has focus; fails when it is not reachable. */
  async function tabTo(page: Page, id: string): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    }
    throw new Error(`#${id} cannot be reached with the Tab key`);
  }

  test('a request can be submitted with the keyboard alone, on a tablet-sized screen', async () => {
    const s = await signIn(browser, env.baseUrl, 'zwn-requester', { width: 820, height: 1180 });
    sessions['zwn-requester-keyboard'] = s;
    const page = s.page;
    await page.goto('/aanvragen/nieuw');
    // The first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Naar de inhoud');
    await page.keyboard.press('Enter');
    await tabTo(page, 'serviceId');
    await page.keyboard.press('ArrowDown');
    await expect(page.inputValue('#serviceId')).resolves.toBe('DOR-LEERPLICHT');
    await tabTo(page, 'title');
    await page.keyboard.type('Toetsenbordaanvraag');
    await tabTo(page, 'description');
    await page.keyboard.type('Alleen met het toetsenbord ingevuld.');
    await page.keyboard.press('Tab'); // the radio group: one-off is checked
    await expect(page.evaluate(() => (document.activeElement as HTMLInputElement).value)).resolves.toBe('one_off');
    await page.keyboard.press('Tab'); // the attachments (optional)
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('bestanden');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Aanvraag indienen');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await expect(page.locator('#request-status').innerText()).resolves.toBe('Ingediend');
    await expect(page.locator('h1').innerText()).resolves.toBe('Toetsenbordaanvraag');
    // Every form control on the request form has a label.
    await page.goto('/aanvragen/nieuw');
    const unlabeled = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(
          (el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'),
        ).length,
    );
    expect(unlabeled).toBe(0);
    await screenshot(page, '14-new-request-tablet');
  });
});
