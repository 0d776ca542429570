// Who may do what to an invoice or credit note: read it (list, detail, documents), reconcile its
// lines, resolve disputes, register payments, book corrections. The invoice workflow's
// validators, the application layer and the pages all read this table.
import { createAccess, type AccessRule, type ActionInfo } from './access';
import { none, refuse, type Refusal } from './refusals';
import type { Actor } from './roles';
import type { InvoiceStatus, LineStatus } from '../contracts/invoice';

export type InvoiceSide = 'buyer' | 'provider';
/** An invoice can still change until it is paid. */
export const OPEN_INVOICE_STATUSES: readonly InvoiceStatus[] = ['issued', 'disputed', 'settled'];

export interface InvoiceSubject {
  buyer: string;
  provider: string;
  status: InvoiceStatus;
  kind: 'invoice' | 'credit_note';
  /** A contribution invoice bills amounts, not hours. */
  contribution: boolean;
  outstandingCents: number;
  /** For line actions: the line concerned. */
  line?: { lineNo: number; status: LineStatus };
}

type Condition = 'isInvoice' | 'hourInvoice' | 'lineOpen' | 'lineDisputable' | 'lineDisputed' | 'outstanding';

const buyerFinance = [['buyer', 'buyer_finance']] as const;
const providerFinance = [['provider', 'provider_finance']] as const;

export const INVOICE_ACTIONS = {
  read: { by: [...buyerFinance, ...providerFinance] },
  acceptLine: { by: buyerFinance, from: OPEN_INVOICE_STATUSES, requires: ['isInvoice', 'lineOpen'] },
  disputeLine: { by: buyerFinance, from: OPEN_INVOICE_STATUSES, requires: ['isInvoice', 'lineDisputable'] },
  resolveDispute: { by: providerFinance, from: OPEN_INVOICE_STATUSES, requires: ['isInvoice', 'lineDisputed'] },
  registerPayment: { by: buyerFinance, from: OPEN_INVOICE_STATUSES, requires: ['isInvoice', 'outstanding'] },
  // The provider registers what its bank statement shows it received: the bank import, or by
  // hand on the invoice (a payment the import could not place).
  registerReceipt: { by: providerFinance, from: OPEN_INVOICE_STATUSES, requires: ['isInvoice', 'outstanding'] },
  // Also after payment: a correction is a new entry for a later invoice, not a change of this one.
  bookCorrection: { by: providerFinance, requires: ['hourInvoice'] },
} as const satisfies Record<string, AccessRule<InvoiceSide, InvoiceStatus, Condition>>;
export type InvoiceAction = keyof typeof INVOICE_ACTIONS;
export const LINE_ACTIONS = ['acceptLine', 'disputeLine', 'resolveDispute'] as const satisfies readonly InvoiceAction[];
export const INVOICE_LEVEL_ACTIONS = ['registerPayment', 'registerReceipt', 'bookCorrection'] as const satisfies readonly InvoiceAction[];

const lineState = (s: InvoiceSubject, ok: readonly LineStatus[]) =>
  !s.line || ok.includes(s.line.status) ? null : refuse('line_state', { lineNo: s.line.lineNo, status: s.line.status });

const conditions: Record<Condition, (s: InvoiceSubject) => Refusal | null> = {
  isInvoice: (s) => (s.kind === 'invoice' ? null : refuse('credit_note_not_reconciled', none())),
  hourInvoice: (s) =>
    s.kind === 'invoice' && !s.contribution ? null : refuse('no_hours_on_invoice', { kind: s.contribution ? 'contribution' : s.kind }),
  lineOpen: (s) => lineState(s, ['open']),
  lineDisputable: (s) => lineState(s, ['open', 'accepted']),
  lineDisputed: (s) => lineState(s, ['disputed']),
  outstanding: (s) => (s.outstandingCents > 0 ? null : refuse('invoice_paid', none())),
};

const access = createAccess<InvoiceSide, InvoiceStatus, Condition, InvoiceAction>({
  table: INVOICE_ACTIONS,
  conditions: conditions as never,
  stateRefusal: () => refuse('invoice_paid', none()),
});
const subject = (s: InvoiceSubject) => ({ ...s, parties: { buyer: s.buyer, provider: s.provider } });

export function invoiceRefusal(action: InvoiceAction, s: InvoiceSubject, actor: Actor): Refusal | null {
  return access.check(action, subject(s), actor);
}
export function assertInvoiceAction(action: InvoiceAction, s: InvoiceSubject, actor: Actor): void {
  access.assert(action, subject(s), actor);
}
export function invoiceActions(s: InvoiceSubject, actor: Actor, only: readonly InvoiceAction[]): ActionInfo<InvoiceAction>[] {
  return access.actions(subject(s), actor, only);
}
/** The roles that may read invoices, for list queries: finance on either side. */
export function readableSides(actor: Actor): InvoiceSide[] {
  return (['provider', 'buyer'] as const).filter((side) =>
    INVOICE_ACTIONS.read.by.some(([s, role]) => s === side && actor.roles.includes(role)),
  );
}

/**
 * How an invoice reads to a person: paid, overdue, disputed, accepted but still to pay, or
 * sent. An invoice with money outstanding is never "done".
 */
export const INVOICE_DISPLAY_STATUSES = ['issued', 'disputed', 'accepted_unpaid', 'overdue', 'paid', 'credit_note'] as const;
export type InvoiceDisplayStatus = (typeof INVOICE_DISPLAY_STATUSES)[number];
export function invoiceDisplayStatus(i: {
  kind: string;
  status: string;
  overdue?: boolean | null;
  outstandingCents?: number | null;
}): InvoiceDisplayStatus {
  if (i.kind === 'credit_note') return 'credit_note';
  if (i.status === 'paid' || (i.outstandingCents ?? 0) <= 0) return 'paid';
  if (i.status === 'disputed') return 'disputed';
  if (i.overdue) return 'overdue';
  if (i.status === 'settled') return 'accepted_unpaid';
  return 'issued';
}
