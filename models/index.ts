// Mongoose models, created on a given connection so tests can use their own database.
// Written for FerretDB v1 and MongoDB 7 alike: no transactions, $lookup or TTL indexes;
// idempotency comes from deterministic _ids, unique indexes and conditional upserts.
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ROUNDING_RULES, VAT_CATEGORIES, type RoundingRule, type VatCategory } from '../domain/money';
import { PROCESS_DEFAULTS, REQUEST_STATUSES } from '../domain/lifecycle';
import { DEFAULT_RETENTION_DAYS } from '../domain/retention';
import { ROLES } from '../domain/roles';
import { createContributionModels } from './contributions';

const opts = { versionKey: false, timestamps: false } as const;

const organisationSchema = new Schema(
  {
    _id: { type: String, required: true }, // code, e.g. DOR
    name: { type: String, required: true },
    kind: { type: String, enum: ['municipality', 'shared_centre'], required: true },
    population: { type: Number, required: true },
    populationDate: { type: String, required: true },
    cbsCode: { type: String, default: null }, // CBS municipality code, e.g. GM0505 (key-figure imports)
    oin: { type: String, required: true }, // Organisatie-identificatienummer, scheme 0190
    kvk: { type: String },
    vatNumber: { type: String, default: null }, // btw-identificatienummer, for standard-rated invoices
    iban: { type: String, required: true },
    address: {
      street: String,
      postalCode: String,
      city: String,
    },
  },
  opts,
);

const membershipSchema = new Schema(
  {
    org: { type: String, required: true },
    roles: [{ type: String, enum: ROLES }],
    // Switched off by the organisation's administrator: the person can no longer act for it.
    deactivatedAt: { type: String, default: null },
  },
  { _id: false },
);
const userSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    memberships: { type: [membershipSchema], default: [] },
    skills: { type: [String], default: [] },
  },
  opts,
);

// Every write of users through this process counts: a cache of users (mail recipients) sees
// it at once; other processes' writes reach it when its entry expires.
let usersWrites = 0;
export const usersVersion = () => usersWrites;
const countUsersWrite = () => void usersWrites++;
userSchema.post('save', countUsersWrite);
userSchema.post('insertMany', countUsersWrite);
userSchema.post('bulkWrite', countUsersWrite);
userSchema.post(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany'], countUsersWrite);

const rateVersionSchema = new Schema(
  { validFrom: { type: String, required: true }, rateCentsPerHour: { type: Number, required: true } },
  { _id: false },
);
const serviceSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true, index: true },
    name: { type: String, required: true },
    policyArea: { type: String, required: true },
    quoteRequired: { type: Boolean, default: PROCESS_DEFAULTS.quoteRequired },
    intakeSlaDays: { type: Number, default: PROCESS_DEFAULTS.intakeSlaDays },
    deliverySlaDays: { type: Number, default: PROCESS_DEFAULTS.deliverySlaDays },
    silentAcceptanceDays: { type: Number, default: PROCESS_DEFAULTS.silentAcceptanceDays },
    reviewRequired: { type: Boolean, default: PROCESS_DEFAULTS.reviewRequired },
    /** Days after a request closes before its free text is removed (personal data; see retention). */
    retentionDays: { type: Number, default: DEFAULT_RETENTION_DAYS },
    rates: { type: [rateVersionSchema], default: [] },
  },
  opts,
);

const agreementSchema = new Schema(
  {
    _id: { type: String, required: true },
    buyer: { type: String, required: true, index: true },
    provider: { type: String, required: true, index: true },
    serviceIds: { type: [String], required: true },
    validFrom: { type: String, required: true },
    validTo: { type: String, required: true },
    rateCentsPerHour: { type: Number, default: null }, // null: the catalogue rate
    hourBudget: { type: Number, default: null },
    roundingRule: { type: String, enum: ROUNDING_RULES, default: 'none' },
    vatCategory: { type: String, enum: VAT_CATEGORIES, default: 'O' },
    paymentTermDays: { type: Number, default: 30 },
    invoiceFrequency: { type: String, enum: ['monthly', 'quarterly'], default: 'monthly' },
    // false: the buyer pays for this service by contribution only; hour runs leave its hours.
    hourBilling: { type: Boolean, default: true },
    orderReference: { type: String, required: true },
  },
  opts,
);

