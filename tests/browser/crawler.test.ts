/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Every page of every demo user, crawled in chromium at tablet width (768 px) against the real
// system, after a realistic world was built through the API: requests in every state at two
// buying municipalities, an invoice run with a disputed-and-credited line and a payment, and the
// shared centre's contributions with a first advance invoiced. Each user signs in through the
// login page and follows the main menu and every link on every page it reaches (at most three
// addresses per route pattern). On every page: no 5xx, no offered link that answers 403/404 (or
// any other error), no NaN/undefined/null/[object Object]/Invalid Date or English refusal text,
// no axe WCAG 2.1 A/AA violation, no colour-contrast result axe could not decide, no text in the
// colour of its own background, no horizontal overflow, no chart text cut off, overlapping or
// without contrast, no script error or CSP violation. Documents (PDF, UBL, CSV, printable HTML)
// are fetched with the user's cookies, not rendered: 200 and the right content type. Every page
// is saved as test-artifacts/screenshots/<role>/<page>.png. All problems are collected and shown
// together at the end, one line per user, address and problem.
//
// CRAWLER_STATS=1 prints pages per user and where the time went; CRAWLER_PARALLEL sets how many
// users are crawled side by side (default 4).
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { contributionStepWorkflowId, invoiceRunWorkflowId } from '../../contracts';
import { REFUSALS } from '../../domain/refusals';
import { launchBrowser, SCREENSHOTS, signIn, type Session } from '../support/browser';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { currentPeriod, requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';

// Generous: on a busy 2-core machine the crawl takes 3–5 minutes; a timeout would hide the
// problems collected so far.
jest.setTimeout(10 * 60_000);

const VIEWPORT = { width: 768, height: 1024 };
/** Addresses visited per route pattern per user. */
const PER_PATTERN = 3;
/** Users crawled side by side (one browser, a context each). */
const PARALLEL = Number(process.env.CRAWLER_PARALLEL ?? 4);
const THIS_YEAR = Number(todayInNL().slice(0, 4));
// The advance is invoiced for a year no other test file uses: contribution workflow ids
// (contribution-<product>-<year>-A1) are per Temporal namespace, shared by the files of a Jest
// worker (the API test uses last and this year, the page tests the next two).
const ADVANCE_YEAR = THIS_YEAR + 3;
const PRODUCT = 'DBC-LP-BASIS';

let env: TestEnv;
let browser: Browser;

interface Failure {
  user: string;
  url: string;
  problem: string;
}

// ---- the world ------------------------------------------------------------------------------

async function buildWorld(): Promise<void> {
  const t: StoryTokens = await storyTokens(env);
  const tok = {
    papRequester: await env.token('pap-requester'),
    zwnFinance: await env.token('zwn-finance'),
    papFinance: await env.token('pap-finance'),
    dorRequester: await env.token('dor-requester'),
    zwnCoordinator: await env.token('zwn-coordinator'),
    zwnStaff: await env.token('zwn-staff'),
    staff2: await env.token('dor-staff-2'),
    dbcFinance: await env.token('dbc-finance'),
  };
  const call = async (p: string, token: string, body: object = {}) => {
    const r = await env.api('POST', p, { token, body });
    if (r.status >= 300) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const hours = async (id: string, token: string, entries: [minutes: number, description: string][]) => {
    for (const [minutes, description] of entries)
      await call(`/api/requests/${id}/time-entries`, token, { date: today(), minutes, description });
  };
  const complete = async (id: string, requester: string) => call(`/api/requests/${id}/accept-result`, requester);

  // Zwijndrecht buys from Dordrecht: a request in every state.
  const zwnRequests = async () => {
    const zwn = { requester: t.requester };
    await requestUpTo(env, t, 'submitted', { ...zwn, title: 'Verzuimanalyse basisscholen Zwijndrecht' });
    await requestUpTo(env, t, 'quoted', { ...zwn, title: 'Advies thuiszittersaanpak 2027', estimateMinutes: 900 });
    const zwnWork = await requestUpTo(env, t, 'in_progress', {
      ...zwn,
      title: 'Verzuimregistratiesysteemvervangingsonderzoek voor de regio Drechtsteden',
    });
    await hours(zwnWork, t.staff, [
      [95, 'Dossieronderzoek verzuimmeldingen'],
      [133, 'Analyse en rapportage'],
    ]);
    await requestUpTo(env, t, 'in_review', { ...zwn, title: 'Handreiking schoolverzuim voortgezet onderwijs' });
    await requestUpTo(env, t, 'awaiting_acceptance', { ...zwn, title: 'Evaluatie leerplichtbeleid 2026' });
    for (const title of ['Jaarverslag leerplicht 2025', 'Quickscan RMC-registratie']) {
      const id = await requestUpTo(env, t, 'in_progress', { ...zwn, title, estimateMinutes: 480 });
      await hours(id, t.staff, [
        [120, 'Gegevens verzameld'],
        [75, 'Concept besproken met de opdrachtgever'],
      ]);
      await call(`/api/requests/${id}/submit-result`, t.staff, { reference: 'DMS-2026-0101', notes: 'Eindversie in het DMS.' });
      await call(`/api/requests/${id}/review`, t.reviewer, { approved: true });
      await complete(id, t.requester);
    }
    const zwnCancelled = await requestUpTo(env, t, 'quoted', { ...zwn, title: 'Onderzoek vervoersbeleid (vervallen)' });
    await call(`/api/requests/${zwnCancelled}/cancel`, t.requester, { reason: 'Het onderzoek is niet meer nodig.' });
  };

  // Papendrecht buys from Dordrecht too.
  const papRequests = async () => {
    const pap = { requester: tok.papRequester };
    await requestUpTo(env, t, 'submitted', { ...pap, title: 'Verzuimcijfers Papendrecht per school' });
    const papWork = await requestUpTo(env, t, 'in_progress', {
      ...pap,
      title: 'Aanpak luxe verzuim rond schoolvakanties',
      assignee: 'dor-staff-2',
      staff: tok.staff2,
    });
    await hours(papWork, tok.staff2, [[150, 'Gesprekken met scholen']]);
    await requestUpTo(env, t, 'awaiting_acceptance', { ...pap, title: 'Rapportage leerplicht Papendrecht 2026' });
    for (const title of ['Nulmeting verzuim mbo', 'Advies leerplichtwet en thuisonderwijs']) {
      const id = await requestUpTo(env, t, 'in_progress', { ...pap, title, estimateMinutes: 360 });
      await hours(id, t.staff, [[180, 'Onderzoek en advies']]);
      await call(`/api/requests/${id}/submit-result`, t.staff, { reference: 'DMS-PAP-7', notes: '' });
      await call(`/api/requests/${id}/review`, t.reviewer, { approved: true });
      await complete(id, tok.papRequester);
    }
    const papCancelled = await requestUpTo(env, t, 'submitted', { ...pap, title: 'Dubbel ingediende aanvraag' });
    await call(`/api/requests/${papCancelled}/cancel`, tok.papRequester, { reason: 'Per ongeluk twee keer ingediend.' });
  };

  // Dordrecht buys ICT advice from Zwijndrecht, so Zwijndrecht's coordinator and staff have work.
  const ictRequest = async () => {
    const { requestId: ict } = await call('/api/requests', tok.dorRequester, {
      serviceId: 'ZWN-ICT',
      title: 'Advies informatiebeveiliging leerplichtsysteem',
    });
    await call(`/api/requests/${ict}/accept-intake`, tok.zwnCoordinator, { estimateMinutes: 600 });
    await call(`/api/requests/${ict}/approve-quote`, tok.dorRequester);
    await call(`/api/requests/${ict}/assign`, tok.zwnCoordinator, { assignee: 'zwn-staff' });
    await hours(ict, tok.zwnStaff, [[90, 'Inventarisatie koppelingen']]);
  };

  // The shared centre: its products, participations, key figures and budgets; the first advance invoiced.
  const contributions = async () => {
    await seedContributions(env, [THIS_YEAR, ADVANCE_YEAR]);
    await call(`/api/contributions/products/${PRODUCT}/advances`, tok.dbcFinance, { year: ADVANCE_YEAR });
    await env.client.workflow.getHandle(contributionStepWorkflowId(PRODUCT, ADVANCE_YEAR, 'advance', 1)).result();
  };

  // The chains are independent of each other; the invoice run needs the completed requests.
  await Promise.all([zwnRequests(), papRequests(), ictRequest(), contributions()]);

  // Dordrecht's invoice run for this month; a disputed line credited on one invoice, a payment on another.
  const period = currentPeriod();
  const run = await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period } });
  if (run.status !== 202) throw new Error(`invoice run: ${run.status} ${JSON.stringify(run.body)}`);
  const result = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', period)).result();
  const invoices = await env.models.Invoice.find({ _id: { $in: result.invoiceIds } }).lean();
  const zwnInvoice = invoices.find((i) => i.buyer === 'ZWN');
  const papInvoice = invoices.find((i) => i.buyer === 'PAP');
  if (!zwnInvoice || !papInvoice) throw new Error(`the invoice run made no invoice for ZWN and PAP: ${JSON.stringify(result)}`);
  await call(`/api/invoices/${zwnInvoice._id}/lines/1/dispute`, tok.zwnFinance, { reason: 'Een uur meer dan afgesproken' });
  await call(`/api/invoices/${zwnInvoice._id}/lines/1/resolve`, t.finance, { creditCents: 9_375 });
  await call(`/api/invoices/${papInvoice._id}/payments`, tok.papFinance, {
    amountCents: Math.floor(papInvoice.grossCents / 2),
    date: today(),
    reference: 'BNG-2026-0815',
  });
}

