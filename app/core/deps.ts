// What the application layer is built from: the database models, the Temporal client and the
// task queue its workflows run on.
import type { Client } from '@temporalio/client';
import type { Models } from '../../models';

export interface AppDeps {
  models: Models;
  client: Client;
  taskQueue: string;
  /** Where people reach the pages (PUBLIC_BASE_URL), for links in mails the app writes. */
  publicBaseUrl?: string;
  /** The largest attachment (ATTACHMENT_MAX_MB), and the ClamAV daemon that scans uploads, if any. */
  attachments?: { maxBytes: number; clamd: { host: string; port: number } | null };
  /** Whether this system keeps the providers' Temporal Schedules (INVOICE_SCHEDULES). */
  schedules?: boolean;
}
