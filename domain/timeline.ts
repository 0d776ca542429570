// A request's history as one chronological view: status changes with who did them, questions
// and answers, comments, attachments, mails, hours per week and the invoices that billed them. Who sees
// what: the provider's internal notes and mails between the provider's own people never reach
// the buyer, and each side sees the mails sent to its own people.
import { mondayOf } from './dates';
import { createAccess, type AccessRule } from './access';
import { refuse } from './refusals';
import type { Actor } from './roles';

export type TimelineItem =
  | { kind: 'event'; at: string; action: string; actorId: string; from: string | null; to: string | null; reason: string | null }
  | { kind: 'question' | 'answer'; at: string; actorId: string; text: string }
  | { kind: 'comment'; at: string; actorId: string; text: string; internal: boolean }
  | { kind: 'mail'; at: string; toId: string; subject: string }
  | { kind: 'attachment'; at: string; actorId: string; attachmentId: string; name: string; size: number; context: string }
  | { kind: 'hours'; at: string; week: string; minutes: number; entries: number }
  | { kind: 'invoice'; at: string; invoiceId: string; number: string; minutes: number };

/** Hours actions are summarised per week, not listed one by one. */
const HOURS_ACTIONS = new Set(['logTime', 'editTime', 'deleteTime', 'approveTime']);

export interface TimelineInput {
  events: readonly {
    at: string;
    action: string;
    actor: string;
    before?: { status?: string } | null;
    after?: { status?: string; reason?: string } | null;
  }[];
  clarifications: readonly { question: string; answer: string | null }[];
  comments: readonly { at: string; authorId: string; text: string; internal: boolean }[];
  mails: readonly { at: string; toId: string; subject: string }[];
  /** Files added to the request; both parties see them all. */
  attachments?: readonly { at: string; actorId: string; attachmentId: string; name: string; size: number; context: string }[];
  entries: readonly { date: string; minutes: number; createdAt: string }[];
  invoices: readonly { invoiceId: string; number: string; issueDate: string; minutes: number }[];
  /** The reader's side of the request. */
  side: 'buyer' | 'provider';
  /** Whether a mail's recipient belongs to the reader's organisation. */
  ownMail: (toId: string) => boolean;
}

export function requestTimeline(input: TimelineInput): TimelineItem[] {
  const items: TimelineItem[] = [];
  let asked = 0;
  let answered = 0;
  for (const e of input.events) {
    if (HOURS_ACTIONS.has(e.action)) continue;
    // Questions and answers: the n-th question event asked the n-th clarification.
    if (e.action === 'askClarification' && input.clarifications[asked]) {
      items.push({ kind: 'question', at: e.at, actorId: e.actor, text: input.clarifications[asked++]!.question });
      continue;
    }
    if (e.action === 'answerClarification' && input.clarifications[answered]?.answer) {
      items.push({ kind: 'answer', at: e.at, actorId: e.actor, text: input.clarifications[answered++]!.answer! });
      continue;
    }
    const from = e.before?.status ?? null;
    const to = e.after?.status ?? null;
    items.push({
      kind: 'event',
      at: e.at,
      action: e.action,
      actorId: e.actor,
      from,
      to: to === from ? null : to,
      reason: e.after?.reason ?? null,
    });
  }
  for (const c of input.comments) {
    if (c.internal && input.side !== 'provider') continue;
    items.push({ kind: 'comment', at: c.at, actorId: c.authorId, text: c.text, internal: c.internal });
  }
  for (const a of input.attachments ?? []) items.push({ kind: 'attachment', ...a });
  for (const m of input.mails) if (input.ownMail(m.toId)) items.push({ kind: 'mail', at: m.at, toId: m.toId, subject: m.subject });
  // Hours per week, shown when the week's last entry was written.
  const weeks = new Map<string, { minutes: number; entries: number; at: string }>();
  for (const e of input.entries) {
    const week = mondayOf(e.date);
    const w = weeks.get(week) ?? { minutes: 0, entries: 0, at: e.createdAt };
    w.minutes += e.minutes;
    w.entries += 1;
    if (e.createdAt > w.at) w.at = e.createdAt;
    weeks.set(week, w);
  }
  for (const [week, w] of weeks) items.push({ kind: 'hours', at: w.at, week, minutes: w.minutes, entries: w.entries });
  for (const i of input.invoices)
    items.push({ kind: 'invoice', at: `${i.issueDate}T23:59:59.999Z`, invoiceId: i.invoiceId, number: i.number, minutes: i.minutes });
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

/** Who may comment on a request: anyone of either party; internal notes only the provider's people. */
type Side = 'buyer' | 'provider';
const everyoneOf = (side: Side) =>
  (['requester', 'buyer_finance', 'coordinator', 'staff', 'reviewer', 'provider_finance', 'admin'] as const).map(
    (role) => [side, role] as const,
  );
export const COMMENT_ACTIONS = {
  comment: { by: [...everyoneOf('buyer'), ...everyoneOf('provider')] },
  internalNote: { by: everyoneOf('provider') },
} as const satisfies Record<string, AccessRule<Side, string, never>>;
export type CommentAction = keyof typeof COMMENT_ACTIONS;

const access = createAccess<Side, string, never, CommentAction>({
  table: COMMENT_ACTIONS,
  conditions: {},
  stateRefusal: (action, status) => refuse('action_not_in_state', { action, status }),
});

export function commentRefusal(action: CommentAction, r: { buyer: string; provider: string; status: string }, actor: Actor) {
  return access.check(action, { ...r, parties: { buyer: r.buyer, provider: r.provider } }, actor);
}

/** The colleagues a comment names with @: by user id or first name, in the author's organisation. */
export function mentionedIn(text: string, colleagues: readonly { userId: string; name: string }[]): string[] {
  // Not inside a word (mail@joris.nl), and without the punctuation after it (@Sanne.).
  const names = [...text.matchAll(/(?<![\p{L}\d])@([\p{L}\d](?:[\p{L}\d._-]*[\p{L}\d])?)/gu)].map((m) => m[1]!.toLowerCase());
  return colleagues
    .filter((c) => names.some((n) => n === c.userId.toLowerCase() || n === c.name.split(/\s+/)[0]!.toLowerCase()))
    .map((c) => c.userId);
}
