// The answers of the API, as schemas for the OpenAPI document. Records are documented with the
// fields clients rely on; they may carry more (loose objects). The integration tests validate
// every answer they receive against the document.
import { z } from 'zod';
import { WORK_KINDS } from '../domain/worklist';
import { REFUSALS, type RefusalCode } from '../domain/refusals';

const str = z.string();
const int = z.number().int();
const nstr = z.string().nullable();
const nint = z.number().int().nullable();
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const problem = z.object({
  type: str,
  title: str,
  status: int,
  detail: str.describe('English explanation; clients show their own text for the code'),
  instance: str.optional(),
  code: z.enum(Object.keys(REFUSALS) as [RefusalCode, ...RefusalCode[]]).describe('Stable refusal code'),
  params: z.record(str, z.unknown()).describe("The code's parameters"),
  field: str.optional().describe('The input field the refusal is about'),
});

export const actionInfo = z.object({
  action: str,
  allowed: z.boolean(),
  refusal: z.object({ code: str, params: z.record(str, z.unknown()), field: str.optional() }).optional(),
});

// ---- requests ------------------------------------------------------------------------------

export const requestState = loose({
  requestId: str,
  kind: z.enum(['one_off', 'standing']),
  buyer: str,
  provider: str,
  serviceId: str,
  title: str,
  status: str,
  estimateMinutes: nint,
  budgetMinutes: nint,
  loggedMinutes: int,
  assignee: nstr,
  contributors: z.array(str),
  deadlines: loose({ intake: nstr, delivery: nstr, acceptance: nstr }),
  version: int,
});
const moneyEstimate = z
  .object({ minutes: int, rateCentsPerHour: int, rateDate: str, amountCents: int.describe('Excluding VAT, half up to the cent') })
  .nullable();
export const requestDetail = requestState.extend({
  actions: z.array(actionInfo),
  money: z
    .object({ estimate: moneyEstimate, budget: moneyEstimate, extension: moneyEstimate.describe('The pending budget extension') })
    .describe("Hours in euros at the agreement's rate of today"),
  review: loose({ free: z.array(str), blocked: z.boolean(), candidates: z.array(loose({ userId: str, name: str })) }).nullable(),
});
const requestRow = loose({ _id: str, buyer: str, provider: str, serviceId: str, title: str, status: str, submittedAt: str });
export const requestList = z.object({ items: z.array(requestRow), total: int, page: int, pageSize: int });
export const tasks = z.object({ assigned: z.array(requestRow), toReview: z.array(requestRow) });
export const week = loose({
  monday: str,
  days: z.array(str),
  rows: z.array(loose({ id: str, title: str, cells: z.array(int) })),
  totals: z.array(int),
  weekTotal: int,
});
export const timeEntry = loose({ _id: str, requestId: str, userId: str, date: str, minutes: int, description: str, status: str });
export const entrySummary = loose({ entryId: str, userId: str, date: str, minutes: int });
export const monthly = z.array(loose({ month: str, minutes: int, approvedMinutes: int, invoicedMinutes: int, entries: int }));
export const auditEvent = loose({ _id: str, subject: str, seq: int, action: str, actor: str, org: str, at: str });
export const chainCheck = loose({ subject: str, ok: z.boolean(), events: int });
export const suggestions = z.array(
  loose({ userId: str, name: str, hasSkill: z.boolean(), openMinutes: int, takesLastReviewer: z.boolean() }),
);

// ---- invoices ------------------------------------------------------------------------------

