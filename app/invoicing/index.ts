// The invoicing feature: invoice runs, invoices and credit notes with the actions the caller
// may take, line-by-line reconciliation, disputes, payments and corrections through the
// invoice's workflow, the documents (HTML, PDF, UBL), balances, netting and the CSV exports.
// Who may do what is the table in domain/invoice-access.ts.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import * as msg from '../../contracts';
import {
  correctionWorkflowId,
  getInvoiceRunProgress,
  invoiceRunWorkflowId,
  invoiceWorkflowId,
  WORKFLOW_TASK_TIMEOUT,
  type CorrectionResult,
  type InvoiceLineState,
  type InvoiceState,
} from '../../contracts';
import { ulid } from 'ulid';
import { invoicePdf } from '../../documents/pdf';
import { hoursSpecificationPdf } from '../../documents/hours-pdf';
import { invoiceUbl, type UblAttachment, type UblProfile } from '../../documents/ubl';
import { invoiceView, type InvoiceView } from '../../documents/invoice-view';
import { isContributionStepKey } from '../../domain/contributions';
import { dutchDate, periodBounds } from '../../domain/dates';
import {
  INVOICE_LEVEL_ACTIONS,
  invoiceActions,
  INVOICE_DISPLAY_STATUSES,
  invoiceDisplayStatus,
  invoiceRefusal,
  LINE_ACTIONS,
  readableSides,
  type InvoiceAction,
  type InvoiceSubject,
} from '../../domain/invoice-access';
import { lineKey, lineRounding, type LineRounding } from '../../domain/invoicing';
import { centsToDecimal, type RoundingRule, type VatCategory } from '../../domain/money';
import { effectiveRate } from '../../domain/rates';
import { nettingProposal, type Balance } from '../../domain/netting';
import { matchContributionLine, matchLine, outstandingCents } from '../../domain/reconciliation';
import { notFound, refuse, roleRequired } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import { verifyChain } from '../../lib/audit-chain';
import { createViews } from '../../lib/views';
import { INVOICE_STATUS_NL } from '../../i18n/nl';
import { entriesOfInvoice } from '../../models/billing';
import type { StepLine } from '../../models/contributions';
import { toCsv } from '../core/csv';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { isoDate, minutes, parseInput, period, positiveCents, text } from '../core/input';
import { idempotencyKeyNow, idFromKey } from '../core/request-context';
import { executeWorkflow, fromTemporal, query, startWorkflow, update } from '../core/temporal';

export const INVOICE_SCHEMAS = {
  acceptLine: z.object({}),
  disputeLine: z.object({ reason: text(2000) }),
  resolveDispute: z
    .object({ creditCents: positiveCents.optional(), explanation: z.string().trim().max(2000).optional() })
    .refine((b) => b.creditCents !== undefined || Boolean(b.explanation), { message: 'required', path: ['explanation'] }),
  registerPayment: z.object({ amountCents: positiveCents, date: isoDate, reference: z.string().trim().max(200).default('') }),
  registerReceipt: z.object({ amountCents: positiveCents, date: isoDate, reference: z.string().trim().max(200).default('') }),
  bookCorrection: z.object({ requestId: text(100), date: isoDate, minutes: minutes(1440), description: text(2000) }),
} as const;
export type InvoiceWriteAction = keyof typeof INVOICE_SCHEMAS;
export const runSchema = z.object({ period });
/**
 * The invoice list's filter: words that must each match a number, an order reference or a
 * line; the status as people read it; outgoing or incoming; the order; and a page (all when
 * no page is asked for).
 */
export const INVOICE_SORTS = ['-issueDate', 'issueDate', '-dueDate', 'dueDate', '-grossCents', 'grossCents', 'number', '-number'] as const;
export const invoiceListSchema = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(INVOICE_DISPLAY_STATUSES).optional(),
  side: z.enum(['provider', 'buyer']).optional(),
  sort: z.enum(INVOICE_SORTS).default('-issueDate'),
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const ublSchema = z.object({ profile: z.enum(['peppol', 'nlcius']).default('peppol') });

const UPDATES = {
  acceptLine: msg.acceptLine,
  disputeLine: msg.disputeLine,
  resolveDispute: msg.resolveDispute,
  registerPayment: msg.registerPayment,
  registerReceipt: msg.registerPayment,
};

