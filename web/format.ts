// Dutch display of statuses, roles, dates and hours, and parsing of what people type.
import type Handlebars from 'handlebars';
import type { RequestStatus } from '../domain/lifecycle';
import { formatEuro } from '../domain/money';
import type { Role } from '../domain/roles';
import { isIsoDate } from '../domain/time';

export const STATUS_LABELS: Record<RequestStatus, string> = {
  submitted: 'Ingediend',
  clarification: 'Vraag aan opdrachtgever',
  quoted: 'Offerte uitgebracht',
  accepted: 'Wacht op toewijzing',
  in_progress: 'In uitvoering',
  in_review: 'Interne toets',
  awaiting_acceptance: 'Wacht op acceptatie',
  completed: 'Afgerond',
  rejected: 'Afgewezen',
  cancelled: 'Geannuleerd',
};

export const INVOICE_STATUS_LABELS: Record<string, string> = {
  issued: 'Verzonden',
  disputed: 'Betwist',
  settled: 'Afgehandeld',
  paid: 'Betaald',
};

export const LINE_STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  accepted: 'Geaccepteerd',
  disputed: 'Betwist',
  credited: 'Gecrediteerd',
  dispute_rejected: 'Betwisting afgewezen',
};

export const MATCH_LABELS: Record<string, string> = {
  matched: 'Past binnen budget',
  exceeds_budget: 'Boven budget',
  unknown_request: 'Onbekende opdracht',
};

export const ROLE_LABELS: Record<Role, string> = {
  requester: 'opdrachtgever',
  buyer_finance: 'financiën (afnemer)',
  coordinator: 'coördinator',
  staff: 'medewerker',
  reviewer: 'toetser',
  provider_finance: 'financiën (leverancier)',
  admin: 'regiobeheer',
};

/** `2026-11-28` or an ISO timestamp -> `28-11-2026` (the timestamp in Dutch time). */
export function dutchDateText(value: string | null | undefined): string {
  if (!value) return '';
  const iso = value.length > 10 ? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date(value)) : value;
  const [y, m, d] = iso.split('-');
  return y && m && d ? `${d}-${m}-${y}` : value;
}

/** Minutes as Dutch decimal hours: 90 -> `1,5`. */
export function hoursText(minutes: number | null | undefined): string {
  if (minutes == null) return '–';
  return (minutes / 60).toLocaleString('nl-NL', { maximumFractionDigits: 2 });
}

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

export const viewHelpers: Record<string, Handlebars.HelperDelegate> = {
  date: (v: string | null | undefined) => dutchDateText(v),
  hours: (m: number | null | undefined) => hoursText(m),
  euroOrDash: (c: number | null | undefined) => (c == null ? '–' : formatEuro(c)),
  statusLabel: (s: RequestStatus) => STATUS_LABELS[s] ?? s,
  invoiceStatusLabel: (s: string) => INVOICE_STATUS_LABELS[s] ?? s,
  lineStatusLabel: (s: string) => LINE_STATUS_LABELS[s] ?? s,
  matchLabel: (s: string) => MATCH_LABELS[s] ?? s,
  roleLabel: (r: Role) => ROLE_LABELS[r] ?? r,
  euroPlain: (c: number | null | undefined) => (c == null ? '' : formatEuro(c).replace(/^€\s?/, '')),
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
  or: (a: unknown, b: unknown) => a || b,
  not: (a: unknown) => !a,
  includes: (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v),
};
