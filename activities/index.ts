// Activities: thin, idempotent I/O, built by a factory that receives their dependencies.
// Rules live in domain/, orchestration in workflows/.
import { refusalFailure } from '../contracts/failures';
import { Refusal } from '../domain/refusals';
import type { Client } from '@temporalio/client';
import type { Views } from '../lib/views';
import type { Models } from '../models';
import { contributionActivities } from './contributions';
import { correctionActivities } from './corrections';
import { housekeepingActivities } from './housekeeping';
import { invoiceActivities } from './invoices';
import { invoicingActivities } from './invoicing';
import { nettingActivities } from './netting';
import { requestActivities } from './requests';

export type { RecordRequestInput, EntryOp, AuditInput, PlannedDeadline } from './requests';
export type { MailKind } from './mail';
export type { CreateInvoiceInput } from './invoicing';

export interface ActivityDeps {
  models: Models;
  views: Views;
  slaTimeScale?: number;
  /** Where the pages are, for the links in mails (PUBLIC_BASE_URL). */
  publicBaseUrl?: string;
  /** For activities that send Updates to other workflows (a netting round to its invoices). */
  client?: Client;
  /** Whether this system keeps the providers' Temporal Schedules (INVOICE_SCHEDULES). */
  schedules?: boolean;
}

/** Wraps each activity so a Refusal reaches the workflow as a typed, non-retryable failure with its code. */
function typedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof Refusal) throw refusalFailure(err);
        throw err;
      }
    };
  }
  return out as T;
}

export function createActivities({
  models,
  views,
  slaTimeScale = 1,
  publicBaseUrl = 'http://127.0.0.1:3000',
  client,
  schedules,
}: ActivityDeps) {
  return typedFailures({
    ...requestActivities({ models, views, slaTimeScale, publicBaseUrl }),
    ...invoicingActivities({ models }),
    ...invoiceActivities({ models, views, publicBaseUrl }),
    ...contributionActivities({ models }),
    ...correctionActivities({ models }),
    ...housekeepingActivities({ models, client, schedules }),
    ...nettingActivities({ models, client }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