// ---- what a page may not show --------------------------------------------------------------

/** Programming leftovers that must never reach a reader. */
const LEFTOVERS: [RegExp, string][] = [
  [/\bNaN\b/, 'NaN'],
  [/\bundefined\b/, 'undefined'],
  [/\bnull\b/, 'null'],
  [/\[object Object\]/, '[object Object]'],
  [/Invalid Date/, 'Invalid Date'],
];

/**
 * English phrases that only appear when an English refusal detail (domain/refusals.ts, the `en`
 * texts for API clients) or a library's English message leaks onto a Dutch page: the fixed parts
 * of every `en` text (its parameters cut out), of two words or more, and a few general ones.
 */
function englishPhrases(): { phrases: string[]; underived: string[] } {
  const MARK = '\u0001';
  const param = (): unknown =>
    new Proxy(Object.assign(new String(MARK), { join: () => MARK, map: () => [MARK] }), {
      get: (target, key) => (key === Symbol.toPrimitive ? () => MARK : Reflect.get(target, key)),
    });
  const params = new Proxy({}, { get: (_t, key) => (key === 'limit' || key === 'more' ? undefined : param()) });
  const fragments = new Set<string>([
    'not found',
    'needs role',
    ' is required',
    'must be',
    'may not',
    'is not possible while',
    'already exists',
    'cannot ',
    'invalid input',
    'expected string',
    'expected number',
    'received undefined',
    'too small:',
    'too big:',
    'internal server error',
    'something went wrong',
    'try again',
  ]);
  const underived: string[] = [];
  for (const [code, spec] of Object.entries(REFUSALS)) {
    let detail: string;
    try {
      detail = (spec.en as (p: unknown) => string)(params);
    } catch (err) {
      underived.push(`${code}: ${String(err)}`);
      continue;
    }
    // The fixed parts between the parameters, and their clauses: a page may show part of a detail.
    for (const part of detail.split(new RegExp(`${MARK}[\\d]*|[;:,()]`))) {
      const phrase = part
        .replace(/^[\s:;,.()"'-]+|[\s:;,.()"'-]+$/g, '')
        .trim()
        .toLowerCase();
      if (phrase.split(/\s+/).length >= 2 && phrase.length >= 7) fragments.add(phrase);
    }
  }
  return { phrases: [...fragments], underived };
}
const { phrases: ENGLISH, underived: UNDERIVED } = englishPhrases();

// ---- addresses ------------------------------------------------------------------------------

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** A path segment that names a thing (an id, a number, a period, a product code) rather than a page. */
const isId = (seg: string) => ULID.test(seg) || /\d/.test(seg) || /^[A-Z][A-Z0-9_-]+$/.test(seg);

/** /aanvragen/01J…/uren/01J…?week=2026-W48 -> /aanvragen/:id/uren/:id?week= */
function patternOf(url: URL): string {
  const p = url.pathname
    .split('/')
    .map((seg) => {
      const dot = seg.lastIndexOf('.');
      const [name, ext] = dot > 0 ? [seg.slice(0, dot), seg.slice(dot)] : [seg, ''];
      return isId(name) ? `:id${ext}` : seg;
    })
    .join('/');
  const keys = [...new Set([...url.searchParams.keys()])].sort();
  return keys.length ? `${p}?${keys.map((k) => `${k}=`).join('&')}` : p;
}

/** A file name for the page: aanvragen__id, facturen__id-2, bijdragen_rapportage-jaar. */
function fileNameOf(pattern: string, taken: Map<string, number>): string {
  const base =
    pattern
      .replace(/^\//, '')
      .replace(/[/:]/g, '_')
      .replace(/\?/g, '-')
      .replace(/=&?/g, '-')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/-+$/, '') || 'start';
  const n = (taken.get(base) ?? 0) + 1;
  taken.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

const EXCLUDED = [/^\/uitloggen$/, /^\/static\//, /^\/api\//, /^\/dev\//, /^\/openapi\.json$/, /^\/health$/];
const isDocument = (url: URL) => /\.(pdf|xml|csv)$/.test(url.pathname) || url.pathname.endsWith('/document.html');
const CONTENT_TYPES: [RegExp, RegExp][] = [
  [/\.pdf$/, /^application\/pdf/],
  [/\.xml$/, /^(application|text)\/xml/],
  [/\.csv$/, /^text\/csv/],
  [/\.html$/, /^text\/html/],
];

const timing: Record<string, number> = {};
const clock = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    timing[what] = (timing[what] ?? 0) + Date.now() - t0;
  }
};

// ---- checks in the page ---------------------------------------------------------------------

interface PageFindings {
  text: string;
  sameColour: { text: string; where: string; color: string; background: string; ratio: number }[];
  overflow: { scrollWidth: number; clientWidth: number; culprits: string[] } | null;
  chartLayout: string[];
  violations: { id: string; nodes: string[] }[];
  /** color-contrast results axe left undecided, except chart text the page measured itself (below). */
  contrastIncomplete: { why: string[]; nodes: string[] }[];
  /** Chart (SVG) text: axe cannot see behind an <svg>, so its fill is measured against what is drawn under it. */
  chartText: { node: string; problem: string }[];
}

/**
 * Runs in the page (after axe-core was injected): the visible text, text drawn in its
 * background's colour, horizontal overflow, and axe's WCAG 2.1 A/AA results.
 */
async function inspectPage(): Promise<PageFindings> {
  type RGBA = [number, number, number, number];
  const parse = (c: string): RGBA | null => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const v = m[1]!
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [v[0]!, v[1]!, v[2]!, v[3] ?? 1];
  };
  const over = (top: RGBA, bottom: RGBA): RGBA => {
    const a = top[3];
    return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
  };
  const luminance = ([r, g, b]: RGBA) => {
    const ch = (x: number) => {
      const s = x / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  const ratio = (a: RGBA, b: RGBA) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return Math.round(((l1! + 0.05) / (l2! + 0.05)) * 100) / 100;
  };
  const rgb = (c: RGBA) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
  const describe = (el: Element) => {
    const parts: string[] = [];
    for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const cls = [...e.classList]
        .slice(0, 2)
        .map((c) => `.${c}`)
        .join('');
      parts.unshift(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${cls}`);
    }
    return parts.join(' > ');
  };
  /** The colour behind an element: its own and its ancestors' backgrounds, composed; null under an image or gradient. */
  const backgroundOf = (el: Element): RGBA | null => {
    const layers: RGBA[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== 'none') return null;
      const c = parse(cs.backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    return layers.reduceRight<RGBA>((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const hidden = (el: Element) => {
    for (let e: Element | null = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility !== 'visible' || Number(cs.opacity) === 0) return true;
      if (cs.clip !== 'auto' || cs.clipPath !== 'none') return true;
    }
    const r = el.getBoundingClientRect();
    return r.width <= 1 || r.height <= 1 || r.right + window.scrollX <= 0 || r.bottom + window.scrollY <= 0;
  };

  // Text in the colour of its own background: a label nobody can read, whatever axe concludes.
  const sameColour: PageFindings['sameColour'] = [];
  const checked = new Set<Element>();
  const candidates: Element[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.textContent?.trim() || checked.has(el)) continue;
    checked.add(el);
    // SVG text is painted with fill (measured below), an option only shows through its select.
    if (el.closest('svg, option, script, style, noscript, template')) continue;
    candidates.push(el);
  }
  for (const el of document.querySelectorAll('select, input:not([type=hidden]), textarea, button')) candidates.push(el);
  for (const el of candidates) {
    if (hidden(el)) continue;
    const fg = parse(getComputedStyle(el).color);
    const bg = backgroundOf(el);
    if (!fg || !bg) continue;
    const r = ratio(over(fg, bg), bg);
    if (r < 1.25) {
      const label = (el as HTMLElement).innerText?.trim() || (el as HTMLInputElement).value || el.getAttribute('aria-label') || '';
      sameColour.push({
        text: label.replace(/\s+/g, ' ').slice(0, 60),
        where: describe(el),
        color: getComputedStyle(el).color,
        background: rgb(bg),
        ratio: r,
      });
    }
  }

  // Horizontal overflow, with the innermost elements that reach past the right edge.
  const doc = document.documentElement;
  let overflow: PageFindings['overflow'] = null;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1);
    const innermost = wide.filter((e) => !wide.some((o) => o !== e && e.contains(o)));
    overflow = {
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      culprits: [...new Set(innermost.map((e) => `${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`))].slice(
        0,
        4,
      ),
    };
  }

  // Chart text cut off by the edge of its picture, or drawn over other text of the chart.
  const chartLayout: string[] = [];
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    if (hidden(svg)) continue;
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ t, box: t.getBoundingClientRect() }));
    for (const { t, box } of texts) {
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1)
        chartLayout.push(`chart "${svg.querySelector('title')?.textContent}": text "${t.textContent}" is cut off at the edge of the chart`);
    }
    texts.forEach((a, i) =>
      texts.slice(i + 1).forEach((b) => {
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (w > 2 && h > 2)
          chartLayout.push(`chart "${svg.querySelector('title')?.textContent}": text "${a.t.textContent}" overlaps "${b.t.textContent}"`);
      }),
    );
  }

  // axe-core, WCAG 2.0/2.1 A and AA.
  const axeRun = (window as unknown as { axe: typeof axe }).axe;
  const result = await axeRun.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations', 'incomplete'],
    // Elements rather than unique CSS selectors (slow to compute): describe() names them.
    elementRef: true,
    selectors: false,
    iframes: false,
  });
  const html = (n: { html: string; element?: Element }) =>
    `${n.element ? describe(n.element) : '?'}: ${n.html.replace(/\s+/g, ' ').slice(0, 140)}`;
  const violations = result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map(html) }));

  /** Chart text: its fill against the topmost shape drawn under it, or the page behind the chart. */
  const chartTextProblem = (el: Element): string | null => {
    const fill = parse(getComputedStyle(el).fill);
    const svg = el.closest('svg')!;
    if (!fill) return `fill "${getComputedStyle(el).fill}" cannot be measured`;
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    const box = el.getBoundingClientRect();
    const stack = document.elementsFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    let bg: RGBA | null = null;
    for (const e of stack) {
      if (e === el) continue;
      if (e === svg || !svg.contains(e)) {
        bg = backgroundOf(svg);
        break;
      }
      if (e.tagName === 'text') return `overlaps other chart text "${e.textContent}"`;
      // Lines and unfilled polylines are strokes, not a background.
      if (e.tagName === 'line' || getComputedStyle(e).fill === 'none') continue;
      const shapeFill = parse(getComputedStyle(e).fill);
      if (shapeFill && shapeFill[3] > 0) {
        const behind = backgroundOf(svg);
        if (!behind) return 'the background behind the chart cannot be determined';
        bg = over(shapeFill, behind);
        break;
      }
    }
    if (!bg) return 'the background behind the chart cannot be determined';
    const fontSize = parseFloat(getComputedStyle(el).fontSize);
    const bold = Number(getComputedStyle(el).fontWeight) >= 700;
    const needed = fontSize >= 24 || (bold && fontSize >= 18.66) ? 3 : 4.5;
    const r = ratio(over(fill, bg), bg);
    return r < needed ? `contrast ${r}:1 (needs ${needed}:1): ${rgb(fill)} on ${rgb(bg)}` : null;
  };
  const contrastIncomplete: PageFindings['contrastIncomplete'] = [];
  const chartText: PageFindings['chartText'] = [];
  for (const r of result.incomplete.filter((x) => x.id === 'color-contrast')) {
    const undecided = [];
    for (const n of r.nodes) {
      const el = (n as { element?: Element }).element;
      if (el && el.namespaceURI === 'http://www.w3.org/2000/svg' && el.closest('svg[role=img]')) {
        const problem = chartTextProblem(el);
        if (problem) chartText.push({ node: html(n), problem });
      } else undecided.push(n);
    }
    if (undecided.length)
      contrastIncomplete.push({
        nodes: undecided.map(html),
        why: [...new Set(undecided.flatMap((n) => [...n.any, ...n.all, ...n.none].map((c) => c.message)))],
      });
  }
  window.scrollTo(0, 0);
  return { text: document.body.innerText, sameColour, overflow, chartLayout, violations, contrastIncomplete, chartText };
}

const upTo3 = (xs: string[]) => `${xs.slice(0, 3).join(' | ')}${xs.length > 3 ? ` (+${xs.length - 3} more)` : ''}`;

/**
 * axe-core in every page of the context, before the page's own scripts. Init scripts go through
 * the DevTools protocol, so the pages' strict CSP does not apply to them.
 */
const withAxe = (context: BrowserContext) => context.addInitScript(axe.source);

/** All checks of one rendered HTML page; the problems found, as sentences. */
async function checkPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  // axe-core comes with every page through the context's init script (see withAxe), or now.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  // What a person can unfold is checked (and photographed) unfolded: tables in <details> too.
  await page.evaluate(() => document.querySelectorAll('details:not([open])').forEach((d) => ((d as HTMLDetailsElement).open = true)));
  const found = await clock('inspect', () => page.evaluate(inspectPage));
  for (const [re, name] of LEFTOVERS) {
    const m = re.exec(found.text);
    if (m) problems.push(`shows "${name}": …${found.text.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}…`);
  }
  const lower = found.text.toLowerCase();
  for (const phrase of ENGLISH) {
    const i = lower.indexOf(phrase);
    if (i >= 0)
      problems.push(`shows English "${phrase}": …${found.text.slice(Math.max(0, i - 40), i + phrase.length + 40).replace(/\s+/g, ' ')}…`);
  }
  for (const s of found.sameColour)
    problems.push(`text in the colour of its background (contrast ${s.ratio}:1, ${s.color} on ${s.background}): "${s.text}" at ${s.where}`);
  if (found.overflow)
    problems.push(
      `overflows horizontally at ${VIEWPORT.width} px (scrollWidth ${found.overflow.scrollWidth} > ${found.overflow.clientWidth}): ${found.overflow.culprits.join('; ')}`,
    );
  problems.push(...new Set(found.chartLayout));
  for (const v of found.violations) problems.push(`axe ${v.id}: ${upTo3(v.nodes)}`);
  for (const c of found.contrastIncomplete) problems.push(`axe color-contrast incomplete (${c.why.join('; ')}): ${upTo3(c.nodes)}`);
  const byProblem = new Map<string, string[]>();
  for (const c of found.chartText) byProblem.set(c.problem, [...(byProblem.get(c.problem) ?? []), c.node]);
  for (const [problem, nodes] of byProblem) problems.push(`chart text ${problem}: ${upTo3(nodes)}`);
  return problems;
}

// ---- the crawl ------------------------------------------------------------------------------

interface Target {
  url: URL;
  from: string;
  download: boolean;
}

/** The same-origin links of the page (the main menu first) and its GET forms with their default values. */
async function linksOf(page: Page, origin: string): Promise<{ url: URL; download: boolean }[]> {
  const found = await page.evaluate(() => {
    const anchor = (a: HTMLAnchorElement) => ({ href: a.href, download: a.hasAttribute('download') });
    const menu = [...document.querySelectorAll<HTMLAnchorElement>('nav[aria-label=Hoofdmenu] a[href]')].map(anchor);
    const rest = [...document.querySelectorAll<HTMLAnchorElement>('a[href]')].map(anchor);
    const forms = [...document.querySelectorAll<HTMLFormElement>('form')]
      .filter((f) => (f.getAttribute('method') ?? 'get').toLowerCase() === 'get')
      .map((f) => {
        const q = new URLSearchParams();
        for (const [k, v] of new FormData(f)) if (typeof v === 'string') q.append(k, v);
        return { href: `${f.action}?${q}`, download: false };
      });
    return [...menu, ...rest, ...forms];
  });
  const out: { url: URL; download: boolean }[] = [];
  for (const l of found) {
    const url = new URL(l.href);
    url.hash = '';
    if (url.origin !== origin || EXCLUDED.some((re) => re.test(url.pathname))) continue;
    out.push({ url, download: l.download || isDocument(url) });
  }
  return out;
}

interface Crawled {
  failures: Failure[];
  pages: number;
  downloads: number;
}

async function crawl(session: Session, role: string): Promise<Crawled> {
  const { page } = session;
  await withAxe(session.context);
  const failures: Failure[] = [];
  const fail = (url: string, problem: string) => failures.push({ user: role, url, problem });
  // Script errors and CSP violations, with the page they happened on (signIn collects them without).
  const signInProblems = session.problems.length;
  const current = () => {
    const u = new URL(page.url());
    return u.pathname + u.search;
  };
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) fail(current(), `console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(current(), `script error: ${String(e)}`));
  const origin = new URL(env.baseUrl).origin;
  const dir = path.join(SCREENSHOTS, role);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const names = new Map<string, number>();
  const seen = new Set<string>();
  const perPattern = new Map<string, number>();
  const landing = new URL(page.url());
  landing.hash = '';
  const queue: Target[] = [{ url: landing, from: '/inloggen', download: false }];
  let pages = 0;
  let downloads = 0;
  const key = (u: URL) => u.pathname + u.search;

  while (queue.length) {
    const { url, from, download } = queue.shift()!;
    if (seen.has(key(url))) continue;
    seen.add(key(url));
    const pattern = patternOf(url);
    const n = perPattern.get(pattern) ?? 0;
    if (n >= PER_PATTERN) continue;
    perPattern.set(pattern, n + 1);
    const where = key(url);

    if (download) {
      downloads++;
      const res = await clock('download', () => page.request.get(url.href));
      const type = res.headers()['content-type'] ?? '';
      const body = await res.body();
      if (res.status() !== 200) fail(where, `document answers ${res.status()} (linked from ${from})`);
      else {
        const expected = CONTENT_TYPES.find(([ext]) => ext.test(url.pathname))?.[1];
        if (expected && !expected.test(type)) fail(where, `document has content type "${type}"`);
        if (body.length === 0) fail(where, 'document is empty');
        if (!/pdf/.test(type)) {
          const text = body.toString('utf8');
          for (const [re, name] of LEFTOVERS.filter(([, nm]) => nm !== 'null'))
            if (re.test(text)) fail(where, `document contains "${name}"`);
        }
      }
      continue;
    }

    let response;
    try {
      response = await clock('goto', () => page.goto(url.href, { waitUntil: 'load' }));
    } catch (err) {
      fail(where, `could not be opened (linked from ${from}): ${String(err).split('\n')[0]}`);
      continue;
    }
    const status = response?.status() ?? 0;
    const final = new URL(page.url());
    final.hash = '';
    // A redirect to a page already checked (/ -> the home page) needs no second check.
    if (key(final) !== key(url) && seen.has(key(final)) && status < 400) continue;
    seen.add(key(final));
    if (status >= 500) fail(where, `answers ${status} (linked from ${from})`);
    else if (status >= 400) fail(where, `offered link answers ${status} (linked from ${from})`);
    if (final.pathname === '/inloggen') fail(where, `sends a signed-in user to the login page (linked from ${from})`);
    const type = response?.headers()['content-type'] ?? '';
    if (!/^text\/html/.test(type)) {
      if (status < 400) fail(where, `a link that is no page and no document answers "${type}" (linked from ${from})`);
      continue;
    }
    pages++;
    for (const p of await checkPage(page)) fail(where, p);
    await clock('shot', () =>
      page.screenshot({ path: path.join(dir, `${fileNameOf(pattern, names)}.png`), fullPage: true, caret: 'initial' }),
    );
    for (const link of await clock('links', () => linksOf(page, origin)))
      if (!seen.has(key(link.url))) queue.push({ ...link, from: where });
  }
  for (const p of session.problems.slice(0, signInProblems)) fail('/inloggen', `console error while signing in: ${p}`);
  return { failures, pages, downloads };
}

/** Signed in for the given organisation when the user has several. */
const signInFor = (userId: string, org: string, several: boolean): Promise<Session> =>
  signIn(browser, env.baseUrl, userId, VIEWPORT, several ? org : undefined);

const report = (failures: Failure[]) =>
  failures.length === 0
    ? 'no problems'
    : `${failures.length} problem(s):\n${failures.map((f) => `  ${f.user}  ${f.url}  ${f.problem}`).join('\n')}`;

beforeAll(async () => {
  env = await createTestEnv();
  const [b] = await Promise.all([launchBrowser(), buildWorld()]);
  browser = b;
}, 3 * 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

test('the English phrases to look for come from every refusal of the domain', () => {
  expect(UNDERIVED).toEqual([]);
  expect(ENGLISH).toEqual(expect.arrayContaining(['not found', 'is not possible while the request is', 'this needs role']));
});

test('the signed-out start page and login page pass every check', async () => {
  const context = await browser.newContext({ baseURL: env.baseUrl, viewport: VIEWPORT, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  await withAxe(context);
  const page = await context.newPage();
  const failures: Failure[] = [];
  const dir = path.join(SCREENSHOTS, 'uitgelogd');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [p, name] of [
    ['/', 'start'],
    ['/inloggen', 'inloggen'],
  ] as const) {
    const res = await page.goto(p);
    if ((res?.status() ?? 0) !== 200) failures.push({ user: '(uitgelogd)', url: p, problem: `answers ${res?.status()}` });
    for (const problem of await checkPage(page)) failures.push({ user: '(uitgelogd)', url: p, problem });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }
  await context.close();
  expect(report(failures)).toBe('no problems');
});

test('every page every demo user can reach passes every check', async () => {
  const users = (await env.api('GET', '/dev/users')).body as { userId: string; org: string }[];
  expect(users.length).toBeGreaterThan(10);
  const count = new Map<string, number>();
  for (const u of users) count.set(u.userId, (count.get(u.userId) ?? 0) + 1);
  const failures: Failure[] = [];
  const stats: string[] = [];
  // A few users side by side: while one waits for the server, another's page is checked.
  const todo = [...users];
  const worker = async () => {
    for (let u = todo.shift(); u; u = todo.shift()) {
      const several = (count.get(u.userId) ?? 0) > 1;
      const role = several ? `${u.userId}-${u.org}` : u.userId;
      const started = Date.now();
      const session = await signInFor(u.userId, u.org, several);
      try {
        const result = await crawl(session, role);
        failures.push(...result.failures);
        stats.push(`${role}: ${result.pages} pages, ${result.downloads} documents, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures.push({ user: role, url: session.page.url(), problem: `the crawl stopped: ${String(err).split('\n')[0]}` });
      } finally {
        await session.context.close();
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  if (process.env.CRAWLER_STATS) console.log(stats.sort().join('\n'), timing);
  // Grouped by user, in crawl order.
  failures.sort((a, b) => a.user.localeCompare(b.user));
  expect(report(failures)).toBe('no problems');
});
