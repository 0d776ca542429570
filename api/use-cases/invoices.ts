import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ulid } from 'ulid';
import {
  getInvoiceRunProgress,
  invoiceRunWorkflowId,
  invoiceWorkflowId,
  type InvoiceLineState,
  type InvoiceRunProgress,
  type InvoiceState,
} from '../../contracts';
import { invoiceView } from '../../documents/invoice-view';
import { nettingProposal, type Balance } from '../../domain/netting';
import { isContributionStepKey } from '../../domain/contributions';
import { matchContributionLine, matchLine } from '../../domain/reconciliation';
import type { StepLine } from '../../models/contributions';
import { badInput, forbidden, invalidState, notFound } from '../../domain/errors';
import { periodBounds } from '../../domain/invoicing';
import type { Actor } from '../../domain/roles';
import { dutchDate, isIsoDate } from '../../domain/time';
import { fromTemporal } from '../problem';
import type { Deps } from './requests';

export function invoiceUseCases({ models, client, taskQueue }: Deps) {
  function assertProviderFinance(actor: Actor, provider: string) {
    if (actor.org !== provider || !actor.roles.includes('provider_finance')) {
      throw forbidden(`invoice runs need role provider_finance at ${provider}`);
    }
  }

  function checkPeriod(period: string): void {
    let start: string;
    try {
      start = periodBounds(period).start;
    } catch {
      throw badInput('period', 'period must be YYYY-MM, e.g. 2026-11');
    }
    if (start > dutchDate(Date.now())) throw badInput('period', `period ${period} has not started yet`);
  }

  /** Starts the run, or joins the one already running for this provider and period. */
  async function startRun(actor: Actor, period: string): Promise<{ workflowId: string; runId: string; alreadyRunning: boolean }> {
    assertProviderFinance(actor, actor.org);
    checkPeriod(period);
    const workflowId = invoiceRunWorkflowId(actor.org, period);
    try {
      const handle = await client.workflow.start('invoiceRunWorkflow', {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [{ provider: actor.org, period, issueDate: dutchDate(Date.now()), startedBy: actor }],
      });
      return { workflowId, runId: handle.firstExecutionRunId, alreadyRunning: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const desc = await client.workflow.getHandle(workflowId).describe();
        return { workflowId, runId: desc.runId, alreadyRunning: true };
      }
      throw err;
    }
  }

  async function runProgress(actor: Actor, period: string): Promise<InvoiceRunProgress & { status: string }> {
    assertProviderFinance(actor, actor.org);
    checkPeriod(period);
    const handle = client.workflow.getHandle(invoiceRunWorkflowId(actor.org, period));
    try {
      const [desc, progress] = await Promise.all([handle.describe(), handle.query(getInvoiceRunProgress)]);
      return { ...progress, status: desc.status.name };
    } catch (err) {
      const mapped = fromTemporal(err);
      throw mapped instanceof Error && mapped.name === 'NotFound' ? notFound('invoice run') : mapped;
    }
  }

  /** Outgoing invoices for provider finance, incoming ones for buyer finance. */
  async function list(actor: Actor) {
    const or: object[] = [];
    if (actor.roles.includes('provider_finance')) or.push({ provider: actor.org });
    if (actor.roles.includes('buyer_finance') || actor.roles.includes('requester')) or.push({ buyer: actor.org });
    if (or.length === 0) throw forbidden('invoices are for finance roles');
    return models.Invoice.find({ $or: or, status: { $ne: 'draft' } })
      .sort({ issueDate: -1, number: -1 })
      .lean();
  }

  async function get(actor: Actor, id: string) {
    const invoice = await models.Invoice.findOne({ _id: id, status: { $ne: 'draft' } }).lean();
    if (!invoice || (invoice.provider !== actor.org && invoice.buyer !== actor.org)) throw notFound('invoice');
    return invoice;
  }

  async function act<I extends { actor: Actor }>(
    actor: Actor,
    id: string,
    update: UpdateDefinition<InvoiceState, [I]>,
    input: Omit<I, 'actor'>,
  ) {
    const invoice = await get(actor, id);
    if (invoice.kind !== 'invoice') throw invalidState('credit_note', 'a credit note is not reconciled on its own');
    if (invoice.status === 'paid') throw invalidState('paid', 'the invoice is paid; nothing can change it any more');
    try {
      return await client.workflow.getHandle(invoiceWorkflowId(id)).executeUpdate(update, { args: [{ ...input, actor } as I] });
    } catch (err) {
      throw fromTemporal(err);
    }
  }

  /**
   * A contribution invoice's lines matched against the recorded step (advance k of n or the
   * settlement): the amount the step planned for this participant on this document.
   */
  async function contributionReconciliation(invoice: Awaited<ReturnType<typeof get>>) {
    const step = await models.ContributionStep.findById(invoice.runKey).lean();
    const stepLine = ((step?.lines as StepLine[] | undefined) ?? []).find((l) => l.participant === invoice.buyer) ?? null;
    const states = invoice.lineStates as unknown as InvoiceLineState[];
    return {
      invoice,
      lines: invoice.lines.map((l, i) => ({
        lineNo: i + 1,
        ...l,
        match: matchContributionLine({ amountCents: l.amountCents as number }, stepLine, { id: invoice._id, buyer: invoice.buyer }),
        budgetMinutes: null,
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
      })),
    };
  }

  /** Each line matched to its request's approved quote and budget, with its reconciliation state. */
  async function reconciliation(actor: Actor, id: string) {
    const invoice = await get(actor, id);
    if (isContributionStepKey(invoice.runKey)) return contributionReconciliation(invoice);
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
    const requestFor = (id: string) => {
      const r = requests.get(id);
      return r ? { buyer: r.buyer, budgetMinutes: (r.budgetMinutes as number | null) ?? null } : null;
    };
    const states = invoice.lineStates as unknown as InvoiceLineState[];
    return {
      invoice,
      lines: invoice.lines.map((l, i) => ({
        lineNo: i + 1,
        ...l,
        match: matchLine(
          { requestId: l.requestId as string, minutes: l.minutes as number },
          requestFor(l.requestId as string),
          invoice.buyer,
          before(l.requestId as string),
        ),
        budgetMinutes: requests.get(l.requestId as string)?.budgetMinutes ?? null,
        state: states[i] ?? null,
      })),
    };
  }

  /** A correction: a new approved entry for a request of an invoice, billed in a later run. */
  async function correction(actor: Actor, id: string, input: { requestId: string; date: string; minutes: number; description: string }) {
    const invoice = await get(actor, id);
    if (actor.org !== invoice.provider || !actor.roles.includes('provider_finance'))
      throw forbidden(`corrections need role provider_finance at ${invoice.provider}`);
    // Hours are corrected on hour invoices; a contribution or a credit note has none.
    if (invoice.kind !== 'invoice' || isContributionStepKey(invoice.runKey))
      throw invalidState(
        invoice.kind === 'invoice' ? 'contribution' : invoice.kind,
        `invoice ${invoice.number} bills no hours: correct it with a credit note`,
      );
    if (!invoice.lines.some((l) => l.requestId === input.requestId))
      throw badInput('requestId', `request ${input.requestId} is not on invoice ${invoice.number}`);
    if (!isIsoDate(input.date) || input.date > dutchDate(Date.now())) throw badInput('date', 'date must be a real date, not in the future');
    const request = await models.Request.findById(input.requestId).lean();
    if (!request) throw badInput('requestId', `request ${input.requestId} does not exist`);
    const entry = await models.TimeEntry.create({
      _id: `${input.requestId}-C${ulid()}`,
      requestId: input.requestId,
      agreementId: request.agreementId,
      buyer: request.buyer,
      provider: request.provider,
      userId: actor.userId,
      date: input.date,
      minutes: input.minutes,
      description: `Correctie op ${invoice.number}: ${input.description}`,
      status: 'approved',
      createdAt: new Date().toISOString(),
    });
    return entry.toObject();
  }

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
      b.outstandingCents = b.invoicedCents - b.creditedCents - b.paidCents;
      pairs.set(key, b);
    }
    return [...pairs.values()].sort((a, b) => a.creditor.localeCompare(b.creditor) || a.debtor.localeCompare(b.debtor));
  }

  /** The pairs the caller's organisation is in. */
  const balances = (actor: Actor) => pairBalances({ $or: [{ provider: actor.org }, { buyer: actor.org }] });

  /**
   * The region-wide netting proposal is computed over all outstanding amounts, but each
   * organisation sees only its own net position and the transfers it pays or receives.
   */
  async function netting(actor: Actor) {
    if (!actor.roles.some((r) => r === 'provider_finance' || r === 'buyer_finance')) throw forbidden('netting is for finance roles');
    const proposal = nettingProposal(await pairBalances({}));
    return {
      org: actor.org,
      netPositionCents: proposal.positions[actor.org] ?? 0,
      transfers: proposal.transfers.filter((t) => t.from === actor.org || t.to === actor.org),
    };
  }

  /** The view every document format renders: HTML, PDF and UBL show the same figures. */
  async function view(actor: Actor, id: string) {
    const invoice = await get(actor, id);
    const [provider, buyer, agreement] = await Promise.all([
      models.Organisation.findById(invoice.provider).lean(),
      models.Organisation.findById(invoice.buyer).lean(),
      models.Agreement.findById(invoice.agreementId).lean(),
    ]);
    if (!provider || !buyer) throw notFound('organisation of the invoice');
    return invoiceView(invoice as never, provider, buyer, agreement?.paymentTermDays ?? 30);
  }

  return { startRun, runProgress, list, get, act, reconciliation, correction, balances, netting, view };
}
