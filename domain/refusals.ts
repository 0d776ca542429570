// Every refusal of the domain has a stable code with typed parameters. The API sends the code
// next to an English detail (made here, from the code); the web pages take their Dutch text
// from web/messages.ts, which must name every code, or the build fails. Workflows, activities
// and the application layer all throw the same Refusal.
import type { Role } from './roles';

/** What is wrong with one input field (schema checks). */
export const INPUT_PROBLEMS = [
  'required',
  'too_long',
  'too_short',
  'too_small',
  'too_large',
  'not_a_number',
  'not_whole',
  'not_a_date',
  'not_a_period',
  'not_a_code',
  'not_a_boolean',
  'invalid_choice',
  'invalid_format',
  'not_a_list',
  'invalid',
] as const;
export type InputProblem = (typeof INPUT_PROBLEMS)[number];

export interface InputIssue {
  field: string;
  problem: InputProblem;
  limit?: number;
}

/** Things that can be missing (404). */
export type Thing =
  | 'request'
  | 'invoice'
  | 'invoice_line'
  | 'invoice_run'
  | 'product'
  | 'participation'
  | 'service'
  | 'agreement'
  | 'user'
  | 'organisation'
  | 'contribution_step'
  | 'time_entry'
  | 'notification'
  | 'attachment'
  | 'bank_statement'
  | 'netting_round'
  | 'invitation'
  | 'page';

/** A row of a key-figure CSV that cannot be read. */
export type CsvRowProblem =
  | { code: 'header_incomplete' }
  | { code: 'no_such_column'; column: string }
  | { code: 'column_count'; expected: number; found: number }
  | { code: 'region_empty' }
  | { code: 'figure_not_whole'; region: string; found: string }
  | { code: 'region_twice'; region: string; otherRow: number }
  | { code: 'no_participant_rows' }
  | { code: 'unreadable' };
export interface CsvRowError {
  row: number;
  problem: CsvRowProblem;
}

