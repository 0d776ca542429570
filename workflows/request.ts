// One policy request (opdracht) from intake to completion. Orchestration only: rules come
// from domain/, records are written by activities, people act through validated Updates,
// timers drive SLAs and silent acceptance.
import * as wf from '@temporalio/workflow';
import type { Activities, MailKind, PlannedDeadline, RecordRequestInput } from '../activities';
import * as msg from '../contracts';
import {
  NON_RETRYABLE_ERRORS,
  SA,
  SYSTEM_ACTOR,
  type Breach,
  type OpenEntry,
  type RequestInput,
  type RequestState,
  type TimeEntrySummary,
} from '../contracts';
import { dutchDate } from '../domain/dates';
import { assertAllowed, crossesBudgetAlert, TERMINAL_STATUSES, type RequestAction, type RequestStatus } from '../domain/lifecycle';
import { invalidInput, refuse } from '../domain/refusals';
import type { Actor } from '../domain/roles';
import { validateTimeEntry } from '../domain/time';
import { guard } from './guard';

// Local activities: short, idempotent database writes that run inside the workflow task.
// Each leaves one marker event instead of three activity events and a second workflow
// task, which keeps a request's history small (about 6 events an action).
const { recordRequest, planDeadline } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

const DEFAULT_HISTORY_LIMIT = 2_000;
const MAX_BUDGET_MINUTES = 60 * 10_000;

export function initialState(input: RequestInput): RequestState {
  return {
    requestId: input.requestId,
    kind: input.kind,
    buyer: input.buyer,
    provider: input.provider,
    serviceId: input.serviceId,
    agreementId: input.agreementId,
    title: input.title,
    description: input.description ?? '',
    status: 'submitted',
    estimateMinutes: null,
    quoteNote: null,
    budgetMinutes: null,
    loggedMinutes: 0,
    assignee: null,
    assignedAt: null,
    contributors: [],
    reviewRequired: input.process.reviewRequired ?? true,
    nominatedReviewer: null,
    openEntries: [],
    entrySeq: 0,
    pendingExtension: null,
    budgetAlerted: false,
    clarifications: [],
    deliverable: null,
    lastReason: null,
    lastReasonAction: null,
    deadlines: { intake: null, delivery: null, acceptance: null },
    breaches: [],
    version: 0,
    runs: 1,
  };
}

const text = (field: string, value: unknown, max = 2_000) => {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput(field, 'required');
  if (value.length > max) throw invalidInput(field, 'too_long', max);
};
const wholeMinutes = (field: string, value: unknown, max: number) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidInput(field, 'not_whole');
  if (value < 1) throw invalidInput(field, 'too_small', 1);
  if (value > max) throw invalidInput(field, 'too_large', max);
};

