/// <reference lib="dom" />
// Daily work in a real browser, for the group each part serves: what waits for each role
// (Actie nodig), notifications, search with the filter in the URL, money on a quote, the
// timeline with comments and an internal note, and attachments: a file too big, a file of a
// forbidden kind, a good one, and another municipality that cannot download it.
import type { Browser, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../support/env';
import { checkHeadingsAndLabels, launchBrowser, screenshot, signIn, type Session } from '../support/browser';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';

jest.setTimeout(120_000);

let env: TestEnv;
let browser: Browser;
let t: StoryTokens;
const sessions: Record<string, Session> = {};
const ids: Record<string, string> = {};

async function as(userId: string): Promise<Page> {
  sessions[userId] ??= await signIn(browser, env.baseUrl, userId);
  return sessions[userId].page;
}
const click = (page: Page, name: string) =>
  Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
const worklist = async (page: Page) => {
  await page.goto('/actie-nodig');
  return page.locator('#worklist tbody tr').allInnerTexts();
};

beforeAll(async () => {
  env = await createTestEnv();
  browser = await launchBrowser();
  t = await storyTokens(env);
  // One request at each point where somebody must act.
  ids.submitted = await requestUpTo(env, t, 'submitted', { title: 'Intake: schoolverzuim Zwijndrecht' });
  ids.quoted = await requestUpTo(env, t, 'quoted', { title: 'Offerte: thuiszitters 2026', estimateMinutes: 750 });
  ids.accepted = await requestUpTo(env, t, 'accepted', { title: 'Toewijzen: vrijstellingen' });
  ids.review = await requestUpTo(env, t, 'in_review', { title: 'Toetsen: RMC-rapportage' });
  ids.acceptance = await requestUpTo(env, t, 'awaiting_acceptance', { title: 'Accepteren: leerlingenvervoer' });
});
afterAll(async () => {
  const problems = Object.entries(sessions).flatMap(([u, s]) => s.problems.map((p) => `${u}: ${p}`));
  await browser?.close();
  await env?.close();
  expect(problems).toEqual([]);
});

test('each role lands on what waits for it, and the menu counts it', async () => {
  const expected: Record<string, [string, string][]> = {
    'zwn-requester': [
      ['Offerte beoordelen', 'Offerte: thuiszitters 2026'],
      ['Resultaat accepteren', 'Accepteren: leerlingenvervoer'],
    ],
    'dor-coordinator': [
      ['Intake afhandelen', 'Intake: schoolverzuim Zwijndrecht'],
      ['Medewerker toewijzen', 'Toewijzen: vrijstellingen'],
    ],
    'dor-reviewer': [['Resultaat toetsen (vier ogen)', 'Toetsen: RMC-rapportage']],
  };
  for (const [user, items] of Object.entries(expected)) {
    const page = await as(user);
    expect(new URL(page.url()).pathname).toBe('/actie-nodig');
    const rows = await worklist(page);
    for (const [kind, title] of items) expect(rows.filter((r) => r.includes(kind) && r.includes(title))).toHaveLength(1);
    // Nobody sees another role's work.
    expect(rows).toHaveLength(items.length);
    const menu = await page.locator('nav a[href="/actie-nodig"]').innerText();
    expect(menu).toContain(String(items.length));
  }
  await screenshot(await as('dor-coordinator'), 'daily-worklist-coordinator');
});

test('the requester sees the quote in euros, and the mail about it as an unread notification', async () => {
  const page = await as('zwn-requester');
  await page.goto(`/aanvragen/${ids.quoted}`);
  // 12,5 hours × the agreement's rate, to the cent: the figure the API gives.
  const api = await env.api('GET', `/api/requests/${ids.quoted}`, { token: t.requester });
  const cents = api.body.money.estimate.amountCents as number;
  expect(cents).toBe(Math.round(12.5 * api.body.money.estimate.rateCentsPerHour));
  const euros = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }).format(cents / 100);
  const text = (await page.locator('#quote-text').innerText()).replace(/\s+/g, ' ');
  expect(text).toContain(`= ${euros.replace(/\s+/g, ' ')} excl. btw`);
  expect(text).toContain('12,5 uur ×');

  await page.goto('/meldingen');
  const row = page.locator('#notifications tbody tr.unread', { hasText: 'Offerte: thuiszitters 2026' }).first();
  await expect(row.count()).resolves.toBe(1);
  const before = await page.locator('#notifications tbody tr.unread').count();
  await Promise.all([page.waitForNavigation(), row.getByRole('button').click()]);
  await expect(page.locator('#notifications tbody tr.unread').count()).resolves.toBe(before - 1);
});