const requestSchema = new Schema(
  {
    _id: { type: String, required: true },
    buyer: { type: String, required: true, index: true },
    provider: { type: String, required: true, index: true },
    serviceId: { type: String, required: true },
    agreementId: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    /** Normalised words of the title (with prefixes) and the description, for search (domain/search.ts). */
    searchTokens: { type: [String], default: [], index: true },
    status: { type: String, enum: REQUEST_STATUSES, required: true, index: true },
    estimateMinutes: { type: Number, default: null },
    quoteNote: { type: String, default: null },
    budgetMinutes: { type: Number, default: null },
    loggedMinutes: { type: Number, default: 0 },
    assignee: { type: String, default: null, index: true },
    kind: { type: String, enum: ['one_off', 'standing'], default: 'one_off' },
    contributors: { type: [String], default: [] },
    nominatedReviewer: { type: String, default: null },
    deliverable: { type: Object, default: null },
    pendingExtension: { type: Object, default: null },
    clarifications: { type: [Object], default: [] },
    lastReason: { type: String, default: null },
    lastReasonAction: { type: String, default: null },
    deadlines: { type: Object, default: null },
    breaches: { type: [Object], default: [] },
    overdue: { type: Boolean, default: false, index: true },
    /** When the retention clean-up removed the request's free text. */
    anonymisedAt: { type: String, default: null },
    version: { type: Number, required: true },
    submittedAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
  },
  opts,
);

const timeEntrySchema = new Schema(
  {
    _id: { type: String, required: true }, // <requestId>-<seq>: deterministic, so a retry cannot duplicate
    requestId: { type: String, required: true, index: true },
    agreementId: { type: String, required: true },
    buyer: { type: String, required: true },
    provider: { type: String, required: true },
    userId: { type: String, required: true },
    date: { type: String, required: true },
    minutes: { type: Number, required: true },
    description: { type: String, required: true },
    status: { type: String, enum: ['registered', 'approved', 'invoiced'], required: true },
    /** A correction booked by finance: billed like hours, but not work of that person on that day. */
    correction: { type: Boolean, default: false },
    invoiceRunKey: { type: String, default: null },
    invoiceId: { type: String, default: null },
    createdAt: { type: String, required: true },
  },
  opts,
);
timeEntrySchema.index({ provider: 1, status: 1, date: 1 });
timeEntrySchema.index({ invoiceRunKey: 1, buyer: 1 });
timeEntrySchema.index({ userId: 1, date: 1 });

// A person's registered minutes on one day (corrections are not work on a day), per entry:
// written with the entries under the day's lock, so the 24-hour cap reads one document by _id
// instead of the person's entries (FerretDB v1 answers only _id lookups from an index).
const dayTotalSchema = new Schema(
  {
    _id: { type: String, required: true }, // <userId>|<date>
    minutes: { type: Object, default: {} }, // entry id -> minutes
  },
  { ...opts, minimize: false },
);

// A data migration that has run: its id, and when.
const migrationSchema = new Schema({ _id: { type: String, required: true }, at: { type: String, required: true } }, opts);

const invoiceLineSchema = new Schema(
  {
    requestId: String,
    late: { type: Boolean, default: false },
    title: String,
    minutes: Number,
    rateCentsPerHour: Number,
    amountCents: Number,
    vatCategory: String,
    entryCount: Number,
  },
  { _id: false },
);
const vatBreakdownSchema = new Schema(
  { category: String, percent: Number, baseCents: Number, vatCents: Number, exemptionReason: String },
  { _id: false },
);
const invoiceSchema = new Schema(
  {
    _id: { type: String, required: true },
    number: { type: String, default: null },
    kind: { type: String, enum: ['invoice', 'credit_note'], default: 'invoice' },
    provider: { type: String, required: true, index: true },
    buyer: { type: String, required: true, index: true },
    period: { type: String, required: true },
    runKey: { type: String, required: true },
    agreementId: { type: String, required: true },
    orderReference: { type: String, required: true },
    issueDate: { type: String, required: true },
    dueDate: { type: String, required: true },
    lines: { type: [invoiceLineSchema], default: [] },
    vat: { type: [vatBreakdownSchema], default: [] },
    netCents: { type: Number, required: true },
    vatCents: { type: Number, required: true },
    grossCents: { type: Number, required: true },
    status: { type: String, enum: ['draft', 'issued', 'disputed', 'settled', 'paid'], required: true },
    // credit notes
    creditedInvoiceId: { type: String, default: null },
    creditedInvoiceNumber: { type: String, default: null },
    reason: { type: String, default: null },
    // reconciliation, written by the invoice workflow
    lineStates: { type: [Object], default: [] },
    creditedCents: { type: Number, default: 0 },
    paidCents: { type: Number, default: 0 },
    outstandingCents: { type: Number, default: 0 },
    disputedCents: { type: Number, default: 0 },
    overdue: { type: Boolean, default: false },
    payments: { type: [Object], default: [] },
    creditNoteIds: { type: [String], default: [] },
    /** The netting round settling this invoice right now, if any. */
    nettingRound: { type: String, default: null },
    version: { type: Number, default: 0 },
  },
  opts,
);

