// Calls into Temporal from the application layer: workflows started by a typed reference to
// their function (a type-only import, checked against the workflow module's exports), and
// failures turned back into the Refusal a workflow or activity raised.
import { WorkflowNotFoundError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { isTemporalUnavailable, retryTransient } from '../../lib/transient';
import { refusalOf } from '../../contracts/failures';
import { idempotencyKeyNow } from './request-context';
import { notFound, type Thing } from '../../domain/refusals';
import { workflowType, type WorkflowName, type Workflows } from '../../contracts/workflow-names';
import { ensureProviderSchedules } from '../../lib/schedules';
import type { AppDeps } from './deps';

/** Starts a workflow by name; the name and the arguments are checked against the workflow's function. */
export function startWorkflow<N extends WorkflowName>(client: Client, name: N, options: WorkflowStartOptions<Workflows[N]>) {
  return client.workflow.start<Workflows[N]>(name, options);
}

/** Runs a workflow to its end and returns its result; name and arguments checked as for start. */
export function executeWorkflow<N extends WorkflowName>(client: Client, name: N, options: WorkflowStartOptions<Workflows[N]>) {
  return client.workflow.execute<Workflows[N]>(name, options as never) as ReturnType<Workflows[N]>;
}

export { workflowType };

/** A Refusal for what came back from Temporal; a missing workflow is the thing not being there. */
export function fromTemporal(err: unknown, thing: Thing): unknown {
  if (err instanceof WorkflowNotFoundError) return notFound(thing);
  return refusalOf(err) ?? err;
}

/** How long one try of a query may take: a query given to a worker that was just killed is lost. */
const QUERY_TRY_MS = 3_000;

/**
 * Asks a workflow a query. A query handed to a worker that died is never answered, so each try
 * gets a short deadline and the query is asked again, to a live worker, for up to 30 s.
 */
export function query<R>(client: Client, handle: WorkflowHandle, def: QueryDefinition<R, []>, thing: Thing): Promise<R> {
  return retryTransient(() => client.withDeadline(Date.now() + QUERY_TRY_MS, () => handle.query(def)), {
    // A try cut off by its own deadline can surface as CANCELLED rather than DEADLINE_EXCEEDED.
    retryable: (err) => isTemporalUnavailable(err) || /\bCANCELLED\b/.test(String((err as { cause?: unknown })?.cause ?? err)),
  }).catch((err: unknown) => {
    throw fromTemporal(err, thing);
  });
}

/** Sends an Update and returns its result, or throws the workflow's Refusal. */
export async function update<I, R>(handle: WorkflowHandle, def: UpdateDefinition<R, [I]>, input: I, thing: Thing): Promise<R> {
  try {
    // With an Idempotency-Key the Update has a fixed id: a repeat gets the first Update's outcome.
    const key = idempotencyKeyNow();
    return await handle.executeUpdate(def, { args: [input], ...(key ? { updateId: `${def.name}:${key}` } : {}) });
  } catch (err) {
    throw fromTemporal(err, thing);
  }
}

/**
 * The monthly schedules of a provider that just got its first service or contribution product,
 * so that its invoice run and advances start without a worker restart. Never fails the action
 * that was already stored: when Temporal does not answer now, the nightly clean-up creates them.
 */
export async function ensureSchedulesAfterChange({ schedules, client, models, taskQueue }: AppDeps): Promise<void> {
  if (!schedules) return;
  await ensureProviderSchedules(client, models, taskQueue).catch(() => undefined);
}