/** The parameters of each refusal code. */
export interface RefusalParams {
  // ---- transport and access ----------------------------------------------------------------
  not_authenticated: Record<string, never>;
  form_expired: Record<string, never>;
  invalid_json: Record<string, never>;
  body_too_large: { limitBytes: number };
  unsupported_media_type: { mediaType: string };
  rate_limited: Record<string, never>;
  idempotency_key_reused: Record<string, never>;
  idempotency_key_in_progress: Record<string, never>;
  /** The first problem; `more` lists the other fields' problems, so a form can show them all at once. */
  invalid_input: { problem: InputProblem; limit?: number; more?: InputIssue[] };
  not_found: { thing: Thing };
  role_required: { roles: readonly Role[]; org: string };
  no_membership: { user: string; org: string };
  // ---- requests ----------------------------------------------------------------------------
  request_closed: { status: string };
  action_not_in_state: { action: string; status: string };
  only_assignee: { action: string };
  entry_not_open: Record<string, never>;
  entry_not_own: Record<string, never>;
  budget_exceeded: { remainingMinutes: number };
  day_cap_exceeded: { date: string; remainingMinutes: number };
  date_in_future: Record<string, never>;
  date_before_work_started: { started: string };
  no_open_entries_up_to: { upTo: string };
  no_budget_to_extend: Record<string, never>;
  extension_pending: Record<string, never>;
  no_extension_pending: Record<string, never>;
  standing_order_has_no_result: Record<string, never>;
  four_eyes: Record<string, never>;
  no_eligible_reviewer: Record<string, never>;
  reviewer_not_eligible: { reviewer: string; why: 'not_staff' | 'contributor' | 'assignee' };
  reviewer_already_available: Record<string, never>;
  service_unknown: { serviceId: string };
  own_service: Record<string, never>;
  no_active_agreement: { provider: string; service: string };
  assignee_not_staff: { assignee: string; provider: string };
  assignee_lacks_skill: { assignee: string; skill: string };
  // ---- invoicing ---------------------------------------------------------------------------
  period_not_started: { period: string };
  credit_note_not_reconciled: Record<string, never>;
  invoice_paid: Record<string, never>;
  line_state: { lineNo: number; status: string };
  credit_exceeds_line: { maxCents: number };
  resolution_needed: Record<string, never>;
  payment_exceeds_outstanding: { outstandingCents: number };
  payment_already_registered: { reference: string };
  invoice_in_netting: { roundId: string };
  netting_stale: { invoiceId: string };
  netting_closed: { status: string };
  netting_already_agreed: { org: string };
  netting_nothing_open: Record<string, never>;
  netting_not_party: { org: string };
  bank_statement_invalid: { problem: 'not_xml' | 'not_camt053' | 'no_statement' | 'bad_amount' | 'bad_date'; detail: string };
  bank_statement_duplicate: { statementId: string; importedAt: string };
  no_hours_on_invoice: { kind: string };
  request_not_on_invoice: { requestId: string };
  no_entries_to_invoice: { buyer: string };
  no_rate: { serviceId: string; date: string };
  // ---- contributions -----------------------------------------------------------------------
  not_shared_centre: { org: string };
  concurrent_change: Record<string, never>;
  service_not_offered: { serviceId: string; provider: string };
  product_exists: { product: string };
  product_terms_invoiced: { product: string; fields: string[] };
  not_a_municipality: { codes: string[] };
  end_before_start: { start: string };
  participation_already_ends: { to: string };
  participation_overlap: { participant: string; product: string; from: string; to: string | null };
  csv_rows_invalid: { count: number; rows: CsvRowError[] };
  year_settled: { product: string; year: number };
  no_budget: { product: string; year: number };
  no_actuals: { product: string; year: number };
  year_not_ended: { year: number };
  earlier_instalment_open: { instalment: number; year: number };
  earlier_step_unfinished: { invoices: string[] };
  all_advances_invoiced: { instalments: number; year: number };
  instalment_out_of_range: { max: number };
  actuals_need_amount: Record<string, never>;
  merge_into_itself: Record<string, never>;
  merge_after_participation: Record<string, never>;
  key_figure_missing: { name: string; missing: string[] };
  key_figure_unknown: { name: string };
  key_figure_zero: { name: string };
  rule_fixed_not_cents: { participant: string };
  rule_base_not_cents: Record<string, never>;
  rule_rest_twice: Record<string, never>;
  rule_rest_weight: Record<string, never>;
  fixed_share_non_participant: { participants: string[] };
  fixed_exceeds_total: { fixedCents: number; totalCents: number };
  fixed_and_base_exceed_total: { fixedCents: number; totalCents: number };
  fixed_exceeds_budget: { fixedCents: number; budgetCents: number; year: number };
  rest_unassigned: { restCents: number };
  nobody_pays_rest: Record<string, never>;
  nobody_participates: { year: number };
  no_hours_to_divide: { year: number };
  // ---- catalogue and agreements ------------------------------------------------------------
  organisation_unknown: { org: string };
  service_exists: { serviceId: string };
  rate_dates_twice: Record<string, never>;
  rate_already_invoiced: { invoicedUpTo: string; earliest: string };
  sells_to_itself: Record<string, never>;
  agreement_overlap: { agreement: string; buyer: string; from: string; to: string };
  agreement_exists: { agreement: string };
  target_not_shared_centre: { org: string };
  already_provided_by: { serviceId: string; org: string };
  already_transferred: { serviceId: string; to: string; date: string };
  transfer_in_past: Record<string, never>;
  target_service_foreign: { serviceId: string; org: string };
  // ---- attachments -------------------------------------------------------------------------
  attachment_missing: Record<string, never>;
  attachment_empty: { name: string };
  attachment_too_large: { maxBytes: number };
  attachment_type: { name: string };
  attachment_infected: { name: string; signature: string };
  virus_scanner_unavailable: Record<string, never>;
  // ---- users and roles ---------------------------------------------------------------------
  last_admin: { org: string };
  invitation_expired: { expiredAt: string };
  invitation_used: Record<string, never>;
  user_not_member: { user: string; org: string };
  already_member: { email: string; org: string };
  role_not_for_org: { role: Role; org: string };
  own_account: Record<string, never>;
}
export type RefusalCode = keyof RefusalParams;

/** How a refusal travels: the HTTP status class, also the Temporal failure type. */
export const ERROR_STATUS = {
  BadInput: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  InvalidState: 409,
  Conflict: 409,
  TooLarge: 413,
  UnsupportedMediaType: 415,
  Unprocessable: 422,
  RateLimited: 429,
  Unavailable: 503,
} as const;
export type ErrorKind = keyof typeof ERROR_STATUS;