export async function requestWorkflow(input: RequestInput): Promise<RequestState> {
  // A state carried from an older run may lack newer fields: they start from their defaults.
  const state: RequestState = input.carried
    ? { ...initialState(input), ...input.carried, runs: input.carried.runs + 1 }
    : initialState(input);
  const today = () => dutchDate(Date.now());
  const nowIso = () => new Date(Date.now()).toISOString();
  const isTerminal = () => TERMINAL_STATUSES.includes(state.status);
  const snapshot = (): RequestState => JSON.parse(JSON.stringify(state));

  let writes: Promise<unknown> = Promise.resolve();
  type Extra = Pick<RecordRequestInput, 'entry' | 'approve' | 'notify' | 'breach'> & { reason?: string | null };
  type DeadlineKind = keyof RequestState['deadlines'];
  /**
   * SLAs planned by the action that started them, until their watch takes them (null: that
   * action's write failed). The watch may start before the write is done: it waits for it.
   */
  const plannedByAction: Partial<Record<DeadlineKind, Promise<PlannedDeadline | null>>> = {};
  /** Each SLA's length in working days (silent acceptance only when the service has it). */
  const slaDays: Record<DeadlineKind, number> = {
    intake: input.process.intakeSlaDays,
    delivery: input.process.deliverySlaDays,
    acceptance: input.process.silentAcceptanceDays ?? 0,
  };
  let deliveryWatched = state.deadlines.delivery !== null;

  /** Changes state (synchronously, so concurrent validators see it) and records the action. */
  async function act(action: string, actor: Actor, change: () => RequestStatus | void, extra: Extra = {}): Promise<void> {
    const before = snapshot();
    const to = change() ?? state.status;
    state.status = to;
    if (extra.reason !== undefined) {
      state.lastReason = extra.reason;
      state.lastReasonAction = action;
    }
    state.version += 1;
    if (before.status !== to || before.assignee !== state.assignee) {
      wf.upsertSearchAttributes([
        { key: SA.status, value: to },
        { key: SA.assignee, value: state.assignee },
      ]);
    }
    // The SLA this action starts, planned in its own write (since the patch; before, a local
    // activity of its own planned it and wrote it to the read model after this write).
    const startsSla: DeadlineKind | null =
      action === 'submit'
        ? 'intake'
        : to === 'in_progress' && !deliveryWatched && !plannedByAction.delivery && state.kind !== 'standing'
          ? 'delivery'
          : to === 'awaiting_acceptance' && before.status !== to && slaDays.acceptance
            ? 'acceptance'
            : null;
    const plan = startsSla && wf.patched('deadline-with-action') ? { kind: startsSla, workingDays: slaDays[startsSla] } : undefined;
    const { reason, ...rest } = extra;
    // The entries an approval covers, by id: the activity then writes each by _id (FerretDB
    // answers a filter on the request's entries by reading every entry).
    if (rest.approve) {
      const upTo = rest.approve.upTo;
      rest.approve = { ...rest.approve, entryIds: before.openEntries.filter((e) => upTo === null || e.date <= upTo).map((e) => e.entryId) };
    }
    // Writes of one request run one after another, in the order of their versions: the read
    // model then never goes back, even on FerretDB, whose conditional updates are not atomic.
    // The record is taken now (this version), written when the earlier writes are done.
    const record: RecordRequestInput = {
      state: snapshot(),
      submittedBy: input.submittedBy.userId,
      submittedAt: input.submittedAt,
      event: { seq: state.version, action, actor, at: nowIso(), reason: reason ?? null, before: summary(before), after: summary(state) },
      ...rest,
      ...(plan ? { plan } : {}),
    };
    const write = writes.then(() => recordRequest(record));
    writes = write.catch(() => undefined);
    if (plan)
      plannedByAction[plan.kind] = write.then(
        (planned) => (planned ? ((state.deadlines[plan.kind] = planned.deadline), planned) : null),
        () => null,
      );
    await write;
  }

  const allowed = (action: RequestAction, actor: Actor) => guard(() => assertAllowed(action, state, actor));
  const remainingBudget = () => (state.budgetMinutes === null ? Infinity : state.budgetMinutes - state.loggedMinutes);
  const budgetNotice = (before: number): Extra['notify'] =>
    !state.budgetAlerted && crossesBudgetAlert(state.budgetMinutes, before, state.loggedMinutes)
      ? ((state.budgetAlerted = true), [{ to: ['requester', 'coordinators'], kind: 'budget-alert' as MailKind }])
      : [];
  const ownOpenEntry = (actor: Actor, entryId: string): OpenEntry => {
    const entry = state.openEntries.find((e) => e.entryId === entryId);
    if (!entry) throw refuse('entry_not_open', {}, 'entryId');
    if (entry.userId !== actor.userId) throw refuse('entry_not_own', {});
    return entry;
  };

  wf.setHandler(msg.getRequestState, () => state);
  wf.setHandler(msg.submitted, async () => {
    await wf.condition(() => state.version >= 1);
    return state;
  });

  // Intake
  wf.setHandler(
    msg.acceptIntake,
    async ({ actor, estimateMinutes, note }) => {
      // A standing order runs on the agreement's hour budget; other work needs a quote if the
      // service says so, or takes the estimate as its budget.
      const quote = input.process.quoteRequired && state.kind !== 'standing';
      await act(
        'acceptIntake',
        actor,
        () => {
          state.estimateMinutes = estimateMinutes;
          state.quoteNote = typeof note === 'string' && note.trim() ? note.trim() : null;
          if (quote) return 'quoted';
          state.budgetMinutes = state.kind === 'standing' ? (input.standingBudgetMinutes ?? estimateMinutes) : estimateMinutes;
          return 'accepted';
        },
        { notify: [{ to: ['requester'], kind: quote ? 'quote' : 'intake-accepted' }] },
      );
      return state;
    },
    {
      validator: ({ actor, estimateMinutes, note }) => {
        allowed('acceptIntake', actor);
        guard(() => {
          wholeMinutes('estimateMinutes', estimateMinutes, MAX_BUDGET_MINUTES);
          if (note !== undefined && (typeof note !== 'string' || note.length > 2_000)) throw invalidInput('note', 'too_long', 2_000);
        });
      },
    },
  );
  wf.setHandler(
    msg.rejectIntake,
    async ({ actor, reason }) => {
      await act('rejectIntake', actor, () => 'rejected', { reason, notify: [{ to: ['requester'], kind: 'intake-rejected' }] });
      return state;
    },
    { validator: ({ actor, reason }) => (allowed('rejectIntake', actor), guard(() => text('reason', reason))) },
  );
  wf.setHandler(
    msg.askClarification,
    async ({ actor, text: question }) => {
      await act(
        'askClarification',
        actor,
        () => {
          state.clarifications.push({ question, answer: null });
          return 'clarification';
        },
        { notify: [{ to: ['requester'], kind: 'clarification-question' }] },
      );
      return state;
    },
    { validator: ({ actor, text: q }) => (allowed('askClarification', actor), guard(() => text('text', q))) },
  );
  wf.setHandler(
    msg.answerClarification,
    async ({ actor, text: answer }) => {
      await act(
        'answerClarification',
        actor,
        () => {
          state.clarifications[state.clarifications.length - 1]!.answer = answer;
          return 'submitted';
        },
        { notify: [{ to: ['coordinators'], kind: 'clarification-answer' }] },
      );
      return state;
    },
    { validator: ({ actor, text: a }) => (allowed('answerClarification', actor), guard(() => text('text', a))) },
  );
  wf.setHandler(
    msg.approveQuote,
    async ({ actor }) => {
      await act(
        'approveQuote',
        actor,
        () => {
          state.budgetMinutes = state.estimateMinutes;
          return 'accepted';
        },
        { notify: [{ to: ['coordinators'], kind: 'quote-approved' }] },
      );
      return state;
    },
    { validator: ({ actor }) => allowed('approveQuote', actor) },
  );
  wf.setHandler(
    msg.declineQuote,
    async ({ actor, reason }) => {
      // Back to intake: the coordinator may quote again or reject.
      await act('declineQuote', actor, () => 'submitted', { reason, notify: [{ to: ['coordinators'], kind: 'quote-declined' }] });
      return state;
    },
    { validator: ({ actor, reason }) => (allowed('declineQuote', actor), guard(() => text('reason', reason))) },
  );

  // Assignment (the API checks that the assignee is staff of the provider with the skill)
  wf.setHandler(
    msg.assign,
    async ({ actor, assignee }) => {
      await act(
        'assign',
        actor,
        () => {
          state.assignee = assignee;
          state.assignedAt ??= today();
          return 'in_progress';
        },
        { notify: [{ to: ['assignee'], kind: 'assigned' }] },
      );
      return state;
    },
    { validator: ({ actor, assignee }) => (allowed('assign', actor), guard(() => text('assignee', assignee, 100))) },
  );

  // Time registration
  wf.setHandler(
    msg.logTime,
    async ({ actor, date, minutes, description }): Promise<TimeEntrySummary> => {
      const entryId = `${state.requestId}-${++state.entrySeq}`;
      const before = state.loggedMinutes;
      // Reserve before awaiting, so parallel registrations cannot overrun the budget.
      state.loggedMinutes += minutes;
      const entry = { entryId, userId: actor.userId, date, minutes };
      state.openEntries.push(entry);
      try {
        await act(
          'logTime',
          actor,
          () => {
            if (!state.contributors.includes(actor.userId)) state.contributors.push(actor.userId);
          },
          { entry: { op: 'insert', ...entry, description }, notify: budgetNotice(before) },
        );
      } catch (err) {
        // Refused by the database (e.g. more than 24 hours that day): undo the reservation.
        state.loggedMinutes -= minutes;
        state.openEntries = state.openEntries.filter((e) => e.entryId !== entryId);
        throw err;
      }
      return entry;
    },
    {
      validator: (entry) => {
        allowed('logTime', entry.actor);
        guard(() => {
          validateTimeEntry(entry, { today: today(), workStarted: state.assignedAt ?? today() });
          const remaining = remainingBudget();
          if (entry.minutes > remaining) {
            throw refuse('budget_exceeded', { remainingMinutes: remaining }, 'minutes');
          }
        });
      },
    },
  );
  wf.setHandler(
    msg.editTime,
    async ({ actor, entryId, date, minutes, description }): Promise<TimeEntrySummary> => {
      const entry = state.openEntries.find((e) => e.entryId === entryId)!;
      const old = { ...entry };
      const before = state.loggedMinutes;
      state.loggedMinutes += minutes - old.minutes;
      Object.assign(entry, { date, minutes });
      try {
        await act('editTime', actor, () => undefined, {
          entry: {
            op: 'update',
            entryId,
            userId: actor.userId,
            date,
            minutes,
            description,
            previous: { date: old.date, minutes: old.minutes },
          },
          notify: budgetNotice(before),
        });
      } catch (err) {
        state.loggedMinutes -= minutes - old.minutes;
        Object.assign(entry, { date: old.date, minutes: old.minutes });
        throw err;
      }
      return { ...entry };
    },
    {
      validator: (input) => {
        allowed('editTime', input.actor);
        guard(() => {
          const entry = ownOpenEntry(input.actor, input.entryId);
          validateTimeEntry(input, { today: today(), workStarted: state.assignedAt ?? today() });
          const remaining = remainingBudget() + entry.minutes;
          if (input.minutes > remaining) {
            throw refuse('budget_exceeded', { remainingMinutes: remaining }, 'minutes');
          }
        });
      },
    },
  );
  wf.setHandler(
    msg.deleteTime,
    async ({ actor, entryId }) => {
      const entry = state.openEntries.find((e) => e.entryId === entryId)!;
      await act(
        'deleteTime',
        actor,
        () => {
          state.loggedMinutes -= entry.minutes;
          state.openEntries = state.openEntries.filter((e) => e.entryId !== entryId);
        },
        { entry: { op: 'delete', ...entry, description: '' } },
      );
      return state;
    },
    { validator: ({ actor, entryId }) => (allowed('deleteTime', actor), guard(() => void ownOpenEntry(actor, entryId))) },
  );
  wf.setHandler(
    msg.approveTime,
    async ({ actor, upTo }) => {
      await act(
        'approveTime',
        actor,
        () => {
          state.openEntries = state.openEntries.filter((e) => e.date > upTo);
        },
        { approve: { upTo } },
      );
      return state;
    },
    {
      validator: ({ actor, upTo }) => {
        allowed('approveTime', actor);
        guard(() => {
          if (typeof upTo !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(upTo)) throw invalidInput('upTo', 'not_a_date');
          if (!state.openEntries.some((e) => e.date <= upTo)) throw refuse('no_open_entries_up_to', { upTo }, 'upTo');
        });
      },
    },
  );

  // Budget extension (budgetuitbreiding): the coordinator asks, the requester decides.
  wf.setHandler(
    msg.requestBudgetExtension,
    async ({ actor, extraMinutes, reason }) => {
      await act(
        'requestBudgetExtension',
        actor,
        () => {
          state.pendingExtension = { extraMinutes, reason, requestedBy: actor.userId };
        },
        { reason, notify: [{ to: ['requester'], kind: 'extension-requested' }] },
      );
      return state;
    },
    {
      validator: ({ actor, extraMinutes, reason }) => {
        allowed('requestBudgetExtension', actor);
        guard(() => {
          wholeMinutes('extraMinutes', extraMinutes, MAX_BUDGET_MINUTES);
          text('reason', reason);
        });
      },
    },
  );
  wf.setHandler(
    msg.decideBudgetExtension,
    async ({ actor, approved, reason }) => {
      await act(
        approved ? 'approveBudgetExtension' : 'declineBudgetExtension',
        actor,
        () => {
          if (approved) {
            state.budgetMinutes = (state.budgetMinutes ?? 0) + state.pendingExtension!.extraMinutes;
            // A new budget gets its own 80% warning.
            state.budgetAlerted = crossesBudgetAlert(state.budgetMinutes, 0, state.loggedMinutes);
          }
          state.pendingExtension = null;
        },
        { reason: reason ?? null, notify: [{ to: ['coordinators'], kind: 'extension-decided' }] },
      );
      return state;
    },
    {
      validator: ({ actor, approved, reason }) => {
        allowed('decideBudgetExtension', actor);
        guard(() => {
          if (typeof approved !== 'boolean') throw invalidInput('approved', 'not_a_boolean');
          if (!approved) text('reason', reason);
        });
      },
    },
  );

  // Result, four-eyes review, acceptance
  wf.setHandler(
    msg.submitResult,
    async ({ actor, reference, notes }) => {
      // The service decides whether a four-eyes review comes before the buyer sees the result.
      const reviewed = input.process.reviewRequired ?? true;
      await act(
        'submitResult',
        actor,
        () => {
          state.deliverable = { reference, notes };
          return reviewed ? 'in_review' : 'awaiting_acceptance';
        },
        { notify: [reviewed ? { to: ['reviewers'], kind: 'review-requested' } : { to: ['requester'], kind: 'result-ready' }] },
      );
      return state;
    },
    {
      validator: ({ actor, reference }) => {
        allowed('submitResult', actor);
        guard(() => {
          text('reference', reference, 500);
        });
      },
    },
  );
  // Four-eyes without a free reviewer: the coordinator names a colleague who registered no hours.
  wf.setHandler(
    msg.nominateReviewer,
    async ({ actor, reviewer }) => {
      await act('nominateReviewer', actor, () => void (state.nominatedReviewer = reviewer), {
        notify: state.status === 'in_review' ? [{ to: ['nominatedReviewer'], kind: 'review-requested' }] : [],
      });
      return state;
    },
    {
      validator: ({ actor, reviewer }) => {
        allowed('nominateReviewer', actor);
        guard(() => {
          text('reviewer', reviewer, 100);
          if (state.contributors.includes(reviewer)) throw refuse('reviewer_not_eligible', { reviewer, why: 'contributor' }, 'reviewer');
          if (reviewer === state.assignee) throw refuse('reviewer_not_eligible', { reviewer, why: 'assignee' }, 'reviewer');
        });
      },
    },
  );
  wf.setHandler(
    msg.review,
    async ({ actor, approved, reason }) => {
      await act(approved ? 'approveReview' : 'rejectReview', actor, () => (approved ? 'awaiting_acceptance' : 'in_progress'), {
        reason: reason ?? null,
        notify: [approved ? { to: ['requester'], kind: 'result-ready' } : { to: ['assignee'], kind: 'review-rejected' }],
      });
      return state;
    },
    {
      validator: ({ actor, approved, reason }) => {
        allowed('review', actor);
        guard(() => {
          if (typeof approved !== 'boolean') throw invalidInput('approved', 'not_a_boolean');
          if (!approved) text('reason', reason);
        });
      },
    },
  );
  wf.setHandler(
    msg.acceptResult,
    async ({ actor }) => {
      await complete('acceptResult', actor);
      return state;
    },
    { validator: ({ actor }) => allowed('acceptResult', actor) },
  );
  wf.setHandler(
    msg.rejectResult,
    async ({ actor, reason }) => {
      // Back to work: the silent-acceptance date no longer applies (a new one comes with the next result).
      const clearAcceptance = wf.patched('clear-acceptance-deadline-on-rework');
      await act(
        'rejectResult',
        actor,
        () => {
          if (clearAcceptance) state.deadlines.acceptance = null;
          return 'in_progress';
        },
        {
          reason,
          notify: [{ to: ['assignee', 'coordinators'], kind: 'result-rejected' }],
        },
      );
      return state;
    },
    { validator: ({ actor, reason }) => (allowed('rejectResult', actor), guard(() => text('reason', reason))) },
  );
  wf.setHandler(
    msg.cancel,
    async ({ actor, reason }) => {
      // Hours registered so far stay billable: they are approved with the cancellation.
      await act(
        'cancel',
        actor,
        () => {
          state.openEntries = [];
          return 'cancelled';
        },
        { reason, approve: { upTo: null }, notify: [{ to: ['requester', 'coordinators', 'assignee'], kind: 'cancelled' }] },
      );
      return state;
    },
    { validator: ({ actor, reason }) => (allowed('cancel', actor), guard(() => text('reason', reason))) },
  );

  async function complete(action: string, actor: Actor): Promise<void> {
    await act(
      action,
      actor,
      () => {
        state.openEntries = [];
        return 'completed';
      },
      { approve: { upTo: null }, notify: [{ to: ['requester', 'coordinators', 'assignee'], kind: 'completed' }] },
    );
  }

  /**
   * A deadline: the one the action that started the SLA planned in its own write (since
   * 'deadline-with-action'); before that patch, planned here by a local activity of its own that
   * (since 'deadline-in-read-model') also wrote it to the read model, after the action's write.
   * Either way lists and the worklist show it before the next action happens.
   */
  async function plannedDeadline(kind: DeadlineKind, plan: { workingDays: number }): Promise<PlannedDeadline> {
    const byAction = plannedByAction[kind];
    delete plannedByAction[kind];
    const planned = byAction && (await byAction);
    if (planned) return planned;
    if (!wf.patched('deadline-in-read-model')) return planDeadline(plan);
    const write = writes.then(() => planDeadline({ ...plan, project: { requestId: state.requestId, kind } }));
    writes = write.catch(() => undefined);
    return write;
  }

  /** SLA watch: a reminder a working day before the deadline, an escalation at the breach. */
  async function watchSla(kind: Breach['kind'], workingDays: number, done: () => boolean): Promise<void> {
    if (done()) return;
    const plan = await plannedDeadline(kind, { workingDays });
    state.deadlines[kind] = plan.deadline;
    if (await wf.condition(done, plan.reminderDelayMs)) return;
    await act(`slaReminder:${kind}`, SYSTEM_ACTOR, () => undefined, { notify: [{ to: ['coordinators'], kind: 'sla-reminder' }] });
    if (await wf.condition(done, Math.max(1, plan.delayMs - plan.reminderDelayMs))) return;
    const breach: Breach = { kind, deadline: plan.deadline, at: nowIso() };
    await act(`slaBreach:${kind}`, SYSTEM_ACTOR, () => void state.breaches.push(breach), {
      breach,
      notify: [{ to: ['coordinators'], kind: 'sla-breach' }],
    });
  }

  const intakeDone = () => !['submitted', 'clarification'].includes(state.status);
  const deliveryDone = () => isTerminal() || ['in_review', 'awaiting_acceptance'].includes(state.status) || state.kind === 'standing';

  // A run carried over from an earlier one planned its intake before (read before the submit plans it).
  const watchIntake = !state.deadlines.intake;
  if (!input.carried) {
    await act('submit', input.submittedBy, () => 'submitted', { notify: [{ to: ['coordinators'], kind: 'submitted' }] });
  }
  // The SLA watches run beside the main flow; their timers end as soon as the step is done.
  const watches: Promise<void>[] = [];
  if (watchIntake) watches.push(watchSla('intake', slaDays.intake, intakeDone));

  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const tooLong = () => wf.workflowInfo().historyLength >= historyLimit || wf.workflowInfo().continueAsNewSuggested;
  const standingEnd = input.kind === 'standing' && input.periodEnd ? await planDeadline({ until: input.periodEnd }) : null;
  const started = Date.now();

  while (!isTerminal()) {
    if (!deliveryWatched && state.status === 'in_progress') {
      deliveryWatched = true;
      watches.push(watchSla('delivery', slaDays.delivery, deliveryDone));
    }
    if (state.status === 'awaiting_acceptance' && slaDays.acceptance) {
      const plan = await plannedDeadline('acceptance', { workingDays: slaDays.acceptance });
      state.deadlines.acceptance = plan.deadline;
      if (!(await wf.condition(() => state.status !== 'awaiting_acceptance', plan.delayMs))) {
        await complete('silentAcceptance', SYSTEM_ACTOR);
      }
      continue;
    }
    if (input.kind === 'standing' && tooLong() && state.status === 'in_progress') {
      // Keep the history small over a whole agreement period: carry the state into a new run.
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof requestWorkflow>({ ...input, carried: state });
    }
    const statusNow = state.status;
    const versionNow = state.version;
    const wake = () => isTerminal() || state.status !== statusNow || (input.kind === 'standing' && state.version !== versionNow);
    if (!standingEnd) {
      await wf.condition(wake);
    } else if (!(await wf.condition(wake, Math.max(1, standingEnd.delayMs - (Date.now() - started))))) {
      // The agreement period is over: the standing order completes, its hours are approved.
      await complete('periodEnded', SYSTEM_ACTOR);
    }
  }
  await wf.condition(wf.allHandlersFinished);
  await Promise.all(watches);
  return state;
}

/** The fields an audit event shows before and after an action. */
function summary(s: RequestState) {
  return {
    status: s.status,
    estimateMinutes: s.estimateMinutes,
    budgetMinutes: s.budgetMinutes,
    loggedMinutes: s.loggedMinutes,
    assignee: s.assignee,
    pendingExtension: s.pendingExtension?.extraMinutes ?? null,
  };
}
