// A correction of billed hours by provider finance: a new approved entry for a request on an
// invoice, billed by a later run. Its own short workflow writes it, with its audit event,
// whether the invoice and the request are still open or closed long ago.
import type { Actor } from '../domain/roles';

export const correctionWorkflowId = (correctionId: string) => `correction-${correctionId}`;

export interface CorrectionInput {
  correctionId: string;
  invoiceId: string;
  invoiceNumber: string;
  requestId: string;
  date: string;
  minutes: number;
  description: string;
  actor: Actor;
  at: string;
}

export interface CorrectionResult {
  entryId: string;
  requestId: string;
  date: string;
  minutes: number;
  status: 'approved';
}
