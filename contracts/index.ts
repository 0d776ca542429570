export * from './request';
export * from './invoice-run';

export const DEFAULT_TASK_QUEUE = 'eenvoud';
/**
 * How long Temporal waits for a worker to finish a workflow task before it gives the task to
 * another worker (Temporal's default is 10 s). A request's actions run in workflow tasks, so
 * after a worker crash this is what a caller waits at most; long local activities keep the
 * task alive with heartbeats, so short is safe.
 */
export const WORKFLOW_TASK_TIMEOUT = '3 seconds';
export { NON_RETRYABLE_ERRORS, refusalFailure, refusalOf } from './failures';
export * from './invoice';
export * from './contributions';
export * from './correction';
export * from './netting';