// One document per issued number: the unique _id (the number) and the unique invoiceId make
// numbering gap-free and idempotent without transactions.
const invoiceNumberSchema = new Schema(
  {
    _id: { type: String, required: true },
    series: { type: String, required: true }, // <provider>-<year>
    seq: { type: Number, required: true },
    invoiceId: { type: String, required: true, unique: true },
  },
  opts,
);
invoiceNumberSchema.index({ series: 1, seq: -1 });

// An Idempotency-Key of a POST: the first request's fingerprint and, once answered, its answer.
// A repeat with the same key and body gets that answer again; keys expire after 24 hours (a
// scheduled clean-up removes them: FerretDB v1 has no TTL indexes).
const idempotencyKeySchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256(user + key)
    fingerprint: { type: String, required: true }, // sha256(method, path, body)
    state: { type: String, enum: ['pending', 'done'], required: true },
    status: { type: Number, default: null },
    body: { type: Object, default: null },
    at: { type: Number, required: true, index: true }, // epoch ms of the first request (or of a takeover)
    born: { type: Number, default: null }, // epoch ms of the first request: names this life of the key
  },
  opts,
);

// A web session ended by signing out: its cookie stays signed, so the server remembers the
// session id until the cookie would have expired anyway.
const endedSessionSchema = new Schema(
  {
    _id: { type: String, required: true }, // the session id
    until: { type: Number, required: true, index: true }, // epoch ms when the cookie expires
  },
  opts,
);

// A lock on one key (lib/key-lock.ts): its unique _id makes taking it atomic on FerretDB v1,
// whose conditional updates are not. Used for one person-day's hours (the 24-hour cap) and
// one municipality's participation in a product.
const keyLockSchema = new Schema(
  {
    _id: { type: String, required: true }, // e.g. day:<userId>:<date>
    token: { type: String, required: true },
    at: { type: Number, required: true }, // epoch ms
    owner: { type: String, default: null }, // the work it guards, e.g. an entry id: a retry of it may take over at once
  },
  opts,
);

// Outbox and local mailbox in one: written with the action that causes the mail, delivered
// by the dispatcher; the deterministic _id makes a retried write a no-op.
const mailSchema = new Schema(
  {
    _id: { type: String, required: true },
    to: { type: String, required: true, index: true },
    email: { type: String, required: true },
    subject: { type: String, required: true },
    html: { type: String, required: true },
    kind: { type: String, required: true },
    requestId: { type: String, default: null },
    invoiceId: { type: String, default: null },
    status: { type: String, enum: ['pending', 'sent'], default: 'pending', index: true },
    /** When the recipient read it as a notification in the app (null: unread). */
    readAt: { type: String, default: null },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    createdAt: { type: String, required: true },
    sentAt: { type: String, default: null },
  },
  opts,
);

// A comment on a request by someone of either party; an internal note only the provider sees.
// Append-only: a comment is never changed, so it needs no workflow to order its writes.
const requestCommentSchema = new Schema(
  {
    _id: { type: String, required: true },
    requestId: { type: String, required: true, index: true },
    org: { type: String, required: true },
    authorId: { type: String, required: true },
    text: { type: String, required: true },
    internal: { type: Boolean, default: false },
    mentions: { type: [String], default: [] },
    createdAt: { type: String, required: true },
  },
  opts,
);

