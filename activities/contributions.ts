// Contribution activities: record a step's plan once, then issue one invoice or credit note per
// participant. Idempotent: the step record has a deterministic _id (the first attempt's amounts
// win, a retry reads them back), the invoice id is derived from it, and the invoice number is
// bound to the invoice id.
import { addDays } from '../domain/dates';
import { EXEMPTION_REASONS } from '../domain/invoicing';
import { notFound, refuse } from '../domain/refusals';
import { formatEuro, vatAmount, VAT_PERCENT, type VatCategory } from '../domain/money';
import { dueInstalments } from '../domain/contributions';
import {
  advancesInvoiced,
  contributionStepId,
  instalmentsOf,
  latestBudget,
  loadProduct,
  planStep,
  type StepKind,
} from '../lib/contributions';
import { isDuplicateKey, type Models } from '../models';
import type { StepLine } from '../models/contributions';
import { allocateInvoiceNumber } from './invoice-numbers';

export interface PlanStepInput {
  product: string;
  year: number;
  kind: StepKind;
  instalment: number | null;
  issueDate: string;
  startedBy: string;
}

export interface PlannedLine {
  participant: string;
  kind: StepLine['kind'];
  amountCents: number;
  invoiceId: string | null;
}

export interface IssuedContribution {
  invoiceId: string;
  kind: 'invoice' | 'credit_note';
  number: string;
  provider: string;
  buyer: string;
  dueDate: string;
  grossCents: number;
  lines: { amountCents: number; vatCents: number }[];
}