test('a search narrows the list, lives in the URL, and the CSV follows it', async () => {
  const page = await as('dor-coordinator');
  await page.goto('/opdrachten');
  await page.fill('#zoek', 'thuiszitters');
  await click(page, 'Zoeken');
  expect(new URL(page.url()).searchParams.get('zoek')).toBe('thuiszitters');
  const rows = await page.locator('table tbody tr').allInnerTexts();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toContain('Offerte: thuiszitters 2026');
  // The bookmarked URL opens the same list.
  const again = await sessions['dor-coordinator']!.context.newPage();
  await again.goto(page.url());
  await expect(again.locator('table tbody tr').count()).resolves.toBe(1);
  await again.close();
  const csvHref = await page.getByRole('link', { name: /CSV/ }).getAttribute('href');
  expect(csvHref).toContain('zoek=thuiszitters');
});

test('both sides comment on the timeline; the internal note stays with the provider', async () => {
  const coordinator = await as('dor-coordinator');
  await coordinator.goto(`/aanvragen/${ids.quoted}`);
  await coordinator.fill('#comment-text', 'Intern: eerst met @Joris afstemmen.');
  await coordinator.check('input[name="internal"]');
  await click(coordinator, 'Reactie plaatsen');
  await coordinator.fill('#comment-text', 'We kunnen in week 50 beginnen.');
  await click(coordinator, 'Reactie plaatsen');
  const own = await coordinator.locator('#timeline').innerText();
  expect(own).toContain('Interne notitie van Fatima El Amrani');
  expect(own).toContain('We kunnen in week 50 beginnen.');

  const requester = await as('zwn-requester');
  await requester.goto(`/aanvragen/${ids.quoted}`);
  const theirs = await requester.locator('#timeline').innerText();
  expect(theirs).toContain('We kunnen in week 50 beginnen.');
  expect(theirs).not.toContain('eerst met');
  await expect(requester.locator('input[name="internal"]').count()).resolves.toBe(0);
  await screenshot(requester, 'daily-timeline-requester');

  // @Joris got it in the app.
  const staff = await as('dor-staff');
  await staff.goto('/meldingen');
  await expect(staff.locator('#notifications', { hasText: 'U bent genoemd: Offerte: thuiszitters 2026' }).count()).resolves.toBe(1);
});

describe('attachments', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

  test('a file too big and a program named .pdf are refused in Dutch on the form; a PDF is added', async () => {
    const page = await as('zwn-requester');
    await page.goto(`/aanvragen/${ids.acceptance}`);
    const input = page.locator('#attach-files');
    await input.setInputFiles({
      name: 'scan.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([pdf, Buffer.alloc(21 * 1024 * 1024)]),
    });
    await click(page, 'Toevoegen');
    await expect(page.locator('#attach-files-error').innerText()).resolves.toBe(
      'Het bestand is te groot: een bijlage mag hoogstens 20 MB zijn. Er is niets opgeslagen.',
    );
    await page
      .locator('#attach-files')
      .setInputFiles({ name: 'offerte.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00program') });
    await click(page, 'Toevoegen');
    await expect(page.locator('#attach-files-error').innerText()).resolves.toContain('offerte.pdf is geen toegestaan bestand');
    await expect(page.locator('#bijlagen + p, #bijlagen ~ p').first().innerText()).resolves.toBe('Er zijn nog geen bijlagen.');
    const { levels, unlabeled } = await checkHeadingsAndLabels(page);
    expect(unlabeled).toEqual([]);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);

    await page.locator('#attach-files').setInputFiles({ name: 'Ondertekend advies.pdf', mimeType: 'application/pdf', buffer: pdf });
    await click(page, 'Toevoegen');
    await expect(page.locator('.utrecht-alert, [role=status]').first().innerText()).resolves.toContain(
      'Ondertekend advies.pdf is toegevoegd.',
    );
    const link = page.getByRole('link', { name: 'Ondertekend advies.pdf' }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('Ondertekend advies.pdf');
    await screenshot(page, 'daily-attachments');
  });

  test('another municipality cannot download it: a Dutch not-found page, and no bytes', async () => {
    const file = (await env.api('GET', `/api/requests/${ids.acceptance}/attachments`, { token: t.requester })).body[0];
    const page = await as('pap-requester');
    const res = await page.goto(`/aanvragen/${ids.acceptance}/bijlagen/${file.id}`);
    expect(res!.status()).toBe(404);
    await expect(page.locator('h1').innerText()).resolves.toBe('Niet gevonden');
    expect(await res!.text()).not.toContain('%PDF');
  });
});
