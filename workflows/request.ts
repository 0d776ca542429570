// One policy request (opdracht) from intake to completion. Orchestration only: rules come
// from domain/, records are written by activities, people act through validated Updates.
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  acceptIntake,
  acceptResult,
  approveQuote,
  assign,
  getRequestState,
  logTime,
  NON_RETRYABLE_ERRORS,
  review,
  SA,
  submitResult,
  submitted,
  type RequestInput,
  type RequestState,
} from '../contracts';
import { badInput, conflict, forbidden } from '../domain/errors';
import { assertAllowed, type RequestAction, type RequestStatus } from '../domain/lifecycle';
import { dutchDate, validateTimeEntry } from '../domain/time';
import type { Actor } from '../domain/roles';
import { guard } from './guard';

// A local activity: a short, idempotent database write that runs inside the workflow task.
// It leaves one marker event instead of three activity events and a second workflow task,
// which keeps a request's history small (about 6 events an action).
const { recordRequest } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

const TERMINAL: readonly RequestStatus[] = ['completed', 'rejected', 'cancelled'];

export async function requestWorkflow(input: RequestInput): Promise<RequestState> {
  const state: RequestState = {
    requestId: input.requestId,
    buyer: input.buyer,
    provider: input.provider,
    serviceId: input.serviceId,
    agreementId: input.agreementId,
    title: input.title,
    status: 'submitted',
    estimateMinutes: null,
    budgetMinutes: null,
    loggedMinutes: 0,
    assignee: null,
    assignedAt: null,
    contributors: [],
    entryCount: 0,
    deliverable: null,
    version: 0,
  };
  // Date.now() is deterministic inside a workflow: it is the time of the current task.
  const nowIso = () => new Date(Date.now()).toISOString();
  const today = () => dutchDate(Date.now());

  /** Moves to `to` (synchronously, so concurrent updates see it) and records the action. */
  async function transition(
    action: string,
    actor: Actor,
    to: RequestStatus,
    extra: Pick<Parameters<Activities['recordRequest']>[0], 'timeEntry' | 'approveEntries'> = {},
  ): Promise<void> {
    const before = state.status;
    state.status = to;
    state.version += 1;
    if (before !== to || action === 'assign') {
      wf.upsertSearchAttributes([
        { key: SA.status, value: to },
        { key: SA.assignee, value: state.assignee },
      ]);
    }
    await recordRequest({
      state: { ...state, contributors: [...state.contributors] },
      submittedAt: input.submittedAt,
      event: { seq: state.version, action, actor, at: nowIso(), before: { status: before }, after: { status: to } },
      ...extra,
    });
  }
  const allowed = (action: RequestAction, actor: Actor) => guard(() => assertAllowed(action, state, actor));

  wf.setHandler(getRequestState, () => state);
  wf.setHandler(submitted, async () => {
    await wf.condition(() => state.version >= 1);
    return state;
  });

  wf.setHandler(
    acceptIntake,
    async ({ actor, estimateMinutes }) => {
      state.estimateMinutes = estimateMinutes;
      if (!input.quoteRequired) state.budgetMinutes = estimateMinutes;
      await transition('acceptIntake', actor, input.quoteRequired ? 'quoted' : 'accepted');
      return state;
    },
    {
      validator: ({ actor, estimateMinutes }) => {
        allowed('acceptIntake', actor);
        guard(() => {
          if (!Number.isSafeInteger(estimateMinutes) || estimateMinutes < 1 || estimateMinutes > 1_000_000) {
            throw badInput('estimateMinutes', 'estimateMinutes must be a whole number of minutes, 1 or more');
          }
        });
      },
    },
  );

  wf.setHandler(
    approveQuote,
    async ({ actor }) => {
      state.budgetMinutes = state.estimateMinutes;
      await transition('approveQuote', actor, 'accepted');
      return state;
    },
    { validator: ({ actor }) => allowed('approveQuote', actor) },
  );

  wf.setHandler(
    assign,
    async ({ actor, assignee }) => {
      state.assignee = assignee;
      state.assignedAt ??= today();
      await transition('assign', actor, 'in_progress');
      return state;
    },
    {
      validator: ({ actor, assignee }) => {
        allowed('assign', actor);
        guard(() => {
          if (typeof assignee !== 'string' || assignee.length === 0) throw badInput('assignee', 'assignee is required');
        });
      },
    },
  );

  wf.setHandler(
    logTime,
    async ({ actor, date, minutes, description }) => {
      // Reserve the minutes before awaiting, so parallel registrations cannot overrun the budget.
      state.entryCount += 1;
      state.loggedMinutes += minutes;
      if (!state.contributors.includes(actor.userId)) state.contributors.push(actor.userId);
      const entryId = `${state.requestId}-${state.entryCount}`;
      await transition('logTime', actor, state.status, {
        timeEntry: { entryId, userId: actor.userId, date, minutes, description },
      });
      return { entryId, userId: actor.userId, date, minutes };
    },
    {
      validator: (entry) => {
        allowed('logTime', entry.actor);
        guard(() => {
          if (entry.actor.userId !== state.assignee) throw forbidden('only the assigned staff member registers hours');
          validateTimeEntry(entry, { today: today(), workStarted: state.assignedAt ?? today() });
          const remaining = state.budgetMinutes === null ? Infinity : state.budgetMinutes - state.loggedMinutes;
          if (entry.minutes > remaining) {
            throw conflict(`this entry exceeds the approved budget; ${remaining} minutes remain`, {
              remainingMinutes: remaining,
            });
          }
        });
      },
    },
  );

  wf.setHandler(
    submitResult,
    async ({ actor, reference, notes }) => {
      state.deliverable = { reference, notes };
      await transition('submitResult', actor, 'in_review');
      return state;
    },
    {
      validator: ({ actor, reference }) => {
        allowed('submitResult', actor);
        guard(() => {
          if (actor.userId !== state.assignee) throw forbidden('only the assigned staff member submits the result');
          if (typeof reference !== 'string' || reference.trim() === '') throw badInput('reference', 'reference is required');
        });
      },
    },
  );

  wf.setHandler(
    review,
    async ({ actor, approved }) => {
      await transition(approved ? 'approveReview' : 'rejectReview', actor, approved ? 'awaiting_acceptance' : 'in_progress');
      return state;
    },
    {
      validator: ({ actor, approved, reason }) => {
        allowed('review', actor);
        guard(() => {
          if (state.contributors.includes(actor.userId)) {
            throw forbidden('four-eyes: a reviewer may not have registered hours on this request');
          }
          if (!approved && !reason) throw badInput('reason', 'a rejection needs a reason');
        });
      },
    },
  );

  wf.setHandler(
    acceptResult,
    async ({ actor }) => {
      await transition('acceptResult', actor, 'completed', { approveEntries: true });
      return state;
    },
    { validator: ({ actor }) => allowed('acceptResult', actor) },
  );

  await transition('submit', input.submittedBy, 'submitted');
  await wf.condition(() => TERMINAL.includes(state.status));
  await wf.condition(wf.allHandlersFinished);
  return state;
}
