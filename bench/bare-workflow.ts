// The engine's floor for bench/lifecycle.ts: a bare workflow with the nine steps of a request
// as Updates, each running one local activity that writes one document (the bench's own
// collection on the same database). No rules, no audit, no mails, no read model: what
// Temporal + FerretDB cost for nine acknowledged, recorded steps. Workflow code: deterministic,
// only @temporalio/workflow.
import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { LIFECYCLE_STEPS } from '../scripts/request-lifecycle';

/** The nine steps of a request's lifecycle, as the API's driver names them. */
export const BARE_STEPS = LIFECYCLE_STEPS;
export type BareStep = (typeof BARE_STEPS)[number];

export interface BareStepInput {
  actor: string;
  /** A small body, as the API's would be (a time entry's minutes, a reference). */
  data?: Record<string, string | number | boolean>;
}
export interface BareState {
  id: string;
  status: string;
  version: number;
}

/** The activity the bench's worker registers; one database write per call. */
export interface BareActivities {
  bareRecord(input: {
    id: string;
    step: BareStep;
    status: string;
    version: number;
    actor: string;
    data: BareStepInput['data'];
  }): Promise<void>;
}

export const bareSteps = Object.fromEntries(BARE_STEPS.map((s) => [s, wf.defineUpdate<BareState, [BareStepInput]>(`bare-${s}`)])) as {
  [S in BareStep]: UpdateDefinition<BareState, [BareStepInput]>;
};

const STATUS_AFTER: Record<BareStep, string> = {
  submit: 'submitted',
  acceptIntake: 'quoted',
  approveQuote: 'accepted',
  assign: 'in_progress',
  logTime1: 'in_progress',
  logTime2: 'in_progress',
  submitResult: 'in_review',
  review: 'awaiting_acceptance',
  accept: 'completed',
};

const { bareRecord } = wf.proxyLocalActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

export async function bareLifecycleWorkflow(id: string): Promise<BareState> {
  const state: BareState = { id, status: 'new', version: 0 };
  for (const step of BARE_STEPS) {
    wf.setHandler(bareSteps[step], async ({ actor, data }) => {
      state.status = STATUS_AFTER[step];
      state.version += 1;
      await bareRecord({ id, step, status: state.status, version: state.version, actor, data });
      return state;
    });
  }
  await wf.condition(() => state.status === 'completed');
  await wf.condition(wf.allHandlersFinished);
  return state;
}
