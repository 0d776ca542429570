// Invoicing activities: claim approved hours for a run, then make one invoice per buyer.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { notFound, refuse } from '../domain/refusals';
import { addDays, dutchDate, isQuarterEnd, periodBounds } from '../domain/dates';
import { calculateInvoice, EXEMPTION_REASONS, type BillableEntry } from '../domain/invoicing';
import { vatAmount, VAT_PERCENT, type RoundingRule, type VatCategory } from '../domain/money';
import { effectiveRate } from '../domain/rates';
import { isDuplicateKey, type ClaimedEntry, type Invoice, type Models } from '../models';
import { claimStatesReady } from '../models/billing';
import { allocateInvoiceNumber } from './invoice-numbers';

export interface CreateInvoiceInput {
  runKey: string;
  /** Set by runs that claim hours with billing claims: the invoice bills its claim's entries. */
  claimed?: boolean;
  invoiceId: string;
  provider: string;
  buyer: string;
  period: string;
  issueDate: string;
}

/**
 * Heartbeats every few seconds while the work runs, so a worker that dies mid-activity is
 * noticed within the heartbeat timeout (not the ten-minute start-to-close timeout) and the
 * activity, which is idempotent, runs again on another worker.
 */
async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 3_000);
  try {
    ctx.heartbeat();
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function invoicingActivities({ models }: { models: Models }) {
  const { Request, TimeEntry, Agreement, Service, Invoice, InvoiceNumber, RunLock, BillingClaim } = models;

  /**
   * One invoice run per provider at a time: the lock is a document with the provider as its
   * unique _id (an insert is atomic on FerretDB and MongoDB alike). Retried while another run
   * holds it; idempotent for the run that holds it.
   */
  async function acquireRunLock(input: { provider: string; runKey: string }): Promise<void> {
    try {
      await RunLock.create({ _id: input.provider, runKey: input.runKey, at: new Date().toISOString() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const lock = await RunLock.findById(input.provider).lean();
      if (lock && lock.runKey !== input.runKey) {
        throw ApplicationFailure.retryable(`invoice run ${lock.runKey} of ${input.provider} is still busy`, 'RunLocked');
      }
    }
  }
  async function releaseRunLock(input: { provider: string; runKey: string }): Promise<void> {
    await RunLock.deleteOne({ _id: input.provider, runKey: input.runKey });
  }

  /**
   * Agreements whose hours this run leaves: those invoiced per quarter outside the quarter's
   * last month, and those financed by contribution only.
   */
  async function excludedAgreements(provider: string, period: string): Promise<string[]> {
    const quarterly = isQuarterEnd(period) ? [] : [{ invoiceFrequency: 'quarterly' }];
    const agreements = await Agreement.find({ provider, $or: [...quarterly, { hourBilling: false }] })
      .select({ _id: 1 })
      .lean();
    return agreements.map((a) => a._id);
  }

  /** Ids in lists of at most 500: FerretDB looks those up by index (a longer list reads all). */
  function chunks<T>(ids: readonly T[]): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < ids.length; i += 500) out.push(ids.slice(i, i + 500));
    return out;
  }

  /**
   * Gives a claim's entries the status 'invoiced', then marks the claim. Entries first: the
   * entries of a marked claim are never 'approved', so a run that no longer reads the claim
   * cannot bill them again. Idempotent; the same writes from two places converge.
   */
  async function markClaim(claim: { _id: string; entryIds: string[] }): Promise<void> {
    for (const ids of chunks(claim.entryIds))
      await TimeEntry.updateMany({ _id: { $in: ids }, status: 'approved' }, { $set: { status: 'invoiced', invoiceId: claim._id } });
    await BillingClaim.updateOne({ _id: claim._id }, { $set: { state: 'marked' } });
  }

  /**
   * After its invoice was issued (the run's marking workflow calls this): the claim's entries become
   * 'invoiced', so that later runs read neither them nor the claim. Returns the entries marked.
   */
  async function markInvoicedEntries(input: { invoiceId: string }): Promise<number> {
    const claim = await BillingClaim.findById(input.invoiceId).select({ entryIds: 1, state: 1 }).lean();
    if (!claim || claim.state === 'marked') return 0;
    if (!(await Invoice.exists({ _id: input.invoiceId, status: { $ne: 'draft' } }))) return 0;
    await markClaim(claim);
    return claim.entryIds.length;
  }

  /**
   * Claims every approved, not yet invoiced entry up to the period's end: one billing claim
   * per buyer, inserted under the invoice's id. Reads the entries once and updates none of them
   * (only entries of earlier runs' issued invoices that are not yet marked, see below).
   * Runs of one provider never overlap (the run lock), so the claims of earlier runs are
   * complete; a retry finds its own claims and only adds the buyers still missing.
   * Reads only what is not yet invoiced: the approved entries and the open claims, so a run
   * costs the same after years of invoices.
   */
  async function claimBillingForRun(input: { runKey: string; provider: string; period: string; runTag: string; issueDate?: string }) {
    const { end } = periodBounds(input.period);
    const excluded = await excludedAgreements(input.provider, input.period);
    // The run's tag (from its run id) keeps a re-run of the same period apart from this one.
    const invoiceIdOf = (buyer: string) => `${input.provider}-${input.period}-${buyer}-${input.runTag}`;
    const billed = new Set<string>();
    const mine = new Map<string, { invoiceId: string; entries: number }>();
    await claimStatesReady(models);
    const open = await BillingClaim.find({ provider: input.provider, state: 'open' }).select({ entryIds: 1, runKey: 1, buyer: 1 }).lean();
    // Open claims of earlier runs whose invoice is issued: claims from before the marking, or
    // whose run's marking workflow has not got to them (yet). Marked here, so later runs skip them.
    const earlier = open.filter((c) => c.runKey !== input.runKey).map((c) => c._id);
    const issued = new Set<string>();
    for (const ids of chunks(earlier))
      for (const inv of await Invoice.find({ _id: { $in: ids }, status: { $ne: 'draft' } })
        .select({ _id: 1 })
        .lean())
        issued.add(inv._id);
    for (const claim of open) {
      // Still left out when marked: the claim stands whatever the entries' status says.
      for (const id of claim.entryIds) billed.add(id);
      if (claim._id === invoiceIdOf(claim.buyer)) mine.set(claim.buyer, { invoiceId: claim._id, entries: claim.entryIds.length });
      else if (issued.has(claim._id)) await markClaim(claim);
    }
    const byBuyer = new Map<string, ClaimedEntry[]>();
    // invoiceRunKey: entries a run from before billing claims marked are that run's to bill.
    const cursor = TimeEntry.find({
      provider: input.provider,
      status: 'approved',
      invoiceRunKey: null,
      date: { $lte: end },
      agreementId: { $nin: excluded },
    })
      .select({ _id: 1, requestId: 1, agreementId: 1, buyer: 1, date: 1, minutes: 1 })
      .lean()
      .cursor({ batchSize: 2_000 });
    // Request, agreement and date repeat from entry to entry: one copy of each string keeps a
    // large run's memory down (the driver decodes a new string for every field of every entry).
    const strings = new Map<string, string>();
    const shared = (value: string) => strings.get(value) ?? (strings.set(value, value), value);
    for await (const e of cursor) {
      // A buyer already invoiced in this run keeps its claim; newer hours wait for the next run.
      if (billed.has(e._id) || mine.has(e.buyer)) continue;
      const list = byBuyer.get(e.buyer) ?? [];
      list.push({
        _id: e._id,
        requestId: shared(e.requestId),
        agreementId: shared(e.agreementId),
        date: shared(e.date),
        minutes: e.minutes,
      });
      byBuyer.set(e.buyer, list);
    }
    const drafts: { buyer: string; invoiceId: string; entries: ClaimedEntry[] }[] = [];
    for (const [buyer, entries] of byBuyer) {
      const invoiceId = invoiceIdOf(buyer);
      try {
        await BillingClaim.collection.insertOne({
          _id: invoiceId as never,
          provider: input.provider,
          buyer,
          runKey: input.runKey,
          period: input.period,
          entryIds: entries.map((e) => e._id),
          requestIds: [...new Set(entries.map((e) => e.requestId))],
          entries,
          state: 'open',
        });
        mine.set(buyer, { invoiceId, entries: entries.length });
        drafts.push({ buyer, invoiceId, entries });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A parallel attempt of this same activity claimed it first: its claim stands.
        const claim = (await BillingClaim.findById(invoiceId).select({ entryIds: 1 }).lean())!;
        mine.set(buyer, { invoiceId, entries: claim.entryIds.length });
      }
    }
    // The drafts, from the entries at hand, so that making each invoice need not read its claim
    // again. Runs recorded before this pass no issue date; their invoices draft themselves.
    // A draft that cannot be made here (e.g. a missing rate) is made, or refused, with its invoice.
    if (input.issueDate && drafts.length) {
      const context = await draftContext(drafts.flatMap((d) => d.entries)).catch(() => null);
      for (const d of context ? drafts : []) {
        const draft = { ...input, issueDate: input.issueDate, claimed: true, invoiceId: d.invoiceId, buyer: d.buyer };
        await writeDraft(draft, d.entries, context!).catch(() => undefined);
      }
    }
    return [...mine.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([buyer, c]) => ({ buyer, ...c }));
  }

  /**
   * After a run failed for good (or was cancelled): removes its claims whose invoice was neither
   * issued nor numbered, with their drafts. Runs under the run lock, like the claiming.
   */
  async function releaseUnissuedClaims(input: { provider: string; runKey: string }): Promise<string[]> {
    const released: string[] = [];
    for (const claim of await BillingClaim.find({ provider: input.provider, runKey: input.runKey }).select({ _id: 1 }).lean()) {
      const issued = await Invoice.exists({ _id: claim._id, status: { $ne: 'draft' } });
      const numbered = await InvoiceNumber.exists({ invoiceId: claim._id });
      if (issued || numbered) continue;
      await Invoice.deleteOne({ _id: claim._id, status: 'draft' });
      await BillingClaim.deleteOne({ _id: claim._id });
      released.push(claim._id);
    }
    return released;
  }

  /** The entries an invoice bills: its billing claim, or (older runs) the entries marked for it. */
  async function entriesOfInvoice(input: CreateInvoiceInput) {
    if (input.claimed) {
      const claim = await BillingClaim.findById(input.invoiceId).select({ entries: 1 }).lean();
      if (!claim) throw new Error(`billing claim ${input.invoiceId} missing`);
      return claim.entries as ClaimedEntry[];
    }
    return TimeEntry.find({
      buyer: input.buyer,
      $or: [{ invoiceRunKey: input.runKey, status: 'approved' }, { invoiceId: input.invoiceId }],
    })
      .select({ _id: 1, requestId: 1, agreementId: 1, date: 1, minutes: 1 })
      .lean();
  }

  /** Runs from before billing claims: marks the entries as belonging to this run. */
  async function claimEntriesForRun(input: { runKey: string; provider: string; period: string }) {
    const { end } = periodBounds(input.period);
    const excluded = await excludedAgreements(input.provider, input.period);
    await TimeEntry.updateMany(
      { provider: input.provider, status: 'approved', invoiceRunKey: null, date: { $lte: end }, agreementId: { $nin: excluded } },
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
    return allocateInvoiceNumber(InvoiceNumber, invoiceId, provider, year);
  }

  /**
   * Makes (or finishes) the invoice of one buyer in a run. Every step converges on retry:
   * the draft has a deterministic id, entries point at it, the number is bound to it.
   */
  type DraftContext = Awaited<ReturnType<typeof draftContext>>;

  /** The agreements, requests and services that entries refer to, read once for all of them. */
  async function draftContext(entries: Pick<ClaimedEntry, 'agreementId' | 'requestId'>[]) {
    const agreementIds = [...new Set(entries.map((e) => e.agreementId))];
    const agreements = await Agreement.find({ _id: { $in: agreementIds } }).lean();
    const requestIds = [...new Set(entries.map((e) => e.requestId))];
    const requests = [];
    for (const ids of chunks(requestIds))
      requests.push(
        ...(await Request.find({ _id: { $in: ids } })
          .select({ _id: 1, title: 1, serviceId: 1 })
          .lean()),
      );
    const services = await Service.find({ _id: { $in: [...new Set(requests.map((r) => r.serviceId))] } }).lean();
    return {
      agreementById: new Map(agreements.map((a) => [a._id, a])),
      requestById: new Map(requests.map((r) => [r._id, r])),
      serviceById: new Map(services.map((s) => [s._id, s])),
    };
  }

  /** Computes the invoice of these entries and writes it as a draft (idempotent: same id, same figures); returns its gross. */
  async function writeDraft(input: CreateInvoiceInput, entries: ClaimedEntry[], context: DraftContext): Promise<number> {
    const { agreementById, requestById, serviceById } = context;
    const periodStart = periodBounds(input.period).start;
    const billable: BillableEntry[] = entries.map((e) => {
      const agreement = agreementById.get(e.agreementId);
      const request = requestById.get(e.requestId);
      const service = request && serviceById.get(request.serviceId);
      if (!agreement || !request || !service) throw new Error(`entry ${e._id}: agreement, request or service missing`);
      const rate = effectiveRate(agreement.rateCentsPerHour, service.rates, e.date);
      if (rate === null) throw refuse('no_rate', { serviceId: service._id, date: e.date });
      return {
        requestId: e.requestId,
        late: e.date < periodStart,
        minutes: e.minutes,
        rateCentsPerHour: rate,
        roundingRule: agreement.roundingRule as RoundingRule,
        vatCategory: agreement.vatCategory as VatCategory,
      };
    });
    const totals = calculateInvoice(billable);
    // One agreement per buyer and provider is the norm; the first one's terms head the invoice.
    const lead = [...new Set(entries.map((e) => e.agreementId))].sort((a, b) => a.localeCompare(b)).map((id) => agreementById.get(id)!)[0]!;

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
    return totals.grossCents;
  }

  /**
   * Makes (or finishes) the invoice of one buyer in a run. Every step converges on retry:
   * the draft has a deterministic id, entries point at it, the number is bound to it.
   */
  async function createInvoiceForBuyer(input: CreateInvoiceInput) {
    const existing = await Invoice.findById(input.invoiceId).lean();
    if (existing && existing.status !== 'draft') return summary(existing);

    // The claim made the draft already (runs that pass it the issue date); otherwise make it here.
    // Runs from before billing claims always redo it: the entries are marked after the draft.
    let grossCents =
      input.claimed && existing?.runKey === input.runKey && existing.issueDate === input.issueDate ? existing.grossCents : null;
    if (grossCents === null) {
      const entries = (await entriesOfInvoice(input)) as ClaimedEntry[];
      if (entries.length === 0) throw refuse('no_entries_to_invoice', { buyer: input.buyer });
      grossCents = await writeDraft(input, entries, await draftContext(entries));
      if (!input.claimed) {
        await TimeEntry.updateMany(
          { _id: { $in: entries.map((e) => e._id) } },
          { $set: { status: 'invoiced', invoiceId: input.invoiceId } },
        );
      }
    }
    const number = await nextInvoiceNumber(input.invoiceId, input.provider, Number(input.issueDate.slice(0, 4)));
    await Invoice.updateOne({ _id: input.invoiceId }, { $set: { number, status: 'issued', outstandingCents: grossCents } });
    return summary((await Invoice.findById(input.invoiceId).lean())!);
  }

  /** What the run and the invoice workflow need to know of a made invoice. */
  function summary(inv: Invoice) {
    return {
      invoiceId: inv._id,
      number: inv.number as string,
      entries: inv.lines.reduce((s, l) => s + (l.entryCount ?? 0), 0),
      dueDate: inv.dueDate,
      grossCents: inv.grossCents,
      // VAT per line for the dispute amounts; the invoice's VAT stays computed per category.
      lines: inv.lines.map((l) => ({
        amountCents: l.amountCents as number,
        vatCents: vatAmount(l.amountCents as number, l.vatCategory as VatCategory),
      })),
    };
  }

  /** A credit note (UNCL1001 381) for part or all of one line; numbered in the invoice series. */
  async function createCreditNote(input: { invoiceId: string; lineNo: number; netCents: number; reason: string; seq: number }) {
    const invoice = await Invoice.findById(input.invoiceId).lean();
    if (!invoice) throw notFound('invoice');
    const line = invoice.lines[input.lineNo - 1];
    if (!line) throw notFound('invoice_line');
    const id = `${input.invoiceId}-CN${input.seq}`;
    const category = line.vatCategory as VatCategory;
    const vatCents = vatAmount(input.netCents, category);
    const issueDate = dutchDate(Date.now());
    await Invoice.updateOne(
      { _id: id },
      {
        $setOnInsert: {
          kind: 'credit_note',
          creditedInvoiceId: invoice._id,
          creditedInvoiceNumber: invoice.number,
          reason: input.reason,
          provider: invoice.provider,
          buyer: invoice.buyer,
          period: invoice.period,
          runKey: invoice.runKey,
          agreementId: invoice.agreementId,
          orderReference: invoice.orderReference,
          issueDate,
          dueDate: issueDate,
          lines: [
            {
              requestId: line.requestId,
              title: line.title,
              late: false,
              minutes: 0,
              rateCentsPerHour: line.rateCentsPerHour,
              amountCents: input.netCents,
              vatCategory: category,
              entryCount: 0,
            },
          ],
          vat: [
            {
              category,
              percent: VAT_PERCENT[category],
              baseCents: input.netCents,
              vatCents,
              ...(EXEMPTION_REASONS[category] ? { exemptionReason: EXEMPTION_REASONS[category] } : {}),
            },
          ],
          netCents: input.netCents,
          vatCents,
          grossCents: input.netCents + vatCents,
          outstandingCents: 0,
          status: 'draft',
        },
      },
      { upsert: true },
    );
    const number = await nextInvoiceNumber(id, invoice.provider, Number(issueDate.slice(0, 4)));
    await Invoice.updateOne({ _id: id }, { $set: { number, status: 'issued' } });
    return { creditNoteId: id, number, grossCents: input.netCents + vatCents };
  }

  return {
    acquireRunLock,
    releaseRunLock,
    claimEntriesForRun: (input: Parameters<typeof claimEntriesForRun>[0]) => withHeartbeat(() => claimEntriesForRun(input)),
    releaseUnissuedClaims,
    claimBillingForRun: (input: Parameters<typeof claimBillingForRun>[0]) => withHeartbeat(() => claimBillingForRun(input)),
    createInvoiceForBuyer: (input: CreateInvoiceInput) => withHeartbeat(() => createInvoiceForBuyer(input)),
    createCreditNote: (input: Parameters<typeof createCreditNote>[0]) => withHeartbeat(() => createCreditNote(input)),
    markInvoicedEntries: (input: Parameters<typeof markInvoicedEntries>[0]) => withHeartbeat(() => markInvoicedEntries(input)),
  };
}