// The hours one invoice bills, claimed in a single insert whose unique _id is the invoice id.
// Entries themselves are never updated by a run: "invoiced" is derived from these claims
// (see models/billing.ts). One insert per invoice instead of one update per entry is what
// keeps a run close to the cost of reading the entries, on FerretDB as on MongoDB.
const billingClaimSchema = new Schema(
  {
    _id: { type: String, required: true }, // the invoice id
    provider: { type: String, required: true, index: true },
    buyer: { type: String, required: true },
    runKey: { type: String, required: true },
    period: { type: String, required: true },
    entryIds: { type: [String], required: true },
    requestIds: { type: [String], required: true, index: true },
    // What the invoice needs of each entry (objects: FerretDB v1 stores no nested arrays)
    entries: { type: Array, required: true },
    // 'open' until the invoice is issued and its entries carry the status 'invoiced'; then
    // 'marked', and a run no longer needs the claim to leave those entries out. A string, so
    // that FerretDB hands the filter to SQLite's index (claims of older versions get it once).
    state: { type: String, enum: ['open', 'marked'] },
  },
  opts,
);
billingClaimSchema.index({ provider: 1, state: 1 });

// At most one invoice run per provider at a time (a unique _id: the provider's code).
const runLockSchema = new Schema({ _id: { type: String, required: true }, runKey: { type: String, required: true }, at: String }, opts);

// Delivery claims: inserting a claim is atomic on FerretDB and MongoDB alike (a unique _id),
// unlike a conditional update, which FerretDB v1 does not serialise.
// The outbox's pending mails by id, removed once sent: the dispatcher reads this small
// collection, not the mails (FerretDB v1 reads a whole collection for a filter on a field).
const mailQueueSchema = new Schema({ _id: { type: String, required: true }, at: { type: String, required: true } }, opts);
const mailClaimSchema = new Schema({ _id: { type: String, required: true }, at: { type: Number, required: true } }, opts);

const auditEventSchema = new Schema(
  {
    _id: { type: String, required: true }, // <subject>:<seq>
    subject: { type: String, required: true, index: true },
    seq: { type: Number, required: true },
    action: { type: String, required: true },
    actor: { type: String, required: true },
    org: { type: String, required: true },
    at: { type: String, required: true },
    before: { type: Object, default: null },
    after: { type: Object, default: null },
    // The chain (lib/audit-chain.ts): the previous event's hash and this event's own.
    prevHash: { type: String, default: null },
    hash: { type: String, default: null },
  },
  opts,
);

// The audit trail is append-only: the model refuses every update and delete.
for (const op of [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
  'findOneAndReplace',
] as const) {
  auditEventSchema.pre(op, function refuse() {
    throw new Error('audit events are append-only');
  });
}

// An invitation to an organisation: _id is the digest of the token in the mailed link (the token
// itself is never stored). Accepting inserts an InvitationUse with the same _id: single use,
// atomic on FerretDB too (a unique _id, not a conditional update).
const invitationSchema = new Schema(
  {
    _id: { type: String, required: true },
    org: { type: String, required: true, index: true },
    email: { type: String, required: true },
    roles: { type: [String], required: true },
    invitedBy: { type: String, required: true },
    createdAt: { type: String, required: true },
    expiresAt: { type: String, required: true },
  },
  opts,
);
const invitationUseSchema = new Schema(
  { _id: { type: String, required: true }, userId: { type: String, required: true }, at: { type: String, required: true } },
  opts,
);

// An imported bank statement (CAMT.053): _id is a digest of the account and the bank's statement
// id, so a second import of the same statement is refused by the unique _id, atomic on FerretDB too.
const bankStatementSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true, index: true },
    account: { type: String, required: true },
    statementId: { type: String, required: true },
    statementCreatedAt: { type: String, default: '' },
    fileName: { type: String, default: '' },
    sha256: { type: String, required: true },
    importedBy: { type: String, required: true },
    importedAt: { type: String, required: true },
    confirmedAt: { type: String, default: null },
    // One per transaction, with its match and what became of it (objects: FerretDB v1 stores no nested arrays).
    lines: { type: Array, required: true },
  },
  opts,
);