export const invoice = loose({
  _id: str,
  number: nstr,
  kind: z.enum(['invoice', 'credit_note']),
  provider: str,
  buyer: str,
  period: str,
  issueDate: str,
  dueDate: str,
  lines: z.array(loose({ amountCents: int })),
  netCents: int,
  vatCents: int,
  grossCents: int,
  status: str,
});
export const invoiceDetail = invoice.extend({ displayStatus: str, actions: z.array(actionInfo) });
export const reconciliation = z.object({
  invoice: invoice.extend({ displayStatus: str }),
  lines: z.array(loose({ lineNo: int, amountCents: int, match: str, status: str, actions: z.array(actionInfo) })),
  actions: z.array(actionInfo),
});
export const invoiceState = loose({
  invoiceId: str,
  status: str,
  grossCents: int,
  creditedCents: int,
  paidCents: int,
  outstandingCents: int,
  lines: z.array(loose({ lineNo: int, status: str })),
  creditNoteIds: z.array(str),
});
export const correction = z.object({ entryId: str, requestId: str, date: str, minutes: int, status: z.literal('approved') });
export const balance = z.object({
  creditor: str,
  debtor: str,
  invoicedCents: int,
  creditedCents: int,
  paidCents: int,
  outstandingCents: int,
});
export const netting = z.object({
  org: str,
  netPositionCents: int,
  transfers: z.array(loose({ from: str, to: str, amountCents: int })),
  explanation: z.object({ pairsOpen: int, transfersNeeded: int, owedToUsCents: int, weOweCents: int }),
});
export const runStarted = z.object({ workflowId: str, runId: str, alreadyRunning: z.boolean(), rerun: z.boolean() });
export const runProgress = loose({
  period: str,
  phase: str,
  status: str,
  done: z.boolean(),
  failed: z.boolean(),
  percent: int,
  invoiceIds: z.array(str),
  invoices: z.array(loose({ id: str, number: nstr, buyerName: str, grossCents: int })),
});

// ---- catalogue -----------------------------------------------------------------------------

export const service = loose({
  _id: str,
  provider: str,
  name: str,
  policyArea: str,
  rates: z.array(loose({ validFrom: str, rateCentsPerHour: int })),
});
export const agreement = loose({ _id: str, buyer: str, provider: str, serviceIds: z.array(str), validFrom: str, validTo: str });
export const transfer = loose({ _id: str, serviceId: str, from: str, to: str, effectiveDate: str });

// ---- contributions -------------------------------------------------------------------------

export const product = loose({ _id: str, provider: str, name: str, rules: loose({}) });
export const participation = loose({ _id: str, product: str, participant: str, from: str, to: nstr });
export const keyFigureVersion = loose({ _id: str, name: str, version: int, referenceDate: str, figures: z.record(str, int), source: str });
export const keyFigureImport = z.object({ version: keyFigureVersion, skipped: z.array(z.object({ row: int, region: str })) });
export const budget = loose({ _id: str, product: str, year: int, version: int, budgetCents: int });
export const actual = loose({ _id: str, product: str, year: int, version: int, actualCents: int });
export const preview = loose({ allocation: loose({ totalCents: int, shares: z.array(loose({ participant: str, totalCents: int })) }) });
export const stepStarted = z.object({ workflowId: str, instalment: nint, alreadyStarted: z.boolean() });
export const step = loose({ _id: str, product: str, year: int, kind: str });
export const merger = z.object({ ended: z.array(str), created: z.array(str), keyFigureVersions: z.array(str) });
const reportRow = loose({ product: str, participant: nstr, year: int, advancesCents: int, paidCents: int, outstandingCents: int });
export const report = z.object({ year: int, rows: z.array(reportRow), products: z.array(reportRow) });

// ---- netting rounds --------------------------------------------------------------------------

export const nettingRound = z.object({
  id: str,
  status: z.enum(['proposed', 'rejected', 'expired', 'settling', 'stale', 'settled']),
  proposedByName: str,
  proposedAt: str,
  expiresAt: str,
  settledAt: nstr,
  parties: z.array(z.object({ org: str, name: str, agreed: z.boolean(), agreedBy: nstr, agreedAt: nstr })),
  rejection: z.object({ orgName: str, name: str, reason: str, at: str }).nullable(),
  invoiceCount: int,
  settledCount: int,
  totalCents: int.describe('All invoices of the round together'),
  transferCount: int,
  positionCents: int.describe("The caller's net position: positive is to receive"),
  invoices: z
    .array(
      z.object({
        invoiceId: str,
        number: str,
        provider: str,
        buyer: str,
        amountCents: int,
        side: z.enum(['receivable', 'payable']),
        counterpartName: str,
        settled: z.boolean(),
        stale: z.boolean(),
      }),
    )
    .describe("The caller's own invoices in the round only"),
  transfers: z.array(z.object({ from: str, to: str, amountCents: int, fromName: str, toName: str })),
  mayAgree: z.boolean(),
  mayReject: z.boolean(),
  version: int,
  alreadyProposed: z.boolean().optional(),
});

