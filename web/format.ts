// The web's transport: reading what people type (Dutch hours, amounts and dates) into the
// values the application layer expects, and the Handlebars helpers that show values in Dutch.
// Labels and messages come from the one Dutch table in i18n/nl.ts.
import type Handlebars from 'handlebars';
import { isIsoDate } from '../domain/dates';
import { formatEuro } from '../domain/money';
import type { RefusalInfo } from '../domain/refusals';
import {
  dateNl,
  FREQUENCY_NL,
  hoursNl,
  INVOICE_STATUS_NL,
  KEY_FIGURE_SOURCE_NL,
  KIND_NL,
  LINE_STATUS_NL,
  MATCH_NL,
  REQUEST_ACTION_NL,
  WORK_KIND_NL,
  AUDIT_ACTION_NL,
  REQUEST_STATUS_NL,
  refusalNl,
  ROLE_NL,
  type Namer,
} from '../i18n/nl';

export { dateNl as dutchDateText, hoursNl as hoursText };

/** What people type as hours: `1,5`, `1.5`, `2` or `1:30`. Returns minutes, or null if it is not a number of hours. */
export function parseHours(input: unknown): number | null {
  const s = String(input ?? '').trim();
  const hm = /^(\d{1,3}):([0-5]\d)$/.exec(s);
  if (hm) return Number(hm[1]) * 60 + Number(hm[2]);
  if (!/^\d{1,4}([.,]\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s.replace(',', '.')) * 60);
}

/** What people type as money: `123,45`, `1.234,56`, `€ 10`. Returns cents, or null. */
export function parseEuro(input: unknown): number | null {
  const s = String(input ?? '')
    .replace(/€|\s/g, '')
    .trim();
  if (!/^\d{1,3}(\.?\d{3})*(,\d{1,2})?$/.test(s) && !/^\d+([.,]\d{1,2})?$/.test(s)) return null;
  const normalised = /,\d{1,2}$/.test(s) || !/\.\d{1,2}$/.test(s) ? s.replace(/\./g, '').replace(',', '.') : s;
  const value = Number(normalised);
  return Number.isFinite(value) ? Math.round(value * 100) : null;
}

/** A date from a date field (`2026-11-28`) or typed the Dutch way (`28-11-2026`). */
export function parseDate(input: unknown): string | null {
  const s = String(input ?? '').trim();
  if (isIsoDate(s)) return s;
  const m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(s);
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

// The form readers below hand the application layer what it expects when the text can be read,
// and otherwise the text itself (or nothing when empty), so that the feature's schema refuses it
// with the field's own Dutch message. No rule is checked here.
const raw = (v: unknown) => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? undefined : s;
};
export const textIn = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const hoursIn = (v: unknown): number | string | undefined => parseHours(v) ?? raw(v);
export const euroIn = (v: unknown): number | string | undefined => parseEuro(v) ?? raw(v);
export const dateIn = (v: unknown): string | undefined => parseDate(v) ?? raw(v);
export const intIn = (v: unknown): number | string | undefined =>
  /^\d{1,9}$/.test(String(v ?? '').trim()) ? Number(String(v).trim()) : raw(v);
export const optionalDateIn = (v: unknown): string | null | undefined => (raw(v) === undefined ? null : dateIn(v));

/** Money in a form field, without the euro sign: `1.234,56`. */
export const euroPlain = (c: number | null | undefined) => (c == null ? '' : formatEuro(c).replace(/€\s?/, ''));

const DATE_TIME_NL = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export const viewHelpers: Record<string, Handlebars.HelperDelegate> = {
  date: (v: string | null | undefined) => dateNl(v),
  /** A moment as Dutch people read it, in Dutch time: 03-12-2026 02:23. */
  dateTime: (v: string | null | undefined) => {
    const d = v ? new Date(v) : null;
    return d && !Number.isNaN(d.getTime()) ? DATE_TIME_NL.format(d).replace(',', '') : '–';
  },
  hours: (m: unknown) => hoursNl(typeof m === 'number' ? m : null),
  euroOrDash: (c: number | null | undefined) => (c == null ? '–' : formatEuro(c)),
  statusLabel: (s: string) => (REQUEST_STATUS_NL as Record<string, string>)[s] ?? s,
  invoiceStatusLabel: (s: string) => (INVOICE_STATUS_NL as Record<string, string>)[s] ?? s,
  lineStatusLabel: (s: string) => (LINE_STATUS_NL as Record<string, string>)[s] ?? s,
  matchLabel: (s: string) => (MATCH_NL as Record<string, string>)[s] ?? s,
  roleLabel: (r: string) => (ROLE_NL as Record<string, string>)[r] ?? r,
  kindLabel: (k: string) => (KIND_NL as Record<string, string>)[k] ?? k,
  sourceLabel: (s: string) => KEY_FIGURE_SOURCE_NL[s] ?? s,
  frequencyLabel: (f: string) => FREQUENCY_NL[f] ?? f,
  auditLabel: (a: string) => AUDIT_ACTION_NL[a] ?? a,
  workLabel: (k: string) => (WORK_KIND_NL as Record<string, string>)[k] ?? k,
  actionLabel: (a: string) => (REQUEST_ACTION_NL as Record<string, string>)[a] ?? a,
  /** A refusal (from an action list) in Dutch; organisation names from the page's namer. */
  refusalText(info: RefusalInfo | null | undefined, options: Handlebars.HelperOptions) {
    if (!info) return '';
    const namer = (options?.data?.root as { namer?: Namer } | undefined)?.namer;
    return refusalNl(info, namer);
  },
  euroPlain: (c: number | null | undefined) => euroPlain(c),
  nlNumber: (n: number | null | undefined) => (n == null ? '–' : n.toLocaleString('nl-NL')),
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
  or: (a: unknown, b: unknown) => a || b,
  and: (a: unknown, b: unknown) => a && b,
  not: (a: unknown) => !a,
  includes: (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v),
};
