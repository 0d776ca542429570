// Calls into Temporal from the application layer: workflows started by a typed reference to
// their function (a type-only import, checked against the workflow module's exports), and
// failures turned back into the Refusal a workflow or activity raised.
import { WorkflowNotFoundError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { refusalOf } from '../../contracts/failures';
import { notFound, type Thing } from '../../domain/refusals';
import { workflowType, type WorkflowName, type Workflows } from '../../contracts/workflow-names';

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

/** Sends an Update and returns its result, or throws the workflow's Refusal. */
export async function update<I, R>(handle: WorkflowHandle, def: UpdateDefinition<R, [I]>, input: I, thing: Thing): Promise<R> {
  try {
    return await handle.executeUpdate(def, { args: [input] });
  } catch (err) {
    throw fromTemporal(err, thing);
  }
}
