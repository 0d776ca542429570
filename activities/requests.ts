// Request activities: one idempotent write per workflow action.
import { searchTokens } from '../domain/search';
import type { Breach, RequestState } from '../contracts';
import { refuse } from '../domain/refusals';
import { slaPlan } from '../domain/calendar';
import { addDays, dutchDate, endOfDutchDay } from '../domain/dates';
import { MAX_MINUTES_PER_DAY } from '../domain/time';
import type { Actor } from '../domain/roles';
import type { Views } from '../lib/views';
import { ignoreDuplicateKey, isDuplicateKey, type Models } from '../models';
import { enqueueMails } from '../models/outbox';
import { withKeyLock } from '../lib/key-lock';
import { appendAudit } from './audit';
import { dayTotalsReady } from '../models/day-totals';
import { createDirectory } from '../app/core/directory';
import { composeMails, type MailRequest } from './mail';

export interface AuditInput {
  seq: number;
  action: string;
  actor: Actor;
  at: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export interface EntryOp {
  op: 'insert' | 'update' | 'delete';
  entryId: string;
  userId: string;
  date: string;
  minutes: number;
  description: string;
  previous?: { date: string; minutes: number };
}

export interface RecordRequestInput {
  state: RequestState;
  submittedBy: string;
  submittedAt: string;
  event: AuditInput;
  entry?: EntryOp;
  /** Approve the registered entries dated up to `upTo` (all of them when null): these ones (since they are passed). */
  approve?: { upTo: string | null; entryIds?: string[] };
  notify?: MailRequest[];
  breach?: Breach;
  /** An SLA that starts with this action: planned here and shown in this write of the read model. */
  plan?: { kind: DeadlineKind; workingDays: number };
}

type DeadlineKind = keyof RequestState['deadlines'];

/** When an SLA ends, and the delays of its timers (see planDeadline). */
export interface PlannedDeadline {
  deadline: string;
  delayMs: number;
  reminderDelayMs: number;
}

export interface RequestActivityDeps {
  models: Models;
  views: Views;
  /** Scales SLA timers (1 in production; tests shrink working days to milliseconds). */
  slaTimeScale: number;
  /** Where the pages are: mails link to the request there. */
  publicBaseUrl: string;
}

export function requestActivities({ models, views, slaTimeScale, publicBaseUrl }: RequestActivityDeps) {
  const { Request, TimeEntry, DayTotal } = models;
  const directory = createDirectory(models);

  const dayId = (userId: string, date: string) => `${userId}|${date}`;

  /**
   * Runs a write of a person-day under that day's lock: one writer per person-day, so
   * concurrent registrations on several requests cannot overrun the cap, none is lost, and the
   * day's total (read-modify-write on FerretDB v1) loses no entry.
   */
  async function underDayLock<T>(userId: string, date: string, entryId: string, work: () => Promise<T>): Promise<T> {
    // The entry owns the lock: a retry of this write after a worker crash takes it over at once
    // (it counts the day without this entry, and writes it once), others wait.
    return withKeyLock(models, `day:${userId}:${date}`, work, { owner: entryId });
  }

  /** Writes an entry's minutes on its person-day, refusing past 24 hours; the day total first. */
  async function withinDay(userId: string, date: string, entryId: string, minutes: number, write: () => Promise<unknown>) {
    // Totals of older entries first (once per process), outside the lock: a long build must not make it look stale.
    await dayTotalsReady(models);
    await underDayLock(userId, date, entryId, async () => {
      const day = (await DayTotal.findById(dayId(userId, date)).lean())?.minutes ?? {};
      // Already counted with these minutes: an earlier attempt of this write passed the cap (or
      // the entry keeps its minutes), so the day does not change and nothing is refused.
      if (day[entryId] !== minutes) {
        const used = Object.entries(day).reduce((s, [id, m]) => (id === entryId ? s : s + m), 0);
        if (used + minutes > MAX_MINUTES_PER_DAY)
          throw refuse('day_cap_exceeded', { date, remainingMinutes: Math.max(0, MAX_MINUTES_PER_DAY - used) }, 'minutes');
        // Counted before written: a crash in between over-counts the day until the retry writes the entry.
        await DayTotal.updateOne({ _id: dayId(userId, date) }, { $set: { [`minutes.${entryId}`]: minutes } }, { upsert: true });
      }
      await write();
    });
  }

  /** Takes an entry's minutes off a person-day (it was deleted, or moved to another day). */
  async function offDay(userId: string, date: string, entryId: string) {
    await underDayLock(userId, date, entryId, () =>
      DayTotal.updateOne({ _id: dayId(userId, date) }, { $unset: { [`minutes.${entryId}`]: 1 } }),
    );
  }

  async function applyEntry(state: RequestState, op: EntryOp, at: string): Promise<void> {
    if (op.op === 'insert') {
      // A retry after the entry was written finds it counted on its day, and its insert is a no-op.
      await withinDay(op.userId, op.date, op.entryId, op.minutes, () =>
        TimeEntry.create({
          _id: op.entryId,
          requestId: state.requestId,
          agreementId: state.agreementId,
          buyer: state.buyer,
          provider: state.provider,
          userId: op.userId,
          date: op.date,
          minutes: op.minutes,
          description: op.description,
          status: 'registered',
          createdAt: at,
        }).catch(ignoreDuplicateKey),
      );
    } else if (op.op === 'update') {
      // Only the new day can pass the cap; the old one only loses minutes (after: the entry
      // counts on both days for a moment, never on neither).
      await withinDay(op.userId, op.date, op.entryId, op.minutes, () =>
        TimeEntry.updateOne({ _id: op.entryId }, { $set: { date: op.date, minutes: op.minutes, description: op.description } }),
      );
      if (op.previous && op.previous.date !== op.date) await offDay(op.userId, op.previous.date, op.entryId);
    } else {
      // Only open (registered) entries reach here: the workflow refuses the others.
      await TimeEntry.deleteOne({ _id: op.entryId });
      await offDay(op.userId, op.date, op.entryId);
    }
  }

  /**
   * When an SLA ends, in working days from today (or at the end of a given day), as a real
   * deadline and as timer delays. Weekends and Dutch public holidays do not count.
   */
  function deadlineOf(input: { workingDays?: number; until?: string; daysBefore?: number }): PlannedDeadline {
    const now = Date.now();
    const today = dutchDate(now);
    const plan = input.until
      ? { deadline: input.until, reminder: input.daysBefore ? addDays(input.until, -input.daysBefore) : input.until }
      : slaPlan(today, input.workingDays ?? 0);
    const scale = (ms: number) => Math.max(1, Math.round((ms - now) * slaTimeScale));
    return {
      deadline: plan.deadline,
      delayMs: scale(endOfDutchDay(plan.deadline)),
      reminderDelayMs: scale(endOfDutchDay(plan.reminder) - 8 * 3_600_000),
    };
  }

  /**
   * Writes one action of a request: its time entry, approvals, read model, audit event and
   * mails. Returns the deadline of an SLA that starts with it (input.plan).
   */
  async function recordRequest(input: RecordRequestInput): Promise<PlannedDeadline | undefined> {
    const { state, event } = input;
    const planned = input.plan ? deadlineOf(input.plan) : undefined;
    if (input.entry) await applyEntry(state, input.entry, event.at);
    if (input.approve?.entryIds) {
      // The workflow's open entries are registered ones: each is approved by _id. Only while
      // registered: a late retry must not turn an invoiced entry back into an approved one.
      const ops = input.approve.entryIds.map((id) => ({
        updateOne: { filter: { _id: id, status: 'registered' }, update: { $set: { status: 'approved' as const } } },
      }));
      if (ops.length) await TimeEntry.bulkWrite(ops, { ordered: false });
    } else if (input.approve) {
      // Written by a workflow from before the ids were passed.
      const filter: Record<string, unknown> = { requestId: state.requestId, status: 'registered' };
      if (input.approve.upTo) filter.date = { $lte: input.approve.upTo };
      await TimeEntry.updateMany(filter, { $set: { status: 'approved' } });
    }
    // Mails first: whoever sees the new state can also see the mails it caused.
    if (input.notify?.length) {
      const mails = await composeMails(models, views, directory.orgNames, {
        state,
        link: `${publicBaseUrl}/aanvragen/${state.requestId}`,
        submittedBy: input.submittedBy,
        seq: event.seq,
        at: event.at,
        reason: event.reason,
        notify: input.notify,
        slaKind: input.breach?.kind ?? event.action.split(':')[1],
        deadline:
          input.breach?.deadline ??
          (event.action.startsWith('sla') ? (state.deadlines.intake ?? state.deadlines.delivery ?? undefined) : undefined),
      });
      await enqueueMails(models, mails);
    }
    // The audit event before the read model: whoever sees the new state can also see who did it.
    await appendAudit(models, `request-${state.requestId}`, {
      ...event,
      after: { ...(event.after as object), ...(event.reason ? { reason: event.reason } : {}) },
    });
    // The read model in one write by _id, which also returns the one it replaced (FerretDB v1
    // answers a compound filter by reading the whole collection, and its conditional updates are
    // not atomic anyway). The workflow writes one request's snapshots one after the other; only
    // a late attempt of an earlier write can come after a newer one, and then it puts that back.
    const snapshot = {
      kind: state.kind,
      buyer: state.buyer,
      provider: state.provider,
      serviceId: state.serviceId,
      agreementId: state.agreementId,
      title: state.title,
      description: state.description ?? '',
      searchTokens: searchTokens({ prefixed: [state.title], whole: [state.description] }),
      status: state.status,
      estimateMinutes: state.estimateMinutes,
      quoteNote: state.quoteNote ?? null,
      budgetMinutes: state.budgetMinutes,
      loggedMinutes: state.loggedMinutes,
      assignee: state.assignee,
      contributors: state.contributors,
      nominatedReviewer: state.nominatedReviewer ?? null,
      deliverable: state.deliverable,
      pendingExtension: state.pendingExtension,
      clarifications: state.clarifications,
      lastReason: state.lastReason,
      lastReasonAction: state.lastReasonAction ?? null,
      deadlines: input.plan ? { ...state.deadlines, [input.plan.kind]: planned!.deadline } : state.deadlines,
      breaches: state.breaches,
      overdue: state.breaches.length > 0 && !['completed', 'rejected', 'cancelled'].includes(state.status),
      version: state.version,
      submittedAt: input.submittedAt,
      updatedAt: event.at,
    };
    const write = () =>
      Request.findOneAndUpdate({ _id: state.requestId }, { $set: snapshot }, { upsert: true, new: false }).lean<{
        version?: number;
      } | null>();
    // Two first writes at once (a retry racing its own earlier attempt): one inserts, the other updates.
    const replaced = await write().catch((err: unknown) => (isDuplicateKey(err) ? write() : Promise.reject(err)));
    if (replaced?.version !== undefined && replaced.version > state.version) await Request.replaceOne({ _id: state.requestId }, replaced);
    return planned;
  }

  /** An SLA's deadline and timer delays (deadlineOf), for workflows that plan it apart from an action. */
  async function planDeadline(input: {
    workingDays?: number;
    until?: string;
    daysBefore?: number;
    /** Also show the deadline in the read model of this request (idempotent: the same date again). */
    project?: { requestId: string; kind: DeadlineKind };
  }): Promise<PlannedDeadline> {
    const planned = deadlineOf(input);
    if (input.project)
      await Request.updateOne({ _id: input.project.requestId }, { $set: { [`deadlines.${input.project.kind}`]: planned.deadline } });
    return planned;
  }

  return { recordRequest, planDeadline };
}
