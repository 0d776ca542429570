/// <reference lib="dom" />
// Running the region in a real browser: bank statements imported and confirmed by provider
// finance, users and roles managed by an organisation's administrator (each refused to others).
import type { Browser, Page } from 'playwright-core';
import { invoiceRunWorkflowId } from '../../contracts';
import { formatEuro } from '../../domain/money';
import { camt053 } from '../support/camt';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { checkHeadingsAndLabels, launchBrowser, screenshot, signIn, type Session } from '../support/browser';
import { requestUpTo, storyTokens, waitFor, type StoryTokens } from '../support/story';

jest.setTimeout(120_000);

let env: TestEnv;
let browser: Browser;
let t: StoryTokens;
const sessions: Record<string, Session> = {};
let invoice: { id: string; number: string; grossCents: number };

async function as(userId: string): Promise<Page> {
  sessions[userId] ??= await signIn(browser, env.baseUrl, userId);
  return sessions[userId].page;
}
const click = (page: Page, name: string) =>
  Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);

beforeAll(async () => {
  env = await createTestEnv();
  browser = await launchBrowser();
  t = await storyTokens(env);
  const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Bankkoppeling' });
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester });
  const period = todayInNL().slice(0, 7);
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  const inv = (await env.models.Invoice.findById(run.invoiceIds[0]).lean())!;
  invoice = { id: inv._id, number: inv.number!, grossCents: inv.grossCents };
});
afterAll(async () => {
  const problems = Object.entries(sessions).flatMap(([u, s]) => s.problems.map((p) => `${u}: ${p}`));
  await browser?.close();
  await env?.close();
  expect(problems).toEqual([]);
});

