export * from './request';
export * from './invoice-run';

export const DEFAULT_TASK_QUEUE = 'eenvoud';
export { NON_RETRYABLE_ERRORS, refusalFailure, refusalOf } from './failures';
export * from './invoice';
export * from './contributions';
export * from './correction';
