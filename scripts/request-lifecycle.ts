// The nine API steps of a request, as the benchmarks, the crash run and the cluster check drive
// them: submit, accept intake, approve the quote, assign, two time entries, submit the result,
// the four-eyes review, accept. One place for the steps' paths, bodies, users and answers; each
// caller sends them its own way (tokens, timing, idempotency keys, another API on failure).
import { dutchDate } from '../domain/dates';

export const LIFECYCLE_STEPS = [
  'submit',
  'acceptIntake',
  'approveQuote',
  'assign',
  'logTime1',
  'logTime2',
  'submitResult',
  'review',
  'accept',
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

/** Requesters of these buyers take turns; Dordrecht (DOR-LEERPLICHT) does the work. */
export const LIFECYCLE_BUYERS = ['zwn', 'pap', 'hia', 'sli', 'alb', 'gra'];
/** Staff who log the hours; the reviewer (dor-reviewer) never does: four eyes. */
export const LIFECYCLE_STAFF = ['dor-staff', 'dor-staff-2'];
/** Everyone who acts in a lifecycle, to fetch their tokens once. */
export const LIFECYCLE_USERS = [...LIFECYCLE_BUYERS.map((b) => `${b}-requester`), ...LIFECYCLE_STAFF, 'dor-coordinator', 'dor-reviewer'];

/** Sends one step as `userId` and returns the answer's body; throws unless the status is `expected`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read loosely by the drivers
export type SendStep = (step: LifecycleStep, path: string, userId: string, body: object, expected: 200 | 201) => Promise<any>;

/** Drives lifecycle number `i` through its nine steps; it must end completed. */
export async function driveLifecycle(
  i: number,
  send: SendStep,
  opts: {
    title: string;
    entryMinutes?: readonly [number, number];
    /** Called as soon as the API acknowledged the request, and each time entry (the crash checks count on them). */
    onSubmitted?: (requestId: string) => void;
    onEntry?: (requestId: string, entryId: string) => void;
  },
): Promise<{ requestId: string; entryIds: string[] }> {
  const requester = `${LIFECYCLE_BUYERS[i % LIFECYCLE_BUYERS.length]}-requester`;
  const staff = LIFECYCLE_STAFF[i % LIFECYCLE_STAFF.length]!;
  const [first, second] = opts.entryMinutes ?? [1, 2];
  const { requestId } = await send('submit', '/api/requests', requester, { serviceId: 'DOR-LEERPLICHT', title: opts.title }, 201);
  opts.onSubmitted?.(requestId);
  const at = `/api/requests/${requestId}`;
  await send('acceptIntake', `${at}/accept-intake`, 'dor-coordinator', { estimateMinutes: 600 }, 200);
  await send('approveQuote', `${at}/approve-quote`, requester, {}, 200);
  await send('assign', `${at}/assign`, 'dor-coordinator', { assignee: staff }, 200);
  const today = dutchDate(Date.now());
  const entryIds: string[] = [];
  for (const [step, minutes, k] of [['logTime1', first, 0] as const, ['logTime2', second, 1] as const]) {
    const entry = await send(step, `${at}/time-entries`, staff, { date: today, minutes, description: `Werk ${k}` }, 201);
    entryIds.push(entry.entryId);
    opts.onEntry?.(requestId, entry.entryId);
  }
  await send('submitResult', `${at}/submit-result`, staff, { reference: `DMS-${i}`, notes: '' }, 200);
  await send('review', `${at}/review`, 'dor-reviewer', { approved: true }, 200);
  const done = await send('accept', `${at}/accept-result`, requester, {}, 200);
  if (done.status !== 'completed') throw new Error(`lifecycle ${i}: ends ${done.status}, not completed`);
  return { requestId, entryIds };
}
