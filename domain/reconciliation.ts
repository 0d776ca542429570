// Reconciliation rules for an incoming invoice: line matching, invoice status, overdue amount.
import type { InvoiceLineState, InvoiceStatus } from '../contracts/invoice';

export type LineMatch =
  | 'matched'
  | 'exceeds_budget'
  | 'unknown_request'
  // Contribution invoices (advances, settlements): matched against the recorded step.
  | 'contribution'
  | 'contribution_differs'
  // A credit note on the step's invoice after a disputed line (not planned by the step).
  | 'contribution_credit'
  | 'unknown_contribution';

/**
 * A line matches when the request is the buyer's and all minutes invoiced for it so far
 * (this line included) stay within its approved budget (quote plus approved extensions).
 */
export function matchLine(
  line: { requestId: string; minutes: number },
  request: { buyer: string; budgetMinutes: number | null } | null,
  buyer: string,
  invoicedBeforeMinutes: number,
): LineMatch {
  if (!request || request.buyer !== buyer) return 'unknown_request';
  if (request.budgetMinutes !== null && invoicedBeforeMinutes + line.minutes > request.budgetMinutes) return 'exceeds_budget';
  return 'matched';
}

/**
 * A line of a contribution invoice (or of the settlement's credit note) matches when the
 * recorded contribution step planned exactly this amount for this buyer, on this document.
 * The step is the record every amount of an advance or settlement comes from. A credit note
 * that resolved a dispute on the step's invoice is recognised as such.
 */
export function matchContributionLine(
  line: { amountCents: number },
  stepLine: { participant: string; invoiceId: string | null; amountCents: number } | null,
  invoice: { id: string; buyer: string; creditedInvoiceId?: string | null },
): LineMatch {
  if (!stepLine || stepLine.participant !== invoice.buyer || !stepLine.invoiceId) return 'unknown_contribution';
  if (stepLine.invoiceId === invoice.id) return stepLine.amountCents === line.amountCents ? 'contribution' : 'contribution_differs';
  // A dispute's credit note credits the step's invoice for at most what that invoice billed.
  if (stepLine.invoiceId === invoice.creditedInvoiceId && line.amountCents <= stepLine.amountCents) return 'contribution_credit';
  return 'unknown_contribution';
}

export function invoiceStatus(lines: readonly InvoiceLineState[], outstandingCents: number): InvoiceStatus {
  if (outstandingCents <= 0) return 'paid';
  if (lines.some((l) => l.status === 'disputed')) return 'disputed';
  if (lines.every((l) => l.status !== 'open')) return 'settled';
  return 'issued';
}

/** What is overdue after the due date: the outstanding amount less what is disputed. */
export function overdueCents(outstandingCents: number, lines: readonly InvoiceLineState[]): number {
  const disputed = lines.filter((l) => l.status === 'disputed').reduce((s, l) => s + l.grossCents - l.creditedCents, 0);
  return Math.max(0, outstandingCents - disputed);
}

/** What is still to pay on an invoice: gross − credited − paid. */
export function outstandingCents(grossCents: number, creditedCents: number, paidCents: number): number {
  return grossCents - creditedCents - paidCents;
}
