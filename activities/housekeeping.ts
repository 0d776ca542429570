// The daily clean-up: expired idempotency keys and ended sessions (FerretDB v1 has no TTL
// indexes), and the retention of personal data in closed requests: after its service's
// retention period, a request's free text is removed; invoices, amounts and minutes stay, the
// audit trail keeps verifying (reasons enter its hashes as digests), and the removal is audited.
import { searchTokens } from '../domain/search';
import { TERMINAL_STATUSES } from '../domain/lifecycle';
import { DEFAULT_RETENTION_DAYS, IDEMPOTENCY_TTL_MS } from '../domain/retention';
import { addDays, dayOf } from '../domain/dates';
import { SYSTEM_ACTOR } from '../contracts';
import { textDigest } from '../lib/audit-chain';
import type { Models } from '../models';
import { attachmentStore } from '../models/attachments';
import { appendAudit } from './audit';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ensureProviderSchedules } from '../lib/schedules';

export const REMOVED = '[verwijderd na de bewaartermijn]';

export interface HousekeepingDeps {
  models: Models;
  client?: Client;
  /** Whether this system keeps the providers' Temporal Schedules (INVOICE_SCHEDULES). */
  schedules?: boolean;
}

export function housekeepingActivities({ models, client, schedules = false }: HousekeepingDeps) {
  const attachments = attachmentStore(models);
  async function purgeExpired(input: { now: string }): Promise<{ idempotencyKeys: number; endedSessions: number; orphanChunks?: number }> {
    const now = Date.parse(input.now);
    const keys = await models.IdempotencyKey.deleteMany({ at: { $lt: now - IDEMPOTENCY_TTL_MS } });
    const sessions = await models.EndedSession.deleteMany({ until: { $lt: now } });
    // Chunks of an upload that broke off (a crash between its chunks and its file document).
    const orphanChunks = await attachments.removeOrphanChunks(now);
    return { idempotencyKeys: keys.deletedCount ?? 0, endedSessions: sessions.deletedCount ?? 0, orphanChunks };
  }

  /** Removes the free text of one closed request; safe to run again after a crash. */
  async function anonymise(requestId: string, at: string): Promise<void> {
    const request = await models.Request.findById(requestId).lean();
    if (!request || request.anonymisedAt) return;
    await models.Request.updateOne(
      { _id: requestId },
      {
        $set: {
          description: '',
          // The description's words go from the search tokens too; the title stays findable.
          searchTokens: searchTokens({ prefixed: [request.title] }),
          quoteNote: null,
          lastReason: null,
          clarifications: (request.clarifications ?? []).map(() => ({ question: REMOVED, answer: REMOVED })),
          deliverable: request.deliverable ? { ...(request.deliverable as object), notes: '' } : null,
          pendingExtension: null,
        },
      },
    );
    await models.TimeEntry.updateMany({ requestId }, { $set: { description: REMOVED } });
    await models.RequestComment.updateMany({ requestId }, { $set: { text: REMOVED, mentions: [] } });
    await models.Mail.updateMany({ requestId }, { $set: { html: `<p>${REMOVED}</p>` } });
    await attachments.removeOfRequest(requestId);
    // Reasons in the audit trail: the text goes, its digest stays so the chain still verifies.
    // (The model refuses changes to audit events; this is the one sanctioned one.)
    const events = await models.AuditEvent.find({ subject: `request-${requestId}` }).lean();
    for (const e of events) {
      const after = e.after as Record<string, unknown> | null;
      if (after && typeof after.reason === 'string')
        await models.AuditEvent.collection.updateOne({ _id: e._id } as never, {
          $set: { 'after.reason': null, 'after.reasonDigest': textDigest(after.reason) },
        });
    }
    const last = events.reduce((m, e) => Math.max(m, e.seq), 0);
    if (!events.some((e) => e.action === 'retentionApplied'))
      await appendAudit(models, `request-${requestId}`, {
        seq: last + 1,
        action: 'retentionApplied',
        actor: SYSTEM_ACTOR,
        at,
        before: null,
        after: {
          removed: [
            'description',
            'quoteNote',
            'clarifications',
            'notes',
            'reasons',
            'timeEntryDescriptions',
            'mails',
            'comments',
            'attachments',
          ],
        },
      });
    await models.Request.updateOne({ _id: requestId }, { $set: { anonymisedAt: at } });
  }

  /** Every closed request whose retention period (its service's) has passed on `asOf`. */
  async function applyRetention(input: { asOf: string; at: string }): Promise<{ anonymised: number }> {
    let anonymised = 0;
    for (const service of await models.Service.find().select({ retentionDays: 1 }).lean()) {
      const cutoff = addDays(input.asOf, -(service.retentionDays ?? DEFAULT_RETENTION_DAYS));
      const due = await models.Request.find({ serviceId: service._id, status: { $in: TERMINAL_STATUSES }, anonymisedAt: null })
        .select({ updatedAt: 1 })
        .lean();
      for (const r of due.filter((x) => dayOf(x.updatedAt) < cutoff)) {
        await anonymise(r._id, input.at);
        anonymised += 1;
      }
    }
    return { anonymised };
  }

  /**
   * Every provider's monthly schedules, on this worker's task queue: repairs the ones that the
   * catalogue or contribution action could not create (Temporal was away at that moment).
   */
  async function ensureSchedules(): Promise<{ schedulesCreated: string[] }> {
    if (!schedules || !client) return { schedulesCreated: [] };
    return { schedulesCreated: await ensureProviderSchedules(client, models, Context.current().info.taskQueue) };
  }

  return { purgeExpired, applyRetention, ensureSchedules };
}
