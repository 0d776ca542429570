// Invoicing activities: claim approved hours for a run, then make one invoice per buyer.
import { DomainError } from '../domain/errors';
import { addDays, calculateInvoice, formatInvoiceNumber, periodBounds, type BillableEntry } from '../domain/invoicing';
import type { RoundingRule, VatCategory } from '../domain/money';
import { effectiveRate } from '../domain/rates';
import { isDuplicateKey, type Models } from '../models';

export interface CreateInvoiceInput {
  runKey: string;
  invoiceId: string;
  provider: string;
  buyer: string;
  period: string;
  issueDate: string;
}

export function invoicingActivities({ models }: { models: Models }) {
  const { Request, TimeEntry, Agreement, Service, Invoice, InvoiceNumber } = models;

  /** Marks every approved, unclaimed entry up to the period's end as belonging to this run. */
  async function claimEntriesForRun(input: { runKey: string; provider: string; period: string }) {
    const { end } = periodBounds(input.period);
    await TimeEntry.updateMany(
      { provider: input.provider, status: 'approved', invoiceRunKey: null, date: { $lte: end } },
      { $set: { invoiceRunKey: input.runKey } },
    );
    const groups = await TimeEntry.aggregate<{ _id: string; count: number }>([
      { $match: { invoiceRunKey: input.runKey, status: 'approved' } },
      { $group: { _id: '$buyer', count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    return groups.map((g) => ({ buyer: g._id, entries: g.count }));
  }

  async function nextInvoiceNumber(invoiceId: string, provider: string, year: number): Promise<string> {
    const existing = await InvoiceNumber.findOne({ invoiceId }).lean();
    if (existing) return existing._id as string;
    const series = `${provider}-${year}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const last = await InvoiceNumber.findOne({ series }).sort({ seq: -1 }).lean();
      const seq = ((last?.seq as number | undefined) ?? 0) + 1;
      const number = formatInvoiceNumber(provider, year, seq);
      try {
        await InvoiceNumber.create({ _id: number, series, seq, invoiceId });
        return number;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const mine = await InvoiceNumber.findOne({ invoiceId }).lean();
        if (mine) return mine._id as string; // a parallel attempt of this same invoice won
        // another invoice took this number: try the next one
      }
    }
    throw new Error(`could not allocate an invoice number in ${series}`);
  }

  /**
   * Makes (or finishes) the invoice of one buyer in a run. Every step converges on retry:
   * the draft has a deterministic id, entries point at it, the number is bound to it.
   */
  async function createInvoiceForBuyer(input: CreateInvoiceInput): Promise<{ invoiceId: string; number: string; entries: number }> {
    {
      const done = await Invoice.findOne({ _id: input.invoiceId, status: { $ne: 'draft' } }).lean();
      if (done)
        return { invoiceId: done._id, number: done.number as string, entries: done.lines.reduce((s, l) => s + (l.entryCount ?? 0), 0) };

      const entries = await TimeEntry.find({
        buyer: input.buyer,
        $or: [{ invoiceRunKey: input.runKey, status: 'approved' }, { invoiceId: input.invoiceId }],
      })
        .select({ _id: 1, requestId: 1, agreementId: 1, date: 1, minutes: 1 })
        .lean();
      if (entries.length === 0) throw new DomainError('Conflict', `no entries to invoice for ${input.buyer}`);

      const agreementIds = [...new Set(entries.map((e) => e.agreementId))];
      const agreements = await Agreement.find({ _id: { $in: agreementIds } }).lean();
      const agreementById = new Map(agreements.map((a) => [a._id, a]));
      const requestIds = [...new Set(entries.map((e) => e.requestId))];
      const requests = await Request.find({ _id: { $in: requestIds } })
        .select({ _id: 1, title: 1, serviceId: 1 })
        .lean();
      const requestById = new Map(requests.map((r) => [r._id, r]));
      const services = await Service.find({ _id: { $in: [...new Set(requests.map((r) => r.serviceId))] } }).lean();
      const serviceById = new Map(services.map((s) => [s._id, s]));

      const billable: BillableEntry[] = entries.map((e) => {
        const agreement = agreementById.get(e.agreementId);
        const request = requestById.get(e.requestId);
        const service = request && serviceById.get(request.serviceId);
        if (!agreement || !request || !service) throw new Error(`entry ${e._id}: agreement, request or service missing`);
        const rate = effectiveRate(agreement.rateCentsPerHour, service.rates, e.date);
        if (rate === null) throw new DomainError('Conflict', `no rate for service ${service._id} on ${e.date}`);
        return {
          requestId: e.requestId,
          minutes: e.minutes,
          rateCentsPerHour: rate,
          roundingRule: agreement.roundingRule as RoundingRule,
          vatCategory: agreement.vatCategory as VatCategory,
        };
      });
      const totals = calculateInvoice(billable);
      // One agreement per buyer and provider is the norm; the first one's terms head the invoice.
      const lead = agreements.sort((a, b) => a._id.localeCompare(b._id))[0]!;

      await Invoice.updateOne(
        { _id: input.invoiceId, status: 'draft' },
        {
          $set: {
            kind: 'invoice',
            provider: input.provider,
            buyer: input.buyer,
            period: input.period,
            runKey: input.runKey,
            agreementId: lead._id,
            orderReference: lead.orderReference,
            issueDate: input.issueDate,
            dueDate: addDays(input.issueDate, lead.paymentTermDays),
            lines: totals.lines.map((l) => ({ ...l, title: requestById.get(l.requestId)?.title ?? l.requestId })),
            vat: totals.vat,
            netCents: totals.netCents,
            vatCents: totals.vatCents,
            grossCents: totals.grossCents,
          },
        },
        { upsert: true },
      );
      await TimeEntry.updateMany({ _id: { $in: entries.map((e) => e._id) } }, { $set: { status: 'invoiced', invoiceId: input.invoiceId } });
      const number = await nextInvoiceNumber(input.invoiceId, input.provider, Number(input.issueDate.slice(0, 4)));
      await Invoice.updateOne({ _id: input.invoiceId }, { $set: { number, status: 'issued' } });
      return { invoiceId: input.invoiceId, number, entries: entries.length };
    }
  }

  return { claimEntriesForRun, createInvoiceForBuyer };
}
