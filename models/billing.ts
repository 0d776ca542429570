// Whether a time entry is invoiced, derived from the billing claims (and from the entry's own
// status for entries invoiced before claims existed).
import type { ClaimedEntry, Models } from './index';

const CLAIM_STATE_MIGRATION = 'billing-claim-state-v1';
const claimStates = new WeakMap<Models, Promise<void>>();

/**
 * Claims written before claims had a state get 'open' (their entries are still 'approved'):
 * once per database, before a run reads the open claims. Two processes at once write the same.
 */
export function claimStatesReady(models: Models): Promise<void> {
  let p = claimStates.get(models);
  if (!p) {
    p = (async () => {
      if (await models.Migration.exists({ _id: CLAIM_STATE_MIGRATION })) return;
      await models.BillingClaim.updateMany({ state: { $exists: false } }, { $set: { state: 'open' } });
      await models.Migration.updateOne(
        { _id: CLAIM_STATE_MIGRATION },
        { $setOnInsert: { at: new Date().toISOString() } },
        { upsert: true },
      );
    })();
    claimStates.set(models, p);
    p.catch(() => claimStates.delete(models)); // the next run tries again
  }
  return p;
}

export interface Billing {
  invoiceId: string;
  entry: ClaimedEntry;
}

/** entry id → the invoice that billed it, for the given requests. */
export async function billingOfRequests(models: Models, requestIds: readonly string[]): Promise<Map<string, Billing>> {
  const billed = new Map<string, Billing>();
  if (requestIds.length === 0) return billed;
  const wanted = new Set(requestIds);
  const claims = await models.BillingClaim.find({ requestIds: { $in: [...wanted] } })
    .select({ entries: 1 })
    .lean();
  for (const claim of claims) {
    for (const entry of claim.entries as ClaimedEntry[]) {
      if (wanted.has(entry.requestId)) billed.set(entry._id, { invoiceId: claim._id, entry });
    }
  }
  return billed;
}

/** Time entries as readers see them: status "invoiced" and the invoice id once billed. */
export async function withBillingStatus<E extends { _id: string; requestId: string; status: string; invoiceId?: string | null }>(
  models: Models,
  entries: E[],
): Promise<E[]> {
  const billed = await billingOfRequests(models, [...new Set(entries.map((e) => e.requestId))]);
  return entries.map((e) => {
    const b = billed.get(e._id);
    return b ? { ...e, status: 'invoiced', invoiceId: b.invoiceId } : e;
  });
}

/** The entries an invoice billed, as they were billed (date and minutes from the claim). */
export async function entriesOfInvoice(models: Models, invoiceId: string): Promise<ClaimedEntry[]> {
  const claim = await models.BillingClaim.findById(invoiceId).select({ entries: 1 }).lean();
  if (claim) return claim.entries as ClaimedEntry[];
  return models.TimeEntry.find({ invoiceId }).select({ _id: 1, requestId: 1, agreementId: 1, date: 1, minutes: 1 }).lean();
}
