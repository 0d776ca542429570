// How long things are kept.

/**
 * How long a closed request keeps its free text (description, questions and answers, notes,
 * time-entry descriptions), in days after it closed, when its service does not say otherwise.
 * Invoices and amounts stay: bookkeeping must keep them.
 */
export const DEFAULT_RETENTION_DAYS = 730;

/** An Idempotency-Key of a POST answers repeats for a day. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
