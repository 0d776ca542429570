// Messages of a netting round (verrekenronde): the open invoices between the region's
// organisations settled against each other, once the finance of every party has agreed.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Transfer } from '../domain/netting';
import type { Actor } from '../domain/roles';

export const nettingWorkflowId = (roundId: string) => `netting-${roundId}`;

export interface NettingInvoice {
  invoiceId: string;
  number: string;
  provider: string;
  buyer: string;
  /** What was outstanding when the round was proposed: exactly this is settled. */
  amountCents: number;
}

export interface NettingInput {
  roundId: string;
  invoices: NettingInvoice[];
  parties: string[];
  transfers: Transfer[];
  proposedBy: Actor;
  proposedAt: string;
  /** Days the parties have to agree before the round lapses. */
  expiresInDays: number;
}

export type NettingStatus = 'proposed' | 'rejected' | 'expired' | 'settling' | 'stale' | 'settled';

export interface NettingDecision {
  org: string;
  userId: string;
  name: string;
  at: string;
  reason?: string;
}

export interface NettingState {
  roundId: string;
  status: NettingStatus;
  parties: string[];
  invoices: NettingInvoice[];
  transfers: Transfer[];
  agreements: NettingDecision[];
  rejection: NettingDecision | null;
  proposedBy: string;
  proposedAt: string;
  expiresAt: string;
  settledAt: string | null;
  settledInvoiceIds: string[];
  /** Invoices that changed after the proposal (paid, disputed, credited): the round settled nothing. */
  staleInvoiceIds: string[];
  version: number;
}

export const getNettingState = defineQuery<NettingState>('getNettingState');
export const agreeNetting = defineUpdate<NettingState, [{ actor: Actor }]>('agreeNetting');
export const rejectNetting = defineUpdate<NettingState, [{ actor: Actor; reason: string }]>('rejectNetting');

/** What the round asks of an invoice: hold it (nothing else may change it), let it go, or settle it. */
export interface NettingHold {
  actor: Actor;
  roundId: string;
  amountCents: number;
  date: string;
}
export const holdForNetting = defineUpdate<{ done: boolean }, [NettingHold]>('holdForNetting');
export const releaseNetting = defineUpdate<{ done: boolean }, [NettingHold]>('releaseNetting');
export const settleByNetting = defineUpdate<{ done: boolean }, [NettingHold]>('settleByNetting');
/** The payment reference a netting round leaves on an invoice. */
export const nettingReference = (roundId: string) => `Verrekening ${roundId}`;
