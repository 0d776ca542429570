// Messages of the invoice workflow: the buyer's finance reconciles, the provider resolves.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/roles';

export const invoiceWorkflowId = (invoiceId: string) => `invoice-${invoiceId}`;

export type LineStatus = 'open' | 'accepted' | 'disputed' | 'credited' | 'dispute_rejected';
export type InvoiceStatus = 'issued' | 'disputed' | 'settled' | 'paid';

export interface InvoiceInput {
  invoiceId: string;
  provider: string;
  buyer: string;
  dueDate: string;
  lines: { amountCents: number; vatCents: number }[];
  grossCents: number;
  /** Days before the due date that the buyer is reminded. */
  reminderDays?: number;
}

export interface InvoiceLineState {
  lineNo: number;
  grossCents: number;
  status: LineStatus;
  reason: string | null;
  creditedCents: number;
}

export interface InvoiceState {
  invoiceId: string;
  provider: string;
  buyer: string;
  status: InvoiceStatus;
  dueDate: string;
  grossCents: number;
  creditedCents: number;
  paidCents: number;
  outstandingCents: number;
  disputedCents: number;
  overdue: boolean;
  lines: InvoiceLineState[];
  payments: { amountCents: number; date: string; reference: string }[];
  creditNoteIds: string[];
  version: number;
  /** While a netting round settles this invoice: that round; nothing else may change it then. */
  nettingRound?: string;
}

export interface LineDecision {
  actor: Actor;
  lineNo: number;
  reason?: string;
}
export interface ResolveDispute {
  actor: Actor;
  lineNo: number;
  /** A credit note for this amount (incl. VAT), or a rejection with an explanation. */
  creditCents?: number;
  explanation?: string;
}
export interface PaymentInput {
  actor: Actor;
  amountCents: number;
  date: string;
  reference: string;
}

export const getInvoiceState = defineQuery<InvoiceState>('getInvoiceState');
export const acceptLine = defineUpdate<InvoiceState, [LineDecision]>('acceptLine');
export const disputeLine = defineUpdate<InvoiceState, [LineDecision]>('disputeLine');
export const resolveDispute = defineUpdate<InvoiceState, [ResolveDispute]>('resolveDispute');
export const registerPayment = defineUpdate<InvoiceState, [PaymentInput]>('registerPayment');
