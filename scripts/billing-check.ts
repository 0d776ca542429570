// Billing as the crash run and the cluster check verify it, after an invoice run: every entry
// of theirs is on exactly one billing claim, and (once the run's marking workflow is done) an
// entry is 'invoiced' exactly when it is on a claim, with that claim's invoice.
import type { Models } from '../models';

/** Waits until no billing claim is open (the runs' marking workflows are done); false if it timed out. */
export async function claimsMarked(models: Models, waitMs: number, pollMs = 500): Promise<boolean> {
  for (const deadline = Date.now() + waitMs; ; await new Promise((r) => setTimeout(r, pollMs))) {
    if ((await models.BillingClaim.countDocuments({ state: 'open' })) === 0) return true;
    if (Date.now() >= deadline) return false;
  }
}

export async function billingProblems(models: Models, entryIds: readonly string[], markingWaitMs = 120_000) {
  // The entries are marked after the run, in a workflow of its own: wait for that first.
  await claimsMarked(models, markingWaitMs);
  const claims = await models.BillingClaim.find().lean();
  const times = new Map<string, number>();
  const claimOf = new Map<string, string>();
  for (const c of claims)
    for (const e of c.entryIds) {
      times.set(e, (times.get(e) ?? 0) + 1);
      claimOf.set(e, c._id);
    }
  const billedWrong = entryIds.filter((id) => (times.get(id) ?? 0) !== 1).length;
  const markedWrong = (await models.TimeEntry.find().select({ status: 1, invoiceId: 1 }).lean()).filter((e) =>
    claimOf.has(e._id) ? e.status !== 'invoiced' || e.invoiceId !== claimOf.get(e._id) : e.status === 'invoiced',
  ).length;
  return { claims, billedWrong, markedWrong };
}
