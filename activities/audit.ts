import type { Actor } from '../domain/roles';
import { auditHash } from '../lib/audit-chain';
import { ignoreDuplicateKey, type Models } from '../models';

export interface AuditEventInput {
  seq: number;
  action: string;
  actor: Actor;
  at: string;
  before: unknown;
  after: unknown;
}

/**
 * Appends one audit event, chained to the one before it on the same subject (lib/audit-chain.ts).
 * Its id (<subject>:<seq>) makes a retried append a no-op; the subject's workflow writes its
 * events in order, so the previous one is there.
 */
export async function appendAudit(models: Models, subject: string, event: AuditEventInput): Promise<void> {
  const previous =
    event.seq > 1
      ? await models.AuditEvent.findById(`${subject}:${event.seq - 1}`)
          .select({ hash: 1 })
          .lean()
      : null;
  // Before hashing began, a subject's events had no hash: its chain starts at this event.
  const prevHash = event.seq === 1 ? '' : (previous?.hash ?? '');
  const doc = {
    subject,
    seq: event.seq,
    action: event.action,
    actor: event.actor.userId,
    org: event.actor.org,
    at: event.at,
    before: event.before ?? null,
    after: event.after ?? null,
  };
  await models.AuditEvent.create({ _id: `${subject}:${event.seq}`, ...doc, prevHash, hash: auditHash(doc, prevHash) }).catch(
    ignoreDuplicateKey,
  );
}
