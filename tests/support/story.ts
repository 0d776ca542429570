// The walking-skeleton story as steps, shared by the end-to-end and durability tests.
import { getRequestState, requestWorkflowId, type RequestState } from '../../contracts';
import type { TestEnv } from './env';
import { withBillingStatus } from '../../models/billing';
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

/** Drives a request through the API to a given point; returns its id. */
export async function requestUpTo(
  env: TestEnv,
  t: StoryTokens,
  until: 'submitted' | 'quoted' | 'accepted' | 'in_progress' | 'in_review' | 'awaiting_acceptance',
  opts: { estimateMinutes?: number; title?: string; requester?: string; assignee?: string; staff?: string } = {},
): Promise<string> {
  const requester = opts.requester ?? t.requester;
  const call = async (path: string, token: string, body: object) => {
    const r = await env.api('POST', path, { token, body });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const { requestId: id } = await call('/api/requests', requester, { serviceId: 'DOR-LEERPLICHT', title: opts.title ?? 'Testopdracht' });
  if (until === 'submitted') return id;
  await call(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: opts.estimateMinutes ?? 600 });
  if (until === 'quoted') return id;
  await call(`/api/requests/${id}/approve-quote`, requester, {});
  if (until === 'accepted') return id;
  await call(`/api/requests/${id}/assign`, t.coordinator, { assignee: opts.assignee ?? 'dor-staff' });
  if (until === 'in_progress') return id;
  await call(`/api/requests/${id}/time-entries`, opts.staff ?? t.staff, { date: today(), minutes: 60, description: 'Werk' });
  await call(`/api/requests/${id}/submit-result`, opts.staff ?? t.staff, { reference: 'DMS-1', notes: '' });
  if (until === 'in_review') return id;
  await call(`/api/requests/${id}/review`, t.reviewer, { approved: true });
  return id;
}

export async function auditActions(env: TestEnv, id: string): Promise<string[]> {
  return (
    await env.models.AuditEvent.find({ subject: `request-${id}` })
      .sort({ seq: 1 })
      .lean()
  ).map((e) => e.action);
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Time entries with their derived billing status, and a check that no entry is on two claims. */
export async function billedEntries(env: TestEnv, filter: Record<string, unknown> = {}) {
  const entries = await withBillingStatus(env.models, await env.models.TimeEntry.find(filter).lean());
  const claimed = (await env.models.BillingClaim.find().select({ entryIds: 1 }).lean()).flatMap((c) => c.entryIds);
  if (new Set(claimed).size !== claimed.length) throw new Error('an entry is on two billing claims');
  return entries;
}
