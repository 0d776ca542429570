import type { Actor } from '../domain/roles';
import { ignoreDuplicateKey, type Models } from '../models';

export interface AuditEventInput {
  seq: number;
  action: string;
  actor: Actor;
  at: string;
  before: unknown;
  after: unknown;
}

/** Appends one audit event; its id (<subject>:<seq>) makes a retried append a no-op. */
export async function appendAudit(models: Models, subject: string, event: AuditEventInput): Promise<void> {
  await models.AuditEvent.create({
    _id: `${subject}:${event.seq}`,
    subject,
    seq: event.seq,
    action: event.action,
    actor: event.actor.userId,
    org: event.actor.org,
    at: event.at,
    before: event.before,
    after: event.after,
  }).catch(ignoreDuplicateKey);
}