describe('bank statements', () => {
  test('provider finance uploads a CAMT.053 file, reads the proposal and confirms it; the invoice is paid', async () => {
    const page = await as('dor-finance');
    await page.getByRole('link', { name: 'Bankafschriften' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Bankafschriften');
    // A wrong file first: a Dutch message, nothing stored.
    await page
      .locator('#bestanden')
      .setInputFiles({ name: 'export.xml', mimeType: 'text/xml', buffer: Buffer.from('<html>geen afschrift</html>') });
    await click(page, 'Afschrift inlezen');
    await expect(page.locator('#bestanden-error').innerText()).resolves.toContain('Dit is geen bankafschrift in CAMT.053-formaat');

    const euros = (invoice.grossCents / 100).toFixed(2);
    const xml = camt053({
      statementId: 'RABO-2026-334',
      entries: [
        { amount: euros, txs: [{ amount: euros, remittance: `Factuur ${invoice.number}` }] },
        { amount: '25.00', txs: [{ amount: '25.00', remittance: 'Onbekende storting', debtor: 'J. Jansen' }] },
      ],
    });
    await page.locator('#bestanden').setInputFiles({ name: 'RABO-2026-334.xml', mimeType: 'text/xml', buffer: Buffer.from(xml) });
    await click(page, 'Afschrift inlezen');
    await expect(page.locator('h1').innerText()).resolves.toBe('Bankafschrift RABO-2026-334');
    const rows = await page.locator('#bank-lines tbody tr').allInnerTexts();
    expect(rows[0]).toContain('Past precies');
    expect(rows[0]).toContain(invoice.number);
    expect(rows[1]).toContain('Niet te koppelen');
    const { unlabeled } = await checkHeadingsAndLabels(page);
    expect(unlabeled).toEqual([]);
    await screenshot(page, 'admin-bank-statement-proposal');
    await click(page, 'Aangevinkte betalingen registreren');
    await expect(page.locator('[role=status]').first().innerText()).resolves.toContain('1 betaling is geregistreerd');
    await expect(page.locator('#bank-lines tbody tr').first().innerText()).resolves.toContain('Geregistreerd');
    const state = await env.api('GET', `/api/invoices/${invoice.id}`, { token: t.finance });
    expect(state.body.status).toBe('paid');
  });

  test('a requester has no menu item and gets a Dutch refusal on the page', async () => {
    const page = await as('zwn-requester');
    await expect(page.getByRole('link', { name: 'Bankafschriften' }).count()).resolves.toBe(0);
    const res = await page.goto('/bankafschriften');
    expect(res!.status()).toBe(403);
    await expect(page.locator('main').innerText()).resolves.toContain('Hiervoor heeft u de rol');
  });
});

describe('users and roles', () => {
  test('the administrator invites a colleague and changes a role; a refusal reads in Dutch', async () => {
    const page = await as('dor-beheer');
    await page.getByRole('link', { name: 'Gebruikers' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Gebruikers van Gemeente Dordrecht');
    await page.fill('#invite-email', 'nieuwe.collega@dordrecht.nl');
    await page.locator('input[name="roles"][value="requester"]').last().check();
    await click(page, 'Uitnodiging sturen');
    await expect(page.locator('[role=status]').first().innerText()).resolves.toContain(
      'Er is een uitnodiging gestuurd naar nieuwe.collega@dordrecht.nl.',
    );
    await expect(page.locator('#invitations').innerText()).resolves.toContain('nieuwe.collega@dordrecht.nl');
    // Removing the own (last) administrator role is refused.
    const own = page.locator('#members tr[data-user="dor-beheer"]');
    await own.locator('input[value="org_admin"]').uncheck();
    await Promise.all([page.waitForNavigation(), own.getByRole('button', { name: /Rollen opslaan/ }).click()]);
    await expect(page.locator('#members tr[data-user="dor-beheer"]').innerText()).resolves.toContain(
      'Dit kan niet: dan heeft Gemeente Dordrecht geen beheerder meer.',
    );
    const { unlabeled } = await checkHeadingsAndLabels(page);
    expect(unlabeled).toEqual([]);
    await screenshot(page, 'admin-users');
  });

  test('a coordinator has no users page', async () => {
    const page = await as('dor-coordinator');
    await expect(page.getByRole('link', { name: 'Gebruikers' }).count()).resolves.toBe(0);
    const res = await page.goto('/beheer/gebruikers');
    expect(res!.status()).toBe(403);
  });
});

describe('catalogue, agreements and service transfers', () => {
  test('the region administrator opens the catalogue, an agreement with its use, and previews a transfer', async () => {
    const page = await as('region-admin');
    await page.getByRole('link', { name: 'Catalogus en DVO’s' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Catalogus en DVO’s');
    await Promise.all([page.waitForNavigation(), page.locator('#agreements a', { hasText: 'DVO-ZWN-DOR-LEERPLICHT' }).click()]);
    await expect(page.locator('h1').innerText()).resolves.toBe('DVO DVO-ZWN-DOR-LEERPLICHT');
    await expect(page.locator('#usage').innerText()).resolves.toContain(todayInNL().slice(0, 7));
    // A wrong end date: the Dutch message on the form, the input kept.
    await page.fill('#dvo-to', '2000-01-01');
    await click(page, 'Opslaan');
    await expect(page.locator('.field-error').first().innerText()).resolves.toContain('De einddatum ligt vóór de begindatum');
    const { unlabeled } = await checkHeadingsAndLabels(page);
    expect(unlabeled).toEqual([]);
    await screenshot(page, 'admin-agreement');
    await page.goto('/beheer/overdracht');
    await page.selectOption('#dienst', 'DOR-LEERPLICHT');
    const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
    await page.fill('#datum', tomorrow);
    await click(page, 'Bekijk wat er overgaat');
    await expect(page.locator('#moving-agreements').innerText()).resolves.toContain('Gemeente Zwijndrecht');
    await screenshot(page, 'admin-transfer-preview');
  });

  test('a coordinator reaches neither the catalogue nor the transfer pages', async () => {
    const page = await as('dor-coordinator');
    await expect(page.getByRole('link', { name: 'Catalogus en DVO’s' }).count()).resolves.toBe(0);
    expect((await page.goto('/beheer/catalogus'))!.status()).toBe(403);
    expect((await page.goto('/beheer/overdracht'))!.status()).toBe(403);
  });
});

describe('regional steering', () => {
  beforeAll(async () => {
    const year = Number(todayInNL().slice(0, 4));
    await seedContributions(env, [year], { tag: 'ADMIN' });
    const advance = await env.api('POST', '/api/contributions/products/DBC-LP-ADMIN-BASIS/advances', {
      token: await env.token('dbc-finance'),
      body: { year },
    });
    await env.client.workflow.getHandle(advance.body.workflowId).result();
  });

  test('the steering group lands on the overview: figures per municipality as the API has them, charts with tables, CSV', async () => {
    const page = await as('regio-sturing');
    await page.goto('/');
    await expect(page.locator('h1').innerText()).resolves.toBe('Regionale sturing');
    const api = (await env.api('GET', '/api/steering', { token: await env.token('regio-sturing') })).body;
    const zwn = api.perMunicipality.find((r: { org: string }) => r.org === 'ZWN');
    expect(zwn.hoursCents).toBeGreaterThan(0);
    expect(zwn.contributionCents).toBeGreaterThan(0);
    const row = await page.locator('#per-municipality tr[data-org="ZWN"]').innerText();
    expect(row).toContain(formatEuro(zwn.hoursCents));
    expect(row).toContain(formatEuro(zwn.contributionCents));
    expect(row).toContain(formatEuro(zwn.totalCents));
    await expect(page.locator('#per-municipality tfoot').innerText()).resolves.toContain(formatEuro(api.totals.totalCents));
    await expect(page.locator('svg[role=img]').count()).resolves.toBeGreaterThanOrEqual(5);
    await expect(page.locator('main').innerText()).resolves.not.toContain('Bankkoppeling');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-gemeenten').click()]);
    expect(download.suggestedFilename()).toMatch(/^sturing-gemeenten-\d{4}-Q[1-4]\.csv$/);
    const { unlabeled } = await checkHeadingsAndLabels(page);
    expect(unlabeled).toEqual([]);
    await screenshot(page, 'admin-steering');
  });

  test('a coordinator of a municipality has no steering: no menu item, a Dutch refusal', async () => {
    const page = await as('dor-coordinator');
    await expect(page.getByRole('link', { name: 'Regionale sturing' }).count()).resolves.toBe(0);
    const res = await page.goto('/sturing');
    expect(res!.status()).toBe(403);
    await expect(page.locator('main').innerText()).resolves.toContain('Hiervoor heeft u de rol regionale sturing nodig');
  });
});

describe('netting round', () => {
  beforeAll(async () => {
    const id = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Verrekening' });
    await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester });
    const period = todayInNL().slice(0, 7);
    await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
    await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  });

  test('finance proposes a round on the balances page; both parties agree; the invoices are settled', async () => {
    const dor = await as('dor-finance');
    await dor.goto('/saldi');
    await click(dor, 'Verrekenronde voorstellen');
    await expect(dor.locator('h1').innerText()).resolves.toMatch(/^Verrekenronde net-[0-9a-f]{16}$/);
    const roundId = (await dor.locator('h1').innerText()).replace('Verrekenronde ', '');
    const parties = (await env.api('GET', `/api/netting-rounds/${roundId}`, { token: t.finance })).body.parties.map(
      (p: { org: string }) => p.org,
    );
    expect(parties).toEqual(expect.arrayContaining(['DOR', 'ZWN']));
    await expect(dor.locator('[role=status]').first().innerText()).resolves.toContain(
      `Alle ${parties.length} partijen moeten nu instemmen`,
    );
    await click(dor, 'Instemmen met deze ronde');
    await expect(dor.locator('[role=status]').first().innerText()).resolves.toContain(
      `Nog ${parties.length - 1} van de ${parties.length} partijen moeten instemmen`,
    );
    const url = dor.url();
    // The other parties (the shared centre's advance made every municipality one) agree by the API.
    for (const org of parties.filter((p: string) => !['DOR', 'ZWN'].includes(p))) {
      const agreed = await env.api('POST', `/api/netting-rounds/${roundId}/agree`, {
        token: await env.token(`${org.toLowerCase()}-finance`),
      });
      expect(agreed.status).toBe(200);
    }
    const zwn = await as('zwn-finance');
    await zwn.goto(url);
    // A rejection needs a reason: the Dutch message on the field.
    await click(zwn, 'Afwijzen');
    await expect(zwn.locator('#reden-error').innerText()).resolves.toMatch(/\S/);
    await click(zwn, 'Instemmen met deze ronde');
    await expect(zwn.locator('[role=status]').first().innerText()).resolves.toContain('Alle partijen hebben nu ingestemd');
    await waitFor(
      'the round settled',
      async () => {
        await zwn.reload();
        return zwn.locator('#netting-status').innerText();
      },
      (status) => status === 'verrekend',
    );
    await expect(zwn.locator('#netting-invoices tbody').innerText()).resolves.toContain('Ja');
    const { unlabeled } = await checkHeadingsAndLabels(zwn);
    expect(unlabeled).toEqual([]);
    await screenshot(zwn, 'admin-netting-round');
  });

  test('a requester may not open a round: a Dutch refusal', async () => {
    const round = (await env.models.NettingRound.findOne().lean())!;
    const requester = await as('zwn-requester');
    expect((await requester.goto(`/saldi/verrekenronde/${round._id}`))!.status()).toBe(403);
    await expect(requester.locator('main').innerText()).resolves.toContain('Hiervoor heeft u de rol');
  });
});
