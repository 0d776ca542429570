// The walking-skeleton story as steps, shared by the end-to-end and durability tests.
import { getRequestState, requestWorkflowId, type RequestState } from '../../contracts';
import type { TestEnv } from './env';
import { todayInNL } from './env';

export interface StoryTokens {
  requester: string;
  coordinator: string;
  staff: string;
  reviewer: string;
  finance: string;
}

export async function storyTokens(env: TestEnv): Promise<StoryTokens> {
  return {
    requester: await env.token('zwn-requester'),
    coordinator: await env.token('dor-coordinator'),
    staff: await env.token('dor-staff'),
    reviewer: await env.token('dor-reviewer'),
    finance: await env.token('dor-finance'),
  };
}

export async function workflowState(env: TestEnv, requestId: string): Promise<RequestState> {
  return env.client.workflow.getHandle(requestWorkflowId(requestId)).query(getRequestState);
}

export async function readModel(env: TestEnv, requestId: string) {
  return env.models.Request.findById(requestId).lean();
}

/** Two entries chosen so that rounding matters: 95 -> 96 and 133 -> 138 minutes (up6). */
export const STORY_ENTRIES = [
  { minutes: 95, description: 'Dossieronderzoek verzuimmeldingen' },
  { minutes: 133, description: 'Analyse en rapportage' },
];
/** (96 + 138) min x 9375 ct/h / 60 = 36,562.5 ct, half-up: 36,563 ct (EUR 365.63). */
export const STORY_AMOUNT_CENTS = 36_563;
export const STORY_BILLED_MINUTES = 234;

export const today = todayInNL;
export const currentPeriod = () => todayInNL().slice(0, 7);