// ---- regional steering ---------------------------------------------------------------------

// Strict objects: the overview carries codes and figures only, never a request's content.
const figures = {
  requests: int,
  minutes: int,
  hoursCents: int.describe('Net euros (cents) invoiced by hours in the period'),
  contributionCents: int.describe('Net euros (cents) invoiced by contribution (advances, settlements)'),
  totalCents: int,
  slaTotal: int,
  slaMet: int.describe('Requests without an intake or delivery SLA breach'),
  slaPercent: nint,
};
export const steering = z.object({
  quarter: str.describe('e.g. 2026-Q3'),
  quarterLabel: str,
  range: z.object({ from: str, to: str, year: int }),
  perMunicipality: z.array(z.object({ org: str, name: str, ...figures })),
  perService: z.array(z.object({ serviceId: str, name: str, ...figures })),
  totals: z.object(figures),
  agreements: z.array(
    z.object({
      id: str,
      buyer: str,
      provider: str,
      buyerName: str,
      providerName: str,
      serviceIds: z.array(str),
      serviceNames: z.array(str),
      validFrom: str,
      validTo: str,
      hourBilling: z.boolean(),
      budgetMinutes: nint,
      minutesInQuarter: int,
      minutesToDate: int,
      invoicedCents: int,
      usedPercent: nint,
    }),
  ),
  products: z.array(
    z.object({
      id: str,
      name: str,
      provider: str,
      providerName: str,
      year: int,
      budgetCents: nint,
      budgetVersion: nint,
      invoicedCents: int,
      actualCents: nint,
      usedPercent: nint,
    }),
  ),
  trend: z.array(z.object({ quarter: str, quarterLabel: str, ...figures })),
});

// ---- system --------------------------------------------------------------------------------

export const health = z.object({ ok: z.boolean(), checks: z.record(str, z.boolean()) });
export const mail = loose({ _id: str, to: str, subject: str, kind: str, createdAt: str });
export const demoUsers = z.array(z.object({ userId: str, org: str, orgName: str, name: str, roles: z.array(str) }));
export const devToken = z.object({ token: str, actor: loose({ userId: str, org: str, roles: z.array(str) }) });

export const worklist = z.object({
  items: z.array(
    z.object({
      kind: z.enum(WORK_KINDS),
      subject: z.enum(['request', 'invoice']),
      id: str,
      title: str.describe('The request title, or the invoice number'),
      counterpartName: str,
      deadline: nstr,
      overdue: z.boolean(),
      lines: int.optional().describe('For invoices: how many lines wait'),
    }),
  ),
  overdue: int,
});

export const hoursSpecification = z.object({
  invoice: z.object({ id: str, number: nstr, period: str }),
  lines: z.array(
    z.object({
      lineNo: int,
      requestId: str,
      title: str,
      minutes: int.describe('Billed minutes of the line'),
      rounding: z.object({ rule: z.enum(['none', 'up6', 'up15']), registeredMinutes: int, billedMinutes: int, entryCount: int }).nullable(),
      entries: z.array(z.object({ entryId: str, date: str, userName: str, minutes: int, billedMinutes: int, description: str })),
    }),
  ),
});

export const unread = z.object({ unread: int });
export const notifications = z.object({
  items: z.array(z.object({ id: str, subject: str, kind: str, createdAt: str, read: z.boolean(), requestId: nstr, invoiceId: nstr })),
  unread: int,
});

