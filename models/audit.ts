// Appending to the tamper-evident audit trail (lib/audit-chain.ts). A workflow appends its
// subject's events in order (appendAudit); a subject that many callers write at once, such as
// the downloads of an attachment, takes the next free number (appendNextAudit).
import type { Actor } from '../domain/roles';
import { auditHash } from '../lib/audit-chain';
import { ignoreDuplicateKey, isDuplicateKey, type Models } from './index';

export interface AuditEventInput {
  seq: number;
  action: string;
  actor: Actor;
  at: string;
  before: unknown;
  after: unknown;
}

async function chained(models: Models, subject: string, event: AuditEventInput) {
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
  return { _id: `${subject}:${event.seq}`, ...doc, prevHash, hash: auditHash(doc, prevHash) };
}

/**
 * Appends one audit event, chained to the one before it on the same subject. Its id
 * (<subject>:<seq>) makes a retried append a no-op; the subject's workflow writes its events
 * in order, so the previous one is there.
 */
export async function appendAudit(models: Models, subject: string, event: AuditEventInput): Promise<void> {
  await models.AuditEvent.create(await chained(models, subject, event)).catch(ignoreDuplicateKey);
}

/**
 * Appends an event after the subject's last one. Two callers at once may pick the same number:
 * the unique id lets one in (atomic on FerretDB too) and the other takes the next number.
 */
export async function appendNextAudit(models: Models, subject: string, event: Omit<AuditEventInput, 'seq'>): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const last = await models.AuditEvent.find({ subject }).sort({ seq: -1 }).limit(1).select({ seq: 1 }).lean();
    const seq = (last[0]?.seq ?? 0) + 1;
    try {
      await models.AuditEvent.create(await chained(models, subject, { ...event, seq }));
      return seq;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 20) throw err;
    }
  }
}
