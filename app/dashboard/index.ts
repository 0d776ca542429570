// Figures for the web dashboards, each limited to the caller's organisation. Time entries are
// read for their date and minutes only (never their billing status, which invoicing owns).
import { dayOf } from '../../domain/dates';
import { budgetPercent, OPEN_STATUSES, openMinutes, WORKING_STATUSES } from '../../domain/lifecycle';
import { assertOrgAction, mayDo, type Actor } from '../../domain/roles';
import type { Models } from '../../models';
import type { Directory } from '../core/directory';
import type { InvoicingFeature } from '../invoicing';

const PROVIDER_ROLES = ['coordinator', 'staff', 'reviewer', 'provider_finance', 'admin'];

export function dashboardFeature({ models }: { models: Models }, directory: Directory, invoicing: Pick<InvoicingFeature, 'balances'>) {
  /** Open requests, assigned minutes still to spend and minutes spent, per staff member of the caller's organisation. */
  async function workload(actor: Actor) {
    assertOrgAction(actor, 'viewWorkload');
    const staff = await directory.usersWithRole(actor.org, ['staff']);
    const open = await models.Request.find({ provider: actor.org, status: { $in: WORKING_STATUSES } })
      .select({ assignee: 1, budgetMinutes: 1, loggedMinutes: 1, title: 1, status: 1 })
      .lean();
    return staff.map((u) => {
      const mine = open.filter((r) => r.assignee === u._id);
      return {
        userId: u._id,
        name: u.name,
        skills: u.skills,
        openRequests: mine.length,
        budgetMinutes: mine.reduce((s, r) => s + (r.budgetMinutes ?? 0), 0),
        loggedMinutes: mine.reduce((s, r) => s + (r.loggedMinutes ?? 0), 0),
        remainingMinutes: openMinutes(open, u._id),
      };
    });
  }

  /**
   * Hours per month and per counterpart: a provider sees the hours it worked per buying
   * municipality, a buyer the hours it bought per provider.
   */
  async function hoursPerMonth(actor: Actor, months = 6) {
    const asProvider = actor.roles.some((r) => PROVIDER_ROLES.includes(r));
    const filter = asProvider ? { provider: actor.org } : { buyer: actor.org };
    const entries = await models.TimeEntry.find(filter).select({ buyer: 1, provider: 1, date: 1, minutes: 1 }).lean();
    const monthSet = [...new Set(entries.map((e) => e.date.slice(0, 7)))].sort().slice(-months);
    const parties = [...new Set(entries.map((e) => (asProvider ? e.buyer : e.provider)))].sort();
    const series = parties.map((p) => ({
      party: p,
      minutes: monthSet.map((m) =>
        entries.filter((e) => (asProvider ? e.buyer : e.provider) === p && e.date.startsWith(m)).reduce((s, e) => s + e.minutes, 0),
      ),
    }));
    return { perspective: asProvider ? ('provider' as const) : ('buyer' as const), months: monthSet, series };
  }

  /** Per month of submission: requests that had an SLA, and how many met it (no intake or delivery breach). */
  async function slaCompliance(actor: Actor, months = 6) {
    const requests = await models.Request.find({ $or: [{ buyer: actor.org }, { provider: actor.org }] })
      .select({ submittedAt: 1, breaches: 1, status: 1 })
      .lean();
    const rows = new Map<string, { month: string; total: number; breached: number }>();
    for (const r of requests) {
      // The Dutch month: a request sent just after midnight on the 1st belongs to the new month.
      const month = dayOf(r.submittedAt).slice(0, 7);
      const row = rows.get(month) ?? { month, total: 0, breached: 0 };
      row.total += 1;
      if ((r.breaches ?? []).length > 0) row.breached += 1;
      rows.set(month, row);
    }
    return [...rows.values()]
      .sort((a, b) => a.month.localeCompare(b.month))
      .slice(-months)
      .map((r) => ({ ...r, onTime: r.total - r.breached, percent: r.total ? Math.round(((r.total - r.breached) / r.total) * 100) : 100 }));
  }

  /** Open requests with a budget: hours spent against the budget. */
  async function budgets(actor: Actor) {
    const rows = await models.Request.find({
      $or: [{ buyer: actor.org }, { provider: actor.org }],
      status: { $in: OPEN_STATUSES },
      budgetMinutes: { $gt: 0 },
    })
      .select({ title: 1, buyer: 1, provider: 1, budgetMinutes: 1, loggedMinutes: 1, status: 1 })
      .sort({ submittedAt: -1 })
      .limit(20)
      .lean();
    return rows.map((r) => ({ ...r, percent: budgetPercent(r.loggedMinutes ?? 0, r.budgetMinutes) ?? 0 }));
  }

  /** Everything the dashboard shows the caller, each part limited to their organisation. */
  async function overview(actor: Actor) {
    assertOrgAction(actor, 'viewDashboard');
    const name = await directory.namer();
    const hours = await hoursPerMonth(actor);
    return {
      orgName: name(actor.org),
      budgets: await budgets(actor),
      hours: { ...hours, series: hours.series.map((s) => ({ ...s, name: name(s.party) })) },
      sla: await slaCompliance(actor),
      // Balances are finance's: shown to those who may see them.
      balances: mayDo(actor, 'viewBalances')
        ? (await invoicing.balances(actor)).map((b) => ({ ...b, creditorName: name(b.creditor), debtorName: name(b.debtor) }))
        : null,
    };
  }

  return { workload, hoursPerMonth, slaCompliance, budgets, overview };
}
