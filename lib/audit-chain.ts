// A tamper-evident audit trail: every event carries the hash of the event before it on the same
// subject (a request, an invoice, a correction), and its own hash over its content and that
// link. Editing, removing or reordering an event breaks the chain from there on.
// Free text that may hold personal data (a reason) enters the hash as its digest, so that the
// retention clean-up can remove the text and the chain still verifies.
import crypto from 'node:crypto';

export const PERSONAL_FIELDS = ['reason'] as const;

export interface ChainedEvent {
  subject: string;
  seq: number;
  action: string;
  actor: string;
  org: string;
  at: string;
  before?: unknown;
  after?: unknown;
  prevHash?: string | null;
  hash?: string | null;
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
export const textDigest = (text: string) => `sha256:${sha256(text)}`;

/** JSON with sorted keys, so the same content always gives the same text. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** A before/after snapshot with its personal text replaced by digests (a removed text keeps its digest). */
function hashable(snapshot: unknown): unknown {
  if (!snapshot || typeof snapshot !== 'object' || Array.isArray(snapshot)) return snapshot ?? null;
  const out: Record<string, unknown> = { ...(snapshot as Record<string, unknown>) };
  for (const f of PERSONAL_FIELDS) {
    const digest = out[`${f}Digest`];
    if (typeof digest === 'string') out[f] = digest;
    else if (typeof out[f] === 'string') out[f] = textDigest(out[f] as string);
    delete out[`${f}Digest`];
  }
  return out;
}

export function auditHash(e: ChainedEvent, prevHash: string): string {
  return sha256(
    stableJson({
      subject: e.subject,
      seq: e.seq,
      action: e.action,
      actor: e.actor,
      org: e.org,
      at: e.at,
      before: hashable(e.before),
      after: hashable(e.after),
      prevHash,
    }),
  );
}

export type ChainCheck =
  | { ok: true; events: number; from: number | null }
  | { ok: false; events: number; brokenAt: number; problem: 'hash_mismatch' | 'broken_link' | 'missing_event' | 'unhashed_event' };

/**
 * Checks a subject's events (any order) and reports the first broken link. Events written
 * before hashing began have no hash: the chain then starts at the first hashed event.
 */
export function verifyChain(events: readonly ChainedEvent[]): ChainCheck {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  let prev: ChainedEvent | null = null;
  let from: number | null = null;
  for (const e of sorted) {
    if (prev && e.seq !== prev.seq + 1) return { ok: false, events: sorted.length, brokenAt: prev.seq + 1, problem: 'missing_event' };
    if (!e.hash) {
      if (from !== null) return { ok: false, events: sorted.length, brokenAt: e.seq, problem: 'unhashed_event' };
      prev = e;
      continue;
    }
    from ??= e.seq;
    const expectedPrev = e.seq === 1 ? '' : (prev?.hash ?? e.prevHash ?? '');
    if ((e.prevHash ?? '') !== expectedPrev) return { ok: false, events: sorted.length, brokenAt: e.seq, problem: 'broken_link' };
    if (auditHash(e, e.prevHash ?? '') !== e.hash) return { ok: false, events: sorted.length, brokenAt: e.seq, problem: 'hash_mismatch' };
    prev = e;
  }
  return { ok: true, events: sorted.length, from };
}
