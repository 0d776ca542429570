// Appending to the tamper-evident audit trail (lib/audit-chain.ts). A workflow appends its
// subject's events in order (appendAudit); a subject that many callers write at once, such as
// the downloads of an attachment, takes the next free number (appendNextAudit).
import type { Actor } from '../domain/roles';
import { auditHash } from '../lib/audit-chain';
import { isDuplicateKey, type Models } from './index';

export interface AuditEventInput {
  seq: number;
  action: string;
  actor: Actor;
  at: string;
  before: unknown;
  after: unknown;
}

/**
 * The last hash this process wrote per subject, per database: an event never changes
 * once written, so the next append of a subject (its workflow stays on one worker) skips the
 * read of the one before. Bounded; the oldest subjects are forgotten first.
 */
const lastHashes = new WeakMap<Models, Map<string, { seq: number; hash: string }>>();
const LAST_HASHES_MAX = 10_000;

function rememberHash(models: Models, subject: string, seq: number, hash: string): void {
  let m = lastHashes.get(models);
  if (!m) lastHashes.set(models, (m = new Map()));
  m.delete(subject);
  m.set(subject, { seq, hash });
  if (m.size > LAST_HASHES_MAX) m.delete(m.keys().next().value!);
}

async function previousHash(models: Models, subject: string, seq: number): Promise<string> {
  if (seq <= 1) return '';
  const known = lastHashes.get(models)?.get(subject);
  if (known?.seq === seq - 1) return known.hash;
  const previous = await models.AuditEvent.findById(`${subject}:${seq - 1}`)
    .select({ hash: 1 })
    .lean();
  // Before hashing began, a subject's events had no hash: its chain starts at this event.
  return previous?.hash ?? '';
}

async function chained(models: Models, subject: string, event: AuditEventInput) {
  const prevHash = await previousHash(models, subject, event.seq);
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
  const doc = await chained(models, subject, event);
  try {
    await models.AuditEvent.create(doc);
  } catch (err) {
    // A retry of an append that got there first: the stored event is the one to chain to.
    if (!isDuplicateKey(err)) throw err;
    lastHashes.get(models)?.delete(subject);
    return;
  }
  rememberHash(models, subject, doc.seq, doc.hash);
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
      const doc = await chained(models, subject, { ...event, seq });
      await models.AuditEvent.create(doc);
      rememberHash(models, subject, seq, doc.hash);
      return seq;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 20) throw err;
    }
  }
}