// A netting round as its workflow last recorded it (the workflow owns it; pages read this).
const nettingRoundSchema = new Schema(
  {
    _id: { type: String, required: true }, // net-<digest of its invoices and amounts>
    status: { type: String, required: true },
    parties: { type: [String], required: true, index: true },
    invoices: { type: Array, required: true },
    transfers: { type: Array, required: true },
    agreements: { type: Array, default: [] },
    rejection: { type: Object, default: null },
    proposedBy: { type: String, required: true },
    proposedAt: { type: String, required: true },
    expiresAt: { type: String, required: true },
    settledAt: { type: String, default: null },
    settledInvoiceIds: { type: [String], default: [] },
    staleInvoiceIds: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  opts,
);

export type Organisation = InferSchemaType<typeof organisationSchema>;
export type User = InferSchemaType<typeof userSchema>;
export type Service = InferSchemaType<typeof serviceSchema>;
export type Agreement = InferSchemaType<typeof agreementSchema>;
export type RequestDoc = InferSchemaType<typeof requestSchema>;
export type TimeEntry = InferSchemaType<typeof timeEntrySchema>;
export type Invoice = InferSchemaType<typeof invoiceSchema>;
export type AuditEvent = InferSchemaType<typeof auditEventSchema>;
export type Mail = InferSchemaType<typeof mailSchema>;
export type BillingClaim = InferSchemaType<typeof billingClaimSchema>;
/** One entry as a billing claim keeps it. */
export interface ClaimedEntry {
  _id: string;
  requestId: string;
  agreementId: string;
  date: string;
  minutes: number;
}

export function createModels(conn: Connection) {
  return {
    Organisation: conn.model('Organisation', organisationSchema, 'organisations') as Model<Organisation>,
    User: conn.model('User', userSchema, 'users') as Model<User>,
    Service: conn.model('Service', serviceSchema, 'services') as Model<Service>,
    Agreement: conn.model('Agreement', agreementSchema, 'agreements') as Model<Agreement>,
    Request: conn.model('Request', requestSchema, 'requests') as Model<RequestDoc>,
    TimeEntry: conn.model('TimeEntry', timeEntrySchema, 'time_entries') as Model<TimeEntry>,
    DayTotal: conn.model('DayTotal', dayTotalSchema, 'day_totals') as Model<{ _id: string; minutes: Record<string, number> }>,
    Migration: conn.model('Migration', migrationSchema, 'migrations'),
    Invoice: conn.model('Invoice', invoiceSchema, 'invoices') as Model<Invoice>,
    InvoiceNumber: conn.model('InvoiceNumber', invoiceNumberSchema, 'invoice_numbers'),
    AuditEvent: conn.model('AuditEvent', auditEventSchema, 'audit_events') as Model<AuditEvent>,
    KeyLock: conn.model('KeyLock', keyLockSchema, 'key_locks'),
    EndedSession: conn.model('EndedSession', endedSessionSchema, 'ended_sessions'),
    IdempotencyKey: conn.model('IdempotencyKey', idempotencyKeySchema, 'idempotency_keys'),
    Mail: conn.model('Mail', mailSchema, 'mails') as Model<Mail>,
    RequestComment: conn.model('RequestComment', requestCommentSchema, 'request_comments'),
    MailClaim: conn.model('MailClaim', mailClaimSchema, 'mail_claims'),
    MailQueue: conn.model('MailQueue', mailQueueSchema, 'mail_queue'),
    RunLock: conn.model('RunLock', runLockSchema, 'run_locks'),
    BillingClaim: conn.model('BillingClaim', billingClaimSchema, 'billing_claims') as Model<BillingClaim>,
    BankStatement: conn.model('BankStatement', bankStatementSchema, 'bank_statements'),
    Invitation: conn.model('Invitation', invitationSchema, 'invitations'),
    InvitationUse: conn.model('InvitationUse', invitationUseSchema, 'invitation_uses'),
    NettingRound: conn.model('NettingRound', nettingRoundSchema, 'netting_rounds'),
    ...createContributionModels(conn),
  };
}
export type Models = ReturnType<typeof createModels>;

/** Creates the indexes; safe to call at every start. */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}

export const DUPLICATE_KEY = 11000;
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === DUPLICATE_KEY;
}

/** For idempotent writes: a duplicate key means an earlier attempt already wrote it. */
export function ignoreDuplicateKey(err: unknown): void {
  if (!isDuplicateKey(err)) throw err;
}

/** An agreement (DVO) as the admin API takes it and the demo data seeds it. */
export type AgreementInput = Pick<Agreement, 'buyer' | 'provider' | 'serviceIds' | 'validFrom' | 'validTo' | 'orderReference'> & {
  _id: string;
  rateCentsPerHour: number | null;
  hourBudget: number | null;
  roundingRule: RoundingRule;
  vatCategory: VatCategory;
  paymentTermDays: number;
  invoiceFrequency?: 'monthly' | 'quarterly';
  hourBilling?: boolean;
};