type Spec<C extends RefusalCode> = { kind: ErrorKind; en: (p: RefusalParams[C]) => string };
const list = (xs: readonly string[]) => xs.join(', ');

/** Each code's kind and English detail (for API clients and logs; pages never show it). */
export const REFUSALS: { [C in RefusalCode]: Spec<C> } = {
  not_authenticated: { kind: 'Unauthenticated', en: () => 'not authenticated: a valid bearer token or session is required' },
  form_expired: { kind: 'Forbidden', en: () => 'the form token is missing or invalid' },
  invalid_json: { kind: 'BadInput', en: () => 'the body is not valid JSON' },
  body_too_large: { kind: 'TooLarge', en: (p) => `the body is larger than ${p.limitBytes} bytes` },
  unsupported_media_type: { kind: 'UnsupportedMediaType', en: (p) => `the media type or encoding ${p.mediaType} is not accepted` },
  rate_limited: { kind: 'RateLimited', en: () => 'too many requests; try again in a minute' },
  idempotency_key_reused: { kind: 'Unprocessable', en: () => 'this Idempotency-Key was used with another request; use a new key' },
  idempotency_key_in_progress: {
    kind: 'Conflict',
    en: () => 'the first request with this Idempotency-Key is still running; try again shortly',
  },
  invalid_input: {
    kind: 'BadInput',
    en: (p) => `invalid input: ${p.problem.replace(/_/g, ' ')}${p.limit !== undefined ? ` (${p.limit})` : ''}`,
  },
  not_found: { kind: 'NotFound', en: (p) => `${p.thing.replace(/_/g, ' ')} not found` },
  role_required: { kind: 'Forbidden', en: (p) => `this needs role ${p.roles.join(' or ')} at ${p.org}` },
  no_membership: { kind: 'BadInput', en: (p) => `${p.user} has no roles at ${p.org}` },

  request_closed: { kind: 'InvalidState', en: (p) => `the request is ${p.status}; nothing can change it any more` },
  action_not_in_state: { kind: 'InvalidState', en: (p) => `${p.action} is not possible while the request is ${p.status}` },
  only_assignee: { kind: 'Forbidden', en: (p) => `only the assigned staff member may ${p.action}` },
  entry_not_open: { kind: 'BadInput', en: () => 'this entry does not exist or is already approved or invoiced' },
  entry_not_own: { kind: 'Forbidden', en: () => 'only the person who registered an entry changes it' },
  budget_exceeded: { kind: 'Conflict', en: (p) => `this exceeds the approved budget; ${p.remainingMinutes} minutes remain` },
  day_cap_exceeded: { kind: 'Conflict', en: (p) => `at most 24 hours a day: ${p.remainingMinutes} minutes are left on ${p.date}` },
  date_in_future: { kind: 'BadInput', en: () => 'the date may not be in the future' },
  date_before_work_started: { kind: 'BadInput', en: (p) => `the date may not be before the work started (${p.started})` },
  no_open_entries_up_to: { kind: 'BadInput', en: (p) => `there are no open entries up to ${p.upTo}` },
  no_budget_to_extend: { kind: 'Conflict', en: () => 'this request has no budget to extend' },
  extension_pending: { kind: 'Conflict', en: () => 'an extension is already waiting for the buyer' },
  no_extension_pending: { kind: 'Conflict', en: () => 'there is no budget extension to decide on' },
  standing_order_has_no_result: { kind: 'Conflict', en: () => 'a standing order has no single result; its hours are approved per month' },
  four_eyes: { kind: 'Forbidden', en: () => 'four-eyes: a reviewer may not have registered hours on this request' },
  no_eligible_reviewer: { kind: 'Conflict', en: () => 'nobody may review this request: every reviewer registered hours on it' },
  reviewer_not_eligible: { kind: 'BadInput', en: (p) => `${p.reviewer} cannot review this request (${p.why.replace(/_/g, ' ')})` },
  reviewer_already_available: {
    kind: 'Conflict',
    en: () => 'a reviewer who registered no hours is available; no reviewer needs to be named',
  },
  service_unknown: { kind: 'BadInput', en: (p) => `service ${p.serviceId} does not exist` },
  own_service: { kind: 'BadInput', en: () => 'an organisation cannot buy its own service' },
  no_active_agreement: { kind: 'BadInput', en: (p) => `there is no active agreement (DVO) with ${p.provider} for ${p.service}` },
  assignee_not_staff: { kind: 'BadInput', en: (p) => `${p.assignee} is no staff member of ${p.provider}` },
  assignee_lacks_skill: { kind: 'BadInput', en: (p) => `${p.assignee} lacks the skill ${p.skill}` },

  period_not_started: { kind: 'BadInput', en: (p) => `period ${p.period} has not started yet` },
  credit_note_not_reconciled: { kind: 'InvalidState', en: () => 'a credit note is not reconciled on its own' },
  invoice_paid: { kind: 'InvalidState', en: () => 'the invoice is paid; nothing can change it any more' },
  line_state: { kind: 'Conflict', en: (p) => `line ${p.lineNo} is ${p.status}` },
  credit_exceeds_line: { kind: 'BadInput', en: (p) => `a credit note cannot exceed the line amount (${p.maxCents} cents)` },
  resolution_needed: { kind: 'BadInput', en: () => 'give a credit amount, or an explanation to reject the dispute' },
  payment_exceeds_outstanding: { kind: 'BadInput', en: (p) => `the payment is larger than the ${p.outstandingCents} cents outstanding` },
  payment_already_registered: { kind: 'Conflict', en: (p) => `a payment with reference ${p.reference} is already registered` },
  invoice_in_netting: { kind: 'InvalidState', en: (p) => `the invoice is being settled by netting round ${p.roundId}` },
  netting_stale: { kind: 'Conflict', en: (p) => `invoice ${p.invoiceId} changed after the netting round was proposed` },
  netting_closed: { kind: 'InvalidState', en: (p) => `the netting round is ${p.status}` },
  netting_already_agreed: { kind: 'Conflict', en: (p) => `${p.org} has already agreed to this netting round` },
  netting_nothing_open: { kind: 'InvalidState', en: () => 'no open invoices of this organisation can be netted' },
  netting_not_party: { kind: 'InvalidState', en: (p) => `${p.org} has no open invoices to net` },
  bank_statement_invalid: {
    kind: 'BadInput',
    en: (p) => `the file is not a readable CAMT.053 bank statement (${p.problem}${p.detail ? `: ${p.detail}` : ''})`,
  },
  bank_statement_duplicate: { kind: 'Conflict', en: (p) => `statement ${p.statementId} was already imported on ${p.importedAt}` },
  no_hours_on_invoice: {
    kind: 'InvalidState',
    en: (p) => `this ${p.kind.replace(/_/g, ' ')} bills no hours: correct it with a credit note`,
  },
  request_not_on_invoice: { kind: 'BadInput', en: (p) => `request ${p.requestId} is not on this invoice` },
  no_entries_to_invoice: { kind: 'Conflict', en: (p) => `no entries to invoice for ${p.buyer}` },
  no_rate: { kind: 'Conflict', en: (p) => `no rate for service ${p.serviceId} on ${p.date}` },

  not_shared_centre: { kind: 'Forbidden', en: (p) => `this is for a shared centre; ${p.org} is not one` },
  concurrent_change: { kind: 'Conflict', en: () => 'the same thing was changed at the same moment; reload and try again' },
  service_not_offered: { kind: 'BadInput', en: (p) => `service ${p.serviceId} is not offered by ${p.provider}` },
  product_exists: { kind: 'Conflict', en: (p) => `product ${p.product} already exists` },
  product_terms_invoiced: {
    kind: 'Conflict',
    en: (p) => `${p.product} has advances or settlements already: ${list(p.fields)} can no longer change`,
  },
  not_a_municipality: { kind: 'BadInput', en: (p) => `not a municipality: ${list(p.codes)}` },
  end_before_start: { kind: 'BadInput', en: (p) => `the end is before the start (${p.start})` },
  participation_already_ends: { kind: 'BadInput', en: (p) => `the participation already ends on ${p.to}` },
  participation_overlap: {
    kind: 'Conflict',
    en: (p) => `${p.participant} already participates in ${p.product} from ${p.from} to ${p.to ?? 'open end'}`,
  },
  csv_rows_invalid: { kind: 'BadInput', en: (p) => `the CSV has ${p.count} bad row(s); nothing was imported` },
  year_settled: { kind: 'Conflict', en: (p) => `${p.product} ${p.year} is settled` },
  no_budget: { kind: 'Conflict', en: (p) => `${p.product} has no budget for ${p.year}` },
  no_actuals: { kind: 'Conflict', en: (p) => `record the actual costs of ${p.product} for ${p.year} first` },
  year_not_ended: { kind: 'InvalidState', en: (p) => `the year ${p.year} has not ended; it can be settled from ${p.year + 1}-01-01` },
  earlier_instalment_open: { kind: 'Conflict', en: (p) => `advance ${p.instalment} of ${p.year} has not been invoiced yet` },
  earlier_step_unfinished: {
    kind: 'Conflict',
    en: (p) => `an earlier advance is not fully issued (${list(p.invoices)}); start that step again first`,
  },
  all_advances_invoiced: { kind: 'Conflict', en: (p) => `all ${p.instalments} advances of ${p.year} have been invoiced` },
  instalment_out_of_range: { kind: 'BadInput', en: (p) => `instalment must be 1 to ${p.max}` },
  actuals_need_amount: { kind: 'BadInput', en: () => 'enter the actual costs: the product has no services with hours' },
  merge_into_itself: { kind: 'BadInput', en: () => 'a municipality cannot merge into itself' },
  merge_after_participation: {
    kind: 'BadInput',
    en: () => 'a merged municipality has a participation that starts on or after the merger date',
  },
  key_figure_missing: { kind: 'BadInput', en: (p) => `key figure "${p.name}" is missing for ${list(p.missing)}` },
  key_figure_unknown: { kind: 'BadInput', en: (p) => `there is no key figure "${p.name}"` },
  key_figure_zero: { kind: 'BadInput', en: (p) => `the key figure "${p.name}" adds up to zero` },
  rule_fixed_not_cents: { kind: 'BadInput', en: (p) => `the fixed share of ${p.participant} must be whole cents, 0 or more` },
  rule_base_not_cents: { kind: 'BadInput', en: () => 'the fixed base must be whole cents, 0 or more' },
  rule_rest_twice: { kind: 'BadInput', en: () => 'a key figure or hours appears twice in the rest' },
  rule_rest_weight: { kind: 'BadInput', en: () => 'each part of the rest needs a weight of 1 or more' },
  fixed_share_non_participant: {
    kind: 'BadInput',
    en: (p) => `a fixed share is set for ${list(p.participants)}, who never participated in the product`,
  },
  fixed_exceeds_total: { kind: 'BadInput', en: (p) => `the fixed shares (${p.fixedCents} ct) exceed the total (${p.totalCents} ct)` },
  fixed_and_base_exceed_total: {
    kind: 'BadInput',
    en: (p) => `the fixed shares and the fixed base (${p.fixedCents} ct) exceed the total (${p.totalCents} ct)`,
  },
  fixed_exceeds_budget: {
    kind: 'BadInput',
    en: (p) => `the fixed shares (${p.fixedCents} ct) exceed the budget of ${p.year} (${p.budgetCents} ct)`,
  },
  rest_unassigned: {
    kind: 'BadInput',
    en: (p) => `${p.restCents} ct is left after the fixed parts, but the rule says nothing about the rest`,
  },
  nobody_pays_rest: { kind: 'BadInput', en: () => 'every participant has a fixed share, so nobody can pay the rest' },
  nobody_participates: { kind: 'BadInput', en: (p) => `nobody participates in ${p.year}` },
  no_hours_to_divide: { kind: 'BadInput', en: (p) => `no approved hours of the participants in ${p.year} to divide by` },

  organisation_unknown: { kind: 'BadInput', en: (p) => `organisation ${p.org} does not exist` },
  service_exists: { kind: 'Conflict', en: (p) => `service ${p.serviceId} already exists` },
  rate_dates_twice: { kind: 'BadInput', en: () => 'two rate versions start on the same day' },
  rate_already_invoiced: {
    kind: 'Conflict',
    en: (p) =>
      `hours up to ${p.invoicedUpTo} have been invoiced at the current rate; a new rate can start on ${p.earliest} at the earliest`,
  },
  sells_to_itself: { kind: 'BadInput', en: () => 'a provider cannot sell to itself' },
  agreement_overlap: {
    kind: 'Conflict',
    en: (p) => `agreement ${p.agreement} already covers this service for ${p.buyer} from ${p.from} to ${p.to}`,
  },
  agreement_exists: { kind: 'Conflict', en: (p) => `agreement ${p.agreement} already exists` },
  target_not_shared_centre: { kind: 'BadInput', en: (p) => `${p.org} is not a shared centre` },
  already_provided_by: { kind: 'BadInput', en: (p) => `${p.serviceId} is already provided by ${p.org}` },
  already_transferred: { kind: 'Conflict', en: (p) => `${p.serviceId} moved to ${p.to} on ${p.date} already` },
  transfer_in_past: { kind: 'BadInput', en: () => 'a transfer cannot start in the past' },
  target_service_foreign: { kind: 'BadInput', en: (p) => `${p.serviceId} is not a service of ${p.org}` },
  attachment_missing: { kind: 'BadInput', en: () => 'no file was sent (multipart field "file")' },
  attachment_empty: { kind: 'BadInput', en: (p) => `${p.name} is empty` },
  attachment_too_large: { kind: 'TooLarge', en: (p) => `the file is larger than ${p.maxBytes} bytes` },
  attachment_type: {
    kind: 'UnsupportedMediaType',
    en: (p) => `${p.name} is not a PDF, office document, image, CSV or plain text file (judged by its content)`,
  },
  attachment_infected: { kind: 'Unprocessable', en: (p) => `${p.name} contains ${p.signature}; it was not stored` },
  virus_scanner_unavailable: { kind: 'Unavailable', en: () => 'the virus scanner does not answer; nothing was stored, try again later' },
  last_admin: { kind: 'Conflict', en: (p) => `${p.org} would have no administrator left` },
  invitation_expired: { kind: 'InvalidState', en: (p) => `the invitation expired at ${p.expiredAt}` },
  invitation_used: { kind: 'InvalidState', en: () => 'the invitation was used already' },
  user_not_member: { kind: 'NotFound', en: (p) => `${p.user} does not work for ${p.org}` },
  already_member: { kind: 'Conflict', en: (p) => `${p.email} already works for ${p.org}` },
  role_not_for_org: { kind: 'Unprocessable', en: (p) => `role ${p.role} is held at a shared centre only, not at ${p.org}` },
  own_account: { kind: 'BadInput', en: () => 'you cannot deactivate your own account' },
};

