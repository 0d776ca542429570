import { defineQuery } from '@temporalio/workflow';
import type { Actor } from '../domain/roles';

export const invoiceRunWorkflowId = (provider: string, period: string) => `invoice-run-${provider}-${period}`;

export interface InvoiceRunInput {
  provider: string;
  period: string; // YYYY-MM
  issueDate: string; // YYYY-MM-DD
  startedBy: Actor;
}

export interface InvoiceRunProgress {
  phase: 'claiming' | 'invoicing' | 'done';
  entriesTotal: number;
  entriesProcessed: number;
  buyersTotal: number;
  invoicesMade: number;
  invoiceIds: string[];
}

export const getInvoiceRunProgress = defineQuery<InvoiceRunProgress>('getInvoiceRunProgress');

export interface ScheduledRunInput {
  provider: string;
}
export const invoiceScheduleId = (provider: string) => `invoice-schedule-${provider}`;
