// What is waiting for a person (Actie nodig): read off the same access tables that decide which
// actions they may take, so the list and the buttons on the pages can never disagree. An item is
// there exactly when one of its actions is allowed to this person now.
import type { LineStatus } from '../contracts/invoice';
import { invoiceRefusal, type InvoiceAction, type InvoiceSubject } from './invoice-access';
import { REQUEST_ACTIONS, requestRefusal, type RequestAction, type RequestStatus, type RequestSubject } from './lifecycle';
import type { Actor } from './roles';

export const WORK_KINDS = [
  'intake',
  'question',
  'quote',
  'extension',
  'assign',
  'work',
  'review',
  'acceptance',
  'reconcile',
  'dispute',
  'payment',
] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export interface WorkItem {
  kind: WorkKind;
  subject: 'request' | 'invoice';
  id: string;
  /** The date by which it should be done (YYYY-MM-DD), when there is one. */
  deadline: string | null;
  overdue: boolean;
  /** For invoices: how many lines wait. */
  lines?: number;
}

type Deadline = 'intake' | 'delivery' | 'acceptance' | null;

/**
 * Request actions that mean "this waits for you", in the order they are listed, with the
 * deadline that applies. `only` narrows an action that is also possible later (re-assigning).
 */
const REQUEST_WORK: readonly { action: RequestAction; kind: WorkKind; deadline: Deadline; only?: readonly RequestStatus[] }[] = [
  { action: 'acceptIntake', kind: 'intake', deadline: 'intake' },
  { action: 'answerClarification', kind: 'question', deadline: null },
  { action: 'approveQuote', kind: 'quote', deadline: null },
  { action: 'decideBudgetExtension', kind: 'extension', deadline: null },
  { action: 'assign', kind: 'assign', deadline: 'delivery', only: ['accepted'] },
  { action: 'submitResult', kind: 'work', deadline: 'delivery' },
  { action: 'review', kind: 'review', deadline: 'delivery' },
  { action: 'acceptResult', kind: 'acceptance', deadline: 'acceptance' },
];

export interface RequestWorkSubject extends RequestSubject {
  requestId: string;
  deadlines?: { intake?: string | null; delivery?: string | null; acceptance?: string | null } | null;
}

export function requestWork(r: RequestWorkSubject, actor: Actor, today: string): WorkItem[] {
  const items: WorkItem[] = [];
  for (const w of REQUEST_WORK) {
    if (w.only && !w.only.includes(r.status)) continue;
    if (requestRefusal(w.action, r, actor)) continue;
    if (items.some((i) => i.kind === w.kind)) continue;
    const deadline = w.deadline ? (r.deadlines?.[w.deadline] ?? null) : null;
    items.push({ kind: w.kind, subject: 'request', id: r.requestId, deadline, overdue: Boolean(deadline && deadline < today) });
  }
  return items;
}

export interface InvoiceWorkSubject extends Omit<InvoiceSubject, 'line'> {
  invoiceId: string;
  dueDate: string | null;
  lineStatuses: readonly LineStatus[];
}

export function invoiceWork(inv: InvoiceWorkSubject, actor: Actor, today: string): WorkItem[] {
  const linesWhere = (action: InvoiceAction) =>
    inv.lineStatuses.filter((status, i) => invoiceRefusal(action, { ...inv, line: { lineNo: i + 1, status } }, actor) === null).length;
  const item = (kind: WorkKind, lines?: number): WorkItem => ({
    kind,
    subject: 'invoice',
    id: inv.invoiceId,
    deadline: inv.dueDate,
    overdue: Boolean(inv.dueDate && inv.dueDate < today),
    ...(lines ? { lines } : {}),
  });
  const items: WorkItem[] = [];
  const toCheck = linesWhere('acceptLine');
  if (toCheck > 0) items.push(item('reconcile', toCheck));
  const disputed = linesWhere('resolveDispute');
  if (disputed > 0) items.push(item('dispute', disputed));
  // First check, then pay: a payment waits once no line is left to check.
  if (toCheck === 0 && invoiceRefusal('registerPayment', inv, actor) === null) items.push(item('payment'));
  return items;
}

/** Overdue first, then by deadline (none last), then in a stable order. */
export function sortWork<T extends WorkItem>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') ||
      WORK_KINDS.indexOf(a.kind) - WORK_KINDS.indexOf(b.kind) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * Where work can be for this person, read from the same table: per side of a request, the
 * states in which one of the work actions is open to one of their roles. Narrows the query.
 */
export function requestWorkScope(actor: Actor): { side: 'buyer' | 'provider'; statuses: RequestStatus[] }[] {
  const scope = new Map<'buyer' | 'provider', Set<RequestStatus>>();
  for (const w of REQUEST_WORK) {
    const rule = REQUEST_ACTIONS[w.action] as { by: readonly (readonly [string, string])[]; from?: readonly RequestStatus[] };
    for (const [side, role] of rule.by) {
      if (role !== 'nominated_reviewer' && !actor.roles.includes(role as never)) continue;
      const set = scope.get(side as 'buyer' | 'provider') ?? new Set<RequestStatus>();
      for (const s of (rule.from ?? []).filter((st) => !w.only || w.only.includes(st))) set.add(s);
      scope.set(side as 'buyer' | 'provider', set);
    }
  }
  return [...scope].map(([side, statuses]) => ({ side, statuses: [...statuses] }));
}
