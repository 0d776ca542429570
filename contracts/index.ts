export * from './request';
export * from './invoice-run';

export const DEFAULT_TASK_QUEUE = 'eenvoud';
/** Error kinds that no retry can fix: activities throw them, workflows never retry them. */
export const NON_RETRYABLE_ERRORS = ['BadInput', 'Forbidden', 'NotFound', 'InvalidState', 'Conflict'];
export * from './invoice';
export * from './contributions';