export const comment = z.object({
  _id: str,
  requestId: str,
  org: str,
  authorId: str,
  authorName: str,
  text: str,
  internal: z.boolean(),
  mentions: z.array(str),
  createdAt: str,
});
export const timeline = z.object({
  requestId: str,
  items: z.array(
    loose({
      kind: z.enum(['event', 'question', 'answer', 'comment', 'attachment', 'mail', 'hours', 'invoice']),
      at: str,
    }),
  ),
});

export const attachment = z.object({
  id: str,
  requestId: str,
  name: str,
  contentType: str,
  size: int,
  context: z.enum(['request', 'question', 'answer', 'result']),
  clarification: z.number().int().nullable(),
  uploadedBy: str,
  uploadedByName: str,
  org: str,
  uploadedAt: str,
  scan: z.enum(['clean', 'not_scanned']),
  sha256: str,
});
export const attachmentDownloads = z.array(z.object({ seq: int, action: str, actor: str, org: str, at: str }));

const bankLine = z.object({
  lineNo: int,
  entryRef: str,
  endToEndId: str,
  bookingDate: str,
  amountCents: int,
  currency: str,
  credit: z.boolean(),
  booked: z.boolean(),
  batch: z.boolean(),
  debtorName: str,
  debtorIban: str,
  remittance: str,
  match: z.enum(['exact', 'partial', 'unmatched']),
  reason: nstr,
  invoices: z.array(z.object({ invoiceId: str, number: str, amountCents: int })),
  status: z.enum(['proposed', 'registered', 'skipped', 'failed']),
  refusal: z.object({ code: str, params: z.unknown() }).nullable(),
  registeredAt: nstr,
});
export const bankStatement = z.object({
  id: str,
  account: str,
  statementId: str,
  statementCreatedAt: str,
  fileName: str,
  importedBy: str,
  importedByName: str,
  importedAt: str,
  confirmedAt: nstr,
  lines: z.array(bankLine),
  totals: z.object({ credits: int, exact: int, partial: int, unmatched: int, registered: int }),
});

export const me = z.object({
  userId: str,
  name: str,
  org: str,
  roles: z.array(str),
  memberships: z.array(z.object({ org: str, name: str, roles: z.array(str) })),
});

export const ownShare = z.object({
  product: z.object({ id: str, name: str, provider: str, providerName: str }),
  year: int,
  budget: z.object({ totalCents: int, at: str, reason: nstr }),
  yearDays: int,
  restCents: int,
  parts: z.array(z.object({ by: str, name: str, weight: int, cents: int, weightSum: z.number() })),
  share: z
    .object({
      participant: str,
      days: int,
      fixedCents: int,
      baseCents: int,
      parts: z.array(z.object({ by: str, name: str, weight: int, cents: int, explanation: str })),
      totalCents: int,
      explanation: str,
    })
    .nullable(),
  others: z.object({
    fixed: z.array(z.object({ participant: str, name: str, cents: int })),
    basePerParticipant: int,
    participants: int,
  }),
  keyFigures: z.array(
    z.object({
      id: str,
      name: str,
      version: int,
      referenceDate: str,
      source: nstr,
      figures: z.array(z.object({ participant: str, name: str, value: z.number().nullable(), own: z.boolean() })),
    }),
  ),
  nextAdvance: z.object({ instalment: int, instalments: int, periodLabel: str, amountCents: int }).nullable(),
});

export const orgUser = z.object({
  userId: str,
  name: str,
  email: str,
  roles: z.array(str),
  active: z.boolean(),
  deactivatedAt: nstr,
});
export const invitation = z.object({ email: str, roles: z.array(str), expiresAt: str });
export const orgUsers = z.object({
  org: str,
  orgName: str,
  members: z.array(orgUser),
  invitations: z.array(
    z.object({ id: str, email: str, roles: z.array(str), createdAt: str, expiresAt: str, status: z.enum(['open', 'used', 'expired']) }),
  ),
  grantable: z.array(str),
});
export const orgAuditEvent = z.object({ seq: int, action: str, actor: str, actorName: str, at: str, after: z.unknown() });