export function invoicingFeature({ models, client, taskQueue }: AppDeps, directory: Directory) {
  const documentViews = createViews();

  const subjectOf = (i: {
    buyer: string;
    provider: string;
    status: string;
    kind?: string | null;
    runKey?: string | null;
    outstandingCents?: number | null;
  }): InvoiceSubject => ({
    buyer: i.buyer,
    provider: i.provider,
    status: (i.status === 'draft' ? 'issued' : i.status) as InvoiceSubject['status'],
    kind: i.kind === 'credit_note' ? 'credit_note' : 'invoice',
    contribution: isContributionStepKey(i.runKey),
    outstandingCents: i.outstandingCents ?? 0,
  });

  /** An invoice the caller may read (finance of either party), else not_found. */
  async function get(actor: Actor, id: string) {
    const invoice = await models.Invoice.findOne({ _id: id, status: { $ne: 'draft' } }).lean();
    if (!invoice || (invoice.provider !== actor.org && invoice.buyer !== actor.org)) throw notFound('invoice');
    const refusal = invoiceRefusal('read', subjectOf(invoice), actor);
    if (refusal) throw refusal;
    return invoice;
  }

  type InvoiceDoc = Awaited<ReturnType<typeof get>>;

  /**
   * Outgoing invoices for provider finance, incoming ones for buyer finance (the same rule as a
   * single invoice). `q` searches the number and order reference (from their start) and the
   * lines' titles, ignoring case: a scan of the organisation's invoices, a few thousand a year.
   */
  async function list(actor: Actor, raw: unknown = {}) {
    const sides = readableSides(actor);
    if (sides.length === 0) throw roleRequired(['provider_finance', 'buyer_finance'], actor.org);
    const { q, status, side, sort } = parseInput(invoiceListSchema, raw);
    const words = (q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 5);
    const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const matches = words.map((w) => ({
      $or: [
        { number: { $regex: `^${escape(w)}`, $options: 'i' } },
        { orderReference: { $regex: `^${escape(w)}`, $options: 'i' } },
        { 'lines.title': { $regex: escape(w), $options: 'i' } },
      ],
    }));
    const field = sort.replace(/^-/, '');
    const direction = sort.startsWith('-') ? -1 : 1;
    const found = await models.Invoice.find({
      $and: [{ $or: sides.filter((s) => !side || s === side).map((s) => ({ [s]: actor.org })) }, { status: { $ne: 'draft' } }, ...matches],
    })
      .sort({ [field]: direction, number: direction })
      .lean();
    // The status as people read it (paid, overdue, …) is derived: filtered here, a few thousand a year.
    return status ? found.filter((i) => invoiceDisplayStatus(i) === status) : found;
  }

  /** One page of the list (the API's page and pageSize), with the total. */
  async function page(actor: Actor, raw: unknown = {}) {
    const filter = parseInput(invoiceListSchema, raw);
    const all = await list(actor, filter);
    if (!filter.page) return { items: all, total: all.length };
    return { items: all.slice((filter.page - 1) * filter.pageSize, filter.page * filter.pageSize), total: all.length };
  }

  /** Rows of the invoice list, with names and how each reads. */
  async function rows(actor: Actor, raw: unknown = {}) {
    const { page: _page, ...filter } = parseInput(invoiceListSchema, raw);
    const all = await list(actor, filter);
    const name = await directory.namer();
    const row = (i: (typeof all)[number]) => ({
      id: i._id,
      number: i.number,
      kind: i.kind,
      providerName: name(i.provider),
      buyerName: name(i.buyer),
      issueDate: i.issueDate,
      dueDate: i.kind === 'credit_note' ? null : i.dueDate,
      grossCents: i.grossCents,
      outstandingCents: i.kind === 'credit_note' ? null : i.outstandingCents,
      displayStatus: invoiceDisplayStatus(i),
    });
    const sides = readableSides(actor);
    return {
      outgoing: sides.includes('provider') ? all.filter((i) => i.provider === actor.org).map(row) : null,
      incoming: sides.includes('buyer') ? all.filter((i) => i.buyer === actor.org).map(row) : null,
    };
  }

  /** A contribution invoice's lines matched against the recorded step (advance k of n or the settlement). */
  async function contributionLines(invoice: InvoiceDoc) {
    const step = await models.ContributionStep.findById(invoice.runKey).lean();
    const stepLine = ((step?.lines as StepLine[] | undefined) ?? []).find((l) => l.participant === invoice.buyer) ?? null;
    const states = (invoice.lineStates ?? []) as unknown as InvoiceLineState[];
    return invoice.lines.map((l, i) => ({
      lineNo: i + 1,
      ...l,
      match: matchContributionLine({ amountCents: l.amountCents as number }, stepLine, {
        id: invoice._id,
        buyer: invoice.buyer,
        creditedInvoiceId: invoice.creditedInvoiceId ?? null,
      }),
      budgetMinutes: null as number | null,
      contribution:
        step && stepLine
          ? {
              stepId: step._id,
              product: step.product,
              year: step.year,
              kind: step.kind,
              instalment: step.instalment ?? null,
              instalments: step.instalments ?? null,
              contributionCents: stepLine.contributionCents,
              invoicedBeforeCents: stepLine.invoicedBeforeCents,
              plannedCents: stepLine.amountCents,
            }
          : null,
      state: states[i] ?? null,
    }));
  }

  /** An hour invoice's lines matched to their request's approved budget. */
  async function hourLines(invoice: InvoiceDoc) {
    const requestIds = invoice.lines.map((l) => l.requestId as string);
    const requests = new Map((await models.Request.find({ _id: { $in: requestIds } }).lean()).map((r) => [r._id, r]));
    // Minutes of each request on earlier invoices to this buyer.
    const earlier = await models.Invoice.find({
      kind: 'invoice',
      buyer: invoice.buyer,
      status: { $ne: 'draft' },
      issueDate: { $lte: invoice.issueDate },
      _id: { $ne: invoice._id },
    })
      .select({ lines: 1, issueDate: 1, number: 1 })
      .lean();
    const before = (requestId: string) =>
      earlier
        .filter((e) => (e.number ?? '') < (invoice.number ?? ''))
        .reduce((s, e) => s + e.lines.filter((l) => l.requestId === requestId).reduce((a, l) => a + (l.minutes as number), 0), 0);
    const requestFor = (rid: string) => {
      const r = requests.get(rid);
      return r ? { buyer: r.buyer, budgetMinutes: (r.budgetMinutes as number | null) ?? null } : null;
    };
    const states = (invoice.lineStates ?? []) as unknown as InvoiceLineState[];
    return invoice.lines.map((l, i) => ({
      lineNo: i + 1,
      ...l,
      match: matchLine(
        { requestId: l.requestId as string, minutes: l.minutes as number },
        requestFor(l.requestId as string),
        invoice.buyer,
        before(l.requestId as string),
      ),
      budgetMinutes: requests.get(l.requestId as string)?.budgetMinutes ?? null,
      contribution: null,
      state: states[i] ?? null,
    }));
  }

  /**
   * The hours specification (urenspecificatie) of an hour invoice: per line the time entries it
   * billed (date, person, minutes as registered and as billed, description) and how the
   * agreement's rounding made the line's hours. Contribution invoices and credit notes bill no hours.
   */
  async function specification(actor: Actor, id: string) {
    const invoice = await get(actor, id);
    type SpecEntry = { entryId: string; date: string; userName: string; minutes: number; billedMinutes: number; description: string };
    const empty = { invoice: { id: invoice._id, number: invoice.number, period: invoice.period }, lines: [] as SpecLine[] };
    type SpecLine = {
      lineNo: number;
      requestId: string;
      title: string;
      minutes: number;
      rounding: LineRounding | null;
      entries: SpecEntry[];
    };
    if (invoice.kind !== 'invoice' || isContributionStepKey(invoice.runKey)) return empty;
    const claimed = await entriesOfInvoice(models, invoice._id);
    const ids = claimed.map((e) => e._id);
    const full = new Map(
      (
        await models.TimeEntry.find({ _id: { $in: ids } })
          .select({ userId: 1, description: 1 })
          .lean()
      ).map((e) => [e._id, e]),
    );
    const agreements = new Map(
      (await models.Agreement.find({ _id: { $in: [...new Set(claimed.map((e) => e.agreementId))] } }).lean()).map((a) => [a._id, a]),
    );
    const requests = await models.Request.find({ _id: { $in: [...new Set(claimed.map((e) => e.requestId))] } })
      .select({ serviceId: 1 })
      .lean();
    const serviceOf = new Map(requests.map((r) => [r._id, r.serviceId]));
    const services = new Map(
      (
        await models.Service.find({ _id: { $in: [...new Set(requests.map((r) => r.serviceId))] } })
          .select({ rates: 1 })
          .lean()
      ).map((sv) => [sv._id, sv]),
    );
    const names = await directory.userNames([...full.values()].map((e) => e.userId));
    const periodStart = periodBounds(invoice.period).start;
    // The same grouping as the invoice calculator: request, rate, VAT category, late or not.
    const byLine = new Map<string, { rule: RoundingRule; entries: SpecEntry[] }>();
    for (const e of [...claimed].sort((a, b) => a.date.localeCompare(b.date) || a._id.localeCompare(b._id))) {
      const agreement = agreements.get(e.agreementId);
      const service = services.get(serviceOf.get(e.requestId) ?? '');
      const rate = agreement && service ? effectiveRate(agreement.rateCentsPerHour, service.rates, e.date) : null;
      if (!agreement || rate == null) continue;
      const rule = agreement.roundingRule as RoundingRule;
      const key = lineKey({
        requestId: e.requestId,
        rateCentsPerHour: rate,
        vatCategory: agreement.vatCategory as VatCategory,
        late: e.date < periodStart,
      });
      const line = byLine.get(key) ?? { rule, entries: [] };
      const person = full.get(e._id);
      line.entries.push({
        entryId: e._id,
        date: e.date,
        userName: person ? (names.get(person.userId) ?? person.userId) : '',
        minutes: e.minutes,
        billedMinutes: lineRounding(rule, [e.minutes]).billedMinutes,
        description: person?.description ?? '',
      });
      byLine.set(key, line);
    }
    const lines: SpecLine[] = invoice.lines.map((l, i) => {
      const found = byLine.get(
        lineKey({
          requestId: l.requestId as string,
          rateCentsPerHour: l.rateCentsPerHour as number,
          vatCategory: l.vatCategory as VatCategory,
          late: Boolean(l.late),
        }),
      );
      return {
        lineNo: i + 1,
        requestId: l.requestId as string,
        title: (l.title as string) ?? '',
        minutes: l.minutes as number,
        rounding: found
          ? lineRounding(
              found.rule,
              found.entries.map((e) => e.minutes),
            )
          : null,
        entries: found?.entries ?? [],
      };
    });
    return { ...empty, lines };
  }

  /** The hours specification as CSV: one row per time entry. */
  async function specificationCsv(actor: Actor, id: string): Promise<{ filename: string; csv: string }> {
    const spec = await specification(actor, id);
    const rows = spec.lines.flatMap((l) =>
      l.entries.map((e) => [l.lineNo, l.title, e.date, e.userName, e.minutes, e.billedMinutes, e.description]),
    );
    const header = ['regel', 'opdracht', 'datum', 'medewerker', 'minuten', 'gefactureerde_minuten', 'omschrijving'];
    return { filename: `urenspecificatie-${spec.invoice.number ?? spec.invoice.id}.csv`, csv: toCsv(header, rows) };
  }

  /** Each line matched to its request's approved budget (or its contribution step), with its state. */
  async function reconciliation(actor: Actor, id: string) {
    const invoice = await get(actor, id);
    const lines = isContributionStepKey(invoice.runKey) ? await contributionLines(invoice) : await hourLines(invoice);
    return { invoice, lines };
  }

  /**
   * The invoice with everything its page shows: the lines with their reconciliation and the
   * actions the caller may take on each, the invoice-level actions, credit notes and payments.
   */
  async function detail(actor: Actor, id: string) {
    const { invoice, lines } = await reconciliation(actor, id);
    const subject = subjectOf(invoice);
    const credit = invoice.kind === 'credit_note';
    const creditNotes = await models.Invoice.find({ _id: { $in: invoice.creditNoteIds ?? [] }, status: { $ne: 'draft' } })
      .select({ number: 1, grossCents: 1 })
      .lean();
    const requests =
      credit || subject.contribution
        ? []
        : await models.Request.find({ _id: { $in: invoice.lines.map((l) => l.requestId).filter(Boolean) } })
            .select({ title: 1 })
            .sort({ _id: 1 })
            .lean();
    return {
      invoice: { ...invoice, displayStatus: invoiceDisplayStatus(invoice) },
      contribution: subject.contribution,
      providerName: await directory.orgName(invoice.provider),
      buyerName: await directory.orgName(invoice.buyer),
      actions: invoiceActions(subject, actor, INVOICE_LEVEL_ACTIONS),
      lines: lines.map((l) => ({
        ...l,
        status: l.state?.status ?? 'open',
        actions: credit
          ? []
          : invoiceActions({ ...subject, line: { lineNo: l.lineNo, status: l.state?.status ?? 'open' } }, actor, LINE_ACTIONS),
      })),
      creditNotes: creditNotes.map((c) => ({ id: c._id, number: c.number, grossCents: c.grossCents })),
      correctableRequests: requests.map((r) => ({ id: r._id, title: r.title })),
    };
  }

  /**
   * A reconciliation, payment or correction: checked against the access table and the stored
   * invoice here, then sent to the invoice's workflow, which checks it again and records it.
   */
  async function act(
    actor: Actor,
    id: string,
    action: InvoiceWriteAction,
    raw: unknown,
    lineNo?: number,
  ): Promise<InvoiceState | CorrectionResult> {
    const invoice = await get(actor, id);
    const subject = subjectOf(invoice);
    const isLine = (LINE_ACTIONS as readonly InvoiceAction[]).includes(action);
    if (isLine) {
      if (!Number.isInteger(lineNo) || lineNo! < 1 || lineNo! > invoice.lines.length) throw notFound('invoice_line');
      const state = ((invoice.lineStates ?? []) as unknown as InvoiceLineState[])[lineNo! - 1];
      subject.line = { lineNo: lineNo!, status: state?.status ?? 'open' };
    }
    const refusal = invoiceRefusal(action, subject, actor);
    if (refusal?.code === 'role_required') throw refusal;
    const input = parseInput(INVOICE_SCHEMAS[action], raw) as Record<string, unknown>;
    const send = () =>
      update(
        client.workflow.getHandle(invoiceWorkflowId(id)),
        UPDATES[action as Exclude<InvoiceWriteAction, 'bookCorrection'>] as never,
        { ...input, ...(isLine ? { lineNo } : {}), actor } as never,
        'invoice',
      ) as Promise<InvoiceState>;
    if (refusal && action !== 'bookCorrection' && idempotencyKeyNow() && STATE_REFUSALS.has(refusal.code)) {
      // A repeat (same Idempotency-Key) of a call whose answer was lost: Temporal answers it
      // from the first Update's outcome; a call that never ran is refused by the validator.
      return send().catch(() => {
        throw refusal;
      });
    }
    if (refusal) throw refusal;
    if (action === 'bookCorrection') return bookCorrection(actor, invoice, input as z.output<(typeof INVOICE_SCHEMAS)['bookCorrection']>);
    return send();
  }
  /** Refusals about the state only, which a call's own earlier run may have caused. */
  const STATE_REFUSALS = new Set(['line_state', 'invoice_paid', 'payment_already_registered']);

  /**
   * A correction: a new approved entry for a request on the invoice, billed by a later run.
   * Written by its own workflow (with its audit event), also when the invoice is paid.
   */
  async function bookCorrection(
    actor: Actor,
    invoice: InvoiceDoc,
    input: z.output<(typeof INVOICE_SCHEMAS)['bookCorrection']>,
  ): Promise<CorrectionResult> {
    if (!invoice.lines.some((l) => l.requestId === input.requestId))
      throw refuse('request_not_on_invoice', { requestId: input.requestId }, 'requestId');
    if (input.date > dutchDate(Date.now())) throw refuse('date_in_future', {}, 'date');
    const key = idempotencyKeyNow();
    const correctionId = key ? idFromKey(key, 'correction') : ulid();
    const workflowId = correctionWorkflowId(correctionId);
    try {
      return await executeWorkflow(client, 'correctionWorkflow', {
        workflowId,
        taskQueue,
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
        args: [
          {
            correctionId,
            invoiceId: invoice._id,
            invoiceNumber: invoice.number ?? invoice._id,
            ...input,
            actor,
            at: new Date().toISOString(),
          },
        ],
      });
    } catch (err) {
      // A repeat (Idempotency-Key) of a correction already booked: its outcome.
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        return client.workflow.getHandle(workflowId).result() as Promise<CorrectionResult>;
      throw fromTemporal(err, 'request');
    }
  }

  /** Whether the invoice's audit trail is intact: the first broken link, if any. */
  async function verifyAudit(actor: Actor, id: string) {
    await get(actor, id);
    const events = await models.AuditEvent.find({ subject: `invoice-${id}` }).lean();
    return { subject: `invoice-${id}`, ...verifyChain(events) };
  }

  /** The view every document format renders: HTML, PDF and UBL show the same figures. */
  async function view(actor: Actor, id: string): Promise<InvoiceView> {
    const invoice = await get(actor, id);
    const [provider, buyer, agreement] = await Promise.all([
      models.Organisation.findById(invoice.provider).lean(),
      models.Organisation.findById(invoice.buyer).lean(),
      models.Agreement.findById(invoice.agreementId).lean(),
    ]);
    if (!provider || !buyer) throw notFound('organisation');
    return invoiceView(invoice as never, provider, buyer, agreement?.paymentTermDays ?? 30);
  }

  /** The documents of an invoice or credit note: a file name, a media type and the content. */
  async function document(actor: Actor, id: string, format: 'html' | 'pdf' | 'hours-pdf' | 'ubl', rawQuery: unknown = {}) {
    const v = await view(actor, id);
    if (format === 'html')
      return {
        filename: `${v.number}.html`,
        type: 'text/html',
        inline: true,
        body: documentViews.render('documents/invoice', v as unknown as Record<string, unknown>, 'documents/layout'),
      };
    if (format === 'pdf') return { filename: `${v.number}.pdf`, type: 'application/pdf', inline: false, body: await invoicePdf(v) };
    if (format === 'hours-pdf') {
      const spec = await specification(actor, id);
      if (spec.lines.length === 0) throw refuse('no_hours_on_invoice', { kind: v.contribution ? 'contribution' : v.kind });
      return {
        filename: `urenspecificatie-${v.number}.pdf`,
        type: 'application/pdf',
        inline: false,
        body: await hoursSpecificationPdf(v, spec.lines),
      };
    }
    const { profile } = parseInput(ublSchema, rawQuery);
    // An hour invoice carries its hours specification (PDF) inside, so the buyer's system has it too.
    const spec = v.kind === 'invoice' && !v.contribution ? await specification(actor, id) : null;
    const attachments: UblAttachment[] = spec?.lines.length
      ? [
          {
            id: `${v.number}-UREN`,
            description: 'Urenspecificatie',
            filename: `urenspecificatie-${v.number}.pdf`,
            mimeCode: 'application/pdf',
            content: await hoursSpecificationPdf(v, spec.lines),
          },
        ]
      : [];
    return { filename: `${v.number}.xml`, type: 'application/xml', inline: false, body: invoiceUbl(v, profile as UblProfile, attachments) };
  }

  // ---- runs ----------------------------------------------------------------------------------

  function checkPeriod(p: string): void {
    if (periodBounds(p).start > dutchDate(Date.now())) throw refuse('period_not_started', { period: p }, 'period');
  }

  /** The form to start a run: for provider finance, with this month as the suggested period. */
  function runDefaults(actor: Actor) {
    assertOrgAction(actor, 'startInvoiceRun');
    return { period: dutchDate(Date.now()).slice(0, 7) };
  }

  /** Starts the run of the caller's organisation for a period, or joins the one running now. */
  async function startRun(actor: Actor, raw: unknown) {
    assertOrgAction(actor, 'startInvoiceRun');
    const { period: p } = parseInput(runSchema, raw);
    checkPeriod(p);
    const workflowId = invoiceRunWorkflowId(actor.org, p);
    const rerun = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name !== 'RUNNING')
      .catch(() => false);
    try {
      const handle = await startWorkflow(client, 'invoiceRunWorkflow', {
        workflowId,
        taskQueue,
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
        workflowIdConflictPolicy: 'FAIL',
        args: [{ provider: actor.org, period: p, issueDate: dutchDate(Date.now()), startedBy: actor }],
      });
      // A finished period may run again: it bills only what was approved since; nothing twice.
      return { workflowId, runId: handle.firstExecutionRunId, alreadyRunning: false, rerun };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const desc = await client.workflow.getHandle(workflowId).describe();
        return { workflowId, runId: desc.runId, alreadyRunning: true, rerun: false };
      }
      throw err;
    }
  }

  /** Progress of the latest run for a period, with the invoices it made. */
  async function runProgress(actor: Actor, p: string) {
    assertOrgAction(actor, 'startInvoiceRun');
    parseInput(runSchema, { period: p });
    const handle = client.workflow.getHandle(invoiceRunWorkflowId(actor.org, p));
    let progress;
    let status: string;
    try {
      const [desc, q] = await Promise.all([handle.describe(), query(client, handle, getInvoiceRunProgress, 'invoice_run')]);
      progress = q;
      status = desc.status.name;
    } catch (err) {
      throw fromTemporal(err, 'invoice_run');
    }
    const name = await directory.namer();
    const invoices = await models.Invoice.find({ _id: { $in: progress.invoiceIds }, provider: actor.org, status: { $ne: 'draft' } })
      .select({ number: 1, buyer: 1, grossCents: 1 })
      .lean();
    const previous = await models.Invoice.countDocuments({ provider: actor.org, period: p, kind: 'invoice', status: { $ne: 'draft' } });
    return {
      ...progress,
      status,
      period: p,
      // Any closed run is done; one that did not complete (failed, cancelled, terminated) says so.
      done: progress.phase === 'done' || status !== 'RUNNING',
      failed: !['RUNNING', 'COMPLETED'].includes(status),
      percent: progress.entriesTotal
        ? Math.round((progress.entriesProcessed / progress.entriesTotal) * 100)
        : progress.phase === 'done' || status !== 'RUNNING'
          ? 100
          : 0,
      /** Invoices of this period from this and earlier runs. */
      invoicesOfPeriod: previous,
      // By number: a run makes several invoices at once, so they are not made in this order.
      invoices: invoices
        .sort((a, b) => String(a.number).localeCompare(String(b.number)))
        .map((i) => ({ id: i._id, number: i.number, buyerName: name(i.buyer), grossCents: i.grossCents })),
    };
  }

  // ---- balances and exports ----------------------------------------------------------------

  /** Invoiced, credited, paid and outstanding per provider-buyer pair of the given documents. */
  async function pairBalances(filter: object): Promise<Balance[]> {
    const docs = await models.Invoice.find({ status: { $ne: 'draft' }, ...filter })
      .select({ kind: 1, provider: 1, buyer: 1, grossCents: 1, paidCents: 1 })
      .lean();
    const pairs = new Map<string, Balance>();
    for (const d of docs) {
      const key = `${d.provider}>${d.buyer}`;
      const b = pairs.get(key) ?? {
        creditor: d.provider,
        debtor: d.buyer,
        invoicedCents: 0,
        creditedCents: 0,
        paidCents: 0,
        outstandingCents: 0,
      };
      if (d.kind === 'credit_note') b.creditedCents += d.grossCents;
      else {
        b.invoicedCents += d.grossCents;
        b.paidCents += d.paidCents ?? 0;
      }
      b.outstandingCents = outstandingCents(b.invoicedCents, b.creditedCents, b.paidCents);
      pairs.set(key, b);
    }
    return [...pairs.values()].sort((a, b) => a.creditor.localeCompare(b.creditor) || a.debtor.localeCompare(b.debtor));
  }

  /** The pairs the caller's organisation is in. */
  async function balances(actor: Actor) {
    assertOrgAction(actor, 'viewBalances');
    return pairBalances({ $or: [{ provider: actor.org }, { buyer: actor.org }] });
  }

  /**
   * The region-wide netting proposal is computed over all outstanding amounts, but each
   * organisation sees only its own net position and the transfers it pays or receives.
   */
  async function netting(actor: Actor) {
    assertOrgAction(actor, 'viewBalances');
    const all = await pairBalances({});
    const proposal = nettingProposal(all);
    const open = all.filter((b) => b.outstandingCents > 0);
    return {
      org: actor.org,
      netPositionCents: proposal.positions[actor.org] ?? 0,
      transfers: proposal.transfers.filter((t) => t.from === actor.org || t.to === actor.org),
      /** Why it settles everything with fewer transfers: one per open pair without netting, against the proposal's. */
      explanation: {
        pairsOpen: open.length,
        transfersNeeded: proposal.transfers.length,
        owedToUsCents: open.filter((b) => b.creditor === actor.org).reduce((sum, b) => sum + b.outstandingCents, 0),
        weOweCents: open.filter((b) => b.debtor === actor.org).reduce((sum, b) => sum + b.outstandingCents, 0),
      },
    };
  }

  const money = (cents: number) => centsToDecimal(cents);

  async function balancesCsv(actor: Actor): Promise<string> {
    const rowsOut = (await balances(actor)).map((b) => [
      b.creditor,
      b.debtor,
      money(b.invoicedCents),
      money(b.creditedCents),
      money(b.paidCents),
      money(b.outstandingCents),
    ]);
    return toCsv(['crediteur', 'debiteur', 'gefactureerd', 'gecrediteerd', 'betaald', 'openstaand'], rowsOut);
  }

  /** Invoices and credit notes with their lines, one row per line, for finance systems. */
  async function invoicesCsv(actor: Actor, raw: unknown = {}): Promise<string> {
    const out: unknown[][] = [];
    const name = await directory.namer();
    for (const inv of await list(actor, raw)) {
      const status = invoiceDisplayStatus(inv);
      inv.lines.forEach((l, i) =>
        out.push([
          inv.number ?? '',
          inv.kind === 'credit_note' ? 'Creditnota' : 'Factuur',
          name(inv.provider),
          name(inv.buyer),
          inv.issueDate,
          inv.dueDate,
          inv.orderReference,
          i + 1,
          l.requestId ?? '',
          l.minutes ?? 0,
          money(l.rateCentsPerHour ?? 0),
          money(l.amountCents ?? 0),
          l.vatCategory ?? '',
          money(inv.netCents),
          money(inv.vatCents),
          money(inv.grossCents),
          INVOICE_STATUS_NL[status],
          status,
        ]),
      );
    }
    const header = [
      'nummer',
      'soort',
      'leverancier',
      'afnemer',
      'factuurdatum',
      'vervaldatum',
      'ordernummer',
      'regel',
      'opdracht',
      'minuten',
      'tarief',
      'bedrag',
      'btw_categorie',
      'netto',
      'btw',
      'totaal',
      'status',
      'statuscode',
    ];
    return toCsv(header, out);
  }

  /** The balances page: per pair, as a matrix, and the caller's part of the netting proposal. */
  async function balancesOverview(actor: Actor) {
    const list_ = await balances(actor);
    const net = await netting(actor);
    const name = await directory.namer();
    const codes = [...new Set(list_.flatMap((b) => [b.creditor, b.debtor]))].sort();
    return {
      balances: list_.map((b) => ({ ...b, creditorName: name(b.creditor), debtorName: name(b.debtor) })),
      columns: codes.map((c) => ({ code: c, name: name(c) })),
      matrix: codes.map((creditor) => ({
        name: name(creditor),
        cells: codes.map((debtor) => {
          const b = list_.find((x) => x.creditor === creditor && x.debtor === debtor);
          return { value: b ? b.outstandingCents : null, self: creditor === debtor };
        }),
      })),
      netPositionCents: net.netPositionCents,
      explanation: net.explanation,
      transfers: net.transfers.map((t) => ({ ...t, fromName: name(t.from), toName: name(t.to) })),
      orgName: name(actor.org),
    };
  }

  return {
    list,
    rows,
    get,
    detail,
    reconciliation,
    act,
    view,
    document,
    verifyAudit,
    runDefaults,
    startRun,
    runProgress,
    balances,
    netting,
    balancesOverview,
    balancesCsv,
    invoicesCsv,
    page,
    specification,
    specificationCsv,
  };
}
export type InvoicingFeature = ReturnType<typeof invoicingFeature>;
