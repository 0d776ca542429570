// Workflow type names, checked against the workflow module's exports at compile time (a
// type-only import: nothing of the workflow code is loaded where this is used).
import type * as workflows from '../workflows';

export type Workflows = typeof workflows;
export type WorkflowName = {
  [K in keyof Workflows]: Workflows[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof Workflows];

/** The name of a workflow function, as Temporal knows it; a typo does not compile. */
export const workflowType = <N extends WorkflowName>(name: N): N => name;