export function isRefusalCode(value: unknown): value is RefusalCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REFUSALS, value);
}

/** A refusal as data: what travels in problem+json, Temporal failure details and page models. */
export interface RefusalInfo<C extends RefusalCode = RefusalCode> {
  code: C;
  params: RefusalParams[C];
  /** The input field it is about, when there is one. */
  field?: string;
}

/** The one error type of the domain: a stable code, its parameters, and the field it concerns. */
export class Refusal<C extends RefusalCode = RefusalCode> extends Error {
  readonly kind: ErrorKind;
  constructor(
    readonly code: C,
    readonly params: RefusalParams[C],
    readonly field?: string,
  ) {
    super(REFUSALS[code].en(params as never));
    this.kind = REFUSALS[code].kind;
    this.name = this.kind;
  }
  get status(): number {
    return ERROR_STATUS[this.kind];
  }
  info(): RefusalInfo<C> {
    return { code: this.code, params: this.params, ...(this.field ? { field: this.field } : {}) };
  }
}

/** `refuse('budget_exceeded', { remainingMinutes: 30 }, 'minutes')`. */
export function refuse<C extends RefusalCode>(code: C, params: RefusalParams[C], field?: string): Refusal<C> {
  return new Refusal(code, params, field);
}

/** Shorthands for the most common refusals. */
export const invalidInput = (field: string, problem: InputProblem, limit?: number) =>
  refuse('invalid_input', { problem, ...(limit !== undefined ? { limit } : {}) }, field);
export const notFound = (thing: Thing) => refuse('not_found', { thing });
export const roleRequired = (roles: readonly Role[], org: string) => refuse('role_required', { roles, org });
const NONE = {} as Record<string, never>;
export const none = (): Record<string, never> => NONE;

/** A refusal rebuilt from data (problem details, failure details); null when it is not one. */
export function refusalFrom(info: unknown): Refusal | null {
  if (!info || typeof info !== 'object') return null;
  const { code, params, field } = info as Partial<RefusalInfo>;
  if (!isRefusalCode(code)) return null;
  return new Refusal(code, (params ?? {}) as never, typeof field === 'string' ? field : undefined);
}