export function contributionActivities({ models }: { models: Models }) {
  const { ContributionStep, Invoice, InvoiceNumber, Organisation } = models;

  async function planContributionStep(input: PlanStepInput): Promise<{ stepId: string; lines: PlannedLine[] }> {
    const toOutput = (step: { _id: string; lines: unknown }) => ({
      stepId: step._id,
      lines: (step.lines as StepLine[]).map((l) => ({
        participant: l.participant,
        kind: l.kind,
        amountCents: l.amountCents,
        invoiceId: l.invoiceId,
      })),
    });
    // Already planned (a retry, a second run): the recorded amounts stand, whatever changed since.
    const existing = await ContributionStep.findById(contributionStepId(input.product, input.year, input.kind, input.instalment)).lean();
    if (existing) return toOutput(existing);
    const plan = await planStep(models, { ...input, today: input.issueDate });
    try {
      await ContributionStep.create({
        _id: plan.stepId,
        product: plan.product,
        provider: plan.provider,
        year: plan.year,
        kind: plan.kind,
        instalment: plan.instalment,
        instalments: plan.instalments,
        periodLabel: plan.periodLabel,
        basis: plan.basis,
        allocation: plan.allocation,
        lines: plan.lines,
        issueDate: input.issueDate,
        startedBy: input.startedBy,
        createdAt: new Date().toISOString(),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a parallel attempt recorded it first: use that one
    }
    return toOutput((await ContributionStep.findById(plan.stepId).lean())!);
  }

  /** The invoice (or settlement credit note) of one participant in a recorded step. */
  async function issueContributionDocument(input: { stepId: string; participant: string }): Promise<IssuedContribution | null> {
    const step = await ContributionStep.findById(input.stepId).lean();
    if (!step) throw notFound('contribution_step');
    const line = (step.lines as StepLine[]).find((l) => l.participant === input.participant);
    if (!line) throw notFound('participation');
    if (line.kind === 'none' || !line.invoiceId) return null;
    const id = line.invoiceId;
    const done = await Invoice.findOne({ _id: id, status: { $ne: 'draft' } }).lean();
    if (!done) {
      const product = await loadProduct(models, step.product);
      if (!(await Organisation.exists({ _id: line.participant }))) throw refuse('organisation_unknown', { org: line.participant });
      const category = (product.vatCategory ?? 'O') as VatCategory;
      const net = line.amountCents;
      const vat = vatAmount(net, category);
      const credit = line.kind === 'credit_note';
      let credited: { id: string; number: string | null } | null = null;
      if (credit) {
        const lastId = (await advancesInvoiced(models, step.product, step.year)).lastInvoice[line.participant];
        const last = lastId ? await Invoice.findById(lastId).select({ number: 1 }).lean() : null;
        if (last) credited = { id: last._id, number: last.number ?? null };
      }
      const title =
        step.kind === 'advance'
          ? `Voorschot ${product.name} ${step.periodLabel} (termijn ${step.instalment} van ${step.instalments}; voorlopige bijdrage ${step.year}: ${formatEuro(line.contributionCents)})`
          : `Afrekening ${product.name} ${step.year}: definitieve bijdrage ${formatEuro(line.contributionCents)}, voorschotten ${formatEuro(line.invoicedBeforeCents)}`;
      await Invoice.updateOne(
        { _id: id },
        {
          $setOnInsert: {
            kind: credit ? 'credit_note' : 'invoice',
            provider: step.provider,
            buyer: line.participant,
            period: step.periodLabel,
            runKey: step._id,
            agreementId: line.participationId,
            orderReference: line.orderReference,
            issueDate: step.issueDate,
            dueDate: credit ? step.issueDate : addDays(step.issueDate, product.paymentTermDays ?? 30),
            lines: [
              {
                requestId: step.product,
                title,
                late: false,
                minutes: 0,
                rateCentsPerHour: net,
                amountCents: net,
                vatCategory: category,
                entryCount: 0,
              },
            ],
            vat: [
              {
                category,
                percent: VAT_PERCENT[category],
                baseCents: net,
                vatCents: vat,
                ...(EXEMPTION_REASONS[category] ? { exemptionReason: EXEMPTION_REASONS[category] } : {}),
              },
            ],
            netCents: net,
            vatCents: vat,
            grossCents: net + vat,
            status: 'draft',
            outstandingCents: 0,
            ...(credit
              ? {
                  creditedInvoiceId: credited?.id ?? null,
                  creditedInvoiceNumber: credited?.number ?? null,
                  reason: `Afrekening ${step.year}`,
                }
              : {}),
          },
        },
        { upsert: true },
      );
      const number = await allocateInvoiceNumber(InvoiceNumber, id, step.provider, Number(step.issueDate.slice(0, 4)));
      await Invoice.updateOne(
        { _id: id, status: 'draft' },
        { $set: { number, status: 'issued', outstandingCents: credit ? 0 : net + vat } },
      );
    }
    const inv = (await Invoice.findById(id).lean())!;
    return {
      invoiceId: inv._id,
      kind: inv.kind as 'invoice' | 'credit_note',
      number: inv.number as string,
      provider: inv.provider,
      buyer: inv.buyer,
      dueDate: inv.dueDate,
      grossCents: inv.grossCents,
      lines: inv.lines.map((l) => ({
        amountCents: l.amountCents as number,
        vatCents: vatAmount(l.amountCents as number, l.vatCategory as VatCategory),
      })),
    };
  }

  /** Advance steps that are due by `today` and not yet recorded, in order, for the provider's products. */
  async function dueContributionSteps(input: { provider: string; today: string }) {
    const year = Number(input.today.slice(0, 4));
    const due: { product: string; year: number; instalment: number }[] = [];
    for (const product of await models.ContributionProduct.find({ provider: input.provider }).sort({ _id: 1 }).lean()) {
      if (!(await latestBudget(models, product._id, year))) continue;
      const n = dueInstalments(year, instalmentsOf(product), input.today);
      for (let k = 1; k <= n; k++) {
        if (!(await ContributionStep.exists({ _id: contributionStepId(product._id, year, 'advance', k) })))
          due.push({ product: product._id, year, instalment: k });
      }
    }
    return due;
  }

  return { planContributionStep, issueContributionDocument, dueContributionSteps };
}
