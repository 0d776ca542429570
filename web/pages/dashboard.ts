// The dashboard: server-rendered SVG charts, each with a table of the same figures.
import type { Router } from 'express';
import { formatEuro } from '../../domain/money';
import { barChart, stackedBarChart } from '../charts';
import { hoursText } from '../format';
import { actorOf, type WebContext } from '../router';

export function dashboardPages(router: Router, ctx: WebContext): void {
  router.get('/dashboard', async (req, res) => {
    const actor = actorOf(req);
    const orgName = await ctx.orgName(actor.org);
    const isFinance = actor.roles.includes('provider_finance') || actor.roles.includes('buyer_finance');

    const budgets = await ctx.dashboard.budgets(actor);
    const budgetRows = budgets.map((r) => ({
      id: r._id,
      title: r.title,
      logged: hoursText(r.loggedMinutes ?? 0),
      budget: hoursText(r.budgetMinutes),
      percent: r.budgetMinutes ? Math.round(((r.loggedMinutes ?? 0) / r.budgetMinutes) * 100) : 0,
    }));
    const budgetChart = barChart({
      id: 'budget',
      title: 'Uren tegen budget per opdracht',
      desc: `Geschreven uren (balk) tegen het goedgekeurde budget (streep) van de lopende opdrachten van ${orgName}. Rood: boven budget.`,
      unit: 'uur',
      targetLabel: 'budget',
      bars: budgets.map((r) => ({ label: r.title, value: (r.loggedMinutes ?? 0) / 60, target: (r.budgetMinutes ?? 0) / 60 })),
    });

    const hours = await ctx.dashboard.hoursPerMonth(actor);
    const partyNames = await Promise.all(hours.series.map((s) => ctx.orgName(s.party)));
    const hoursChart = stackedBarChart({
      id: 'uren-per-maand',
      title: hours.perspective === 'provider' ? 'Uren per gemeente per maand' : 'Ingekochte uren per leverancier per maand',
      desc:
        hours.perspective === 'provider'
          ? `Uren die ${orgName} per maand voor elke afnemende gemeente schreef.`
          : `Uren die ${orgName} per maand bij elke leverancier afnam.`,
      unit: 'uur',
      categories: hours.months,
      series: hours.series.map((s, i) => ({ name: partyNames[i]!, values: s.minutes.map((m) => m / 60) })),
    });
    const hoursTable = hours.series.map((s, i) => ({ name: partyNames[i], cells: s.minutes.map((m) => hoursText(m)) }));

    const sla = await ctx.dashboard.slaCompliance(actor);
    const slaChart = barChart({
      id: 'sla',
      title: 'SLA-naleving per maand van indienen',
      desc: `Percentage opdrachten zonder overschrijding van de intake- of levertermijn, per maand. ${sla
        .map((r) => `${r.month}: ${r.percent}%`)
        .join(', ')}`,
      unit: '%',
      bars: sla.map((r) => ({ label: r.month, value: r.percent, target: 100 })),
    });

    let balanceChart: string | null = null;
    let balances: Array<Record<string, unknown>> = [];
    if (isFinance) {
      const b = await ctx.invoices.balances(actor);
      balances = await Promise.all(
        b.map(async (x) => ({
          creditorName: await ctx.orgName(x.creditor),
          debtorName: await ctx.orgName(x.debtor),
          outstandingCents: x.outstandingCents,
        })),
      );
      balanceChart = barChart({
        id: 'saldi-dashboard',
        title: 'Openstaande saldi tussen gemeenten',
        desc: `Openstaande bedragen in euro per leverancier en afnemer waarbij ${orgName} partij is.`,
        format: formatEuro,
        bars: b.map((x) => ({ label: `${x.creditor} → ${x.debtor}`, value: x.outstandingCents })),
      });
    }

    await ctx.page(req, res, 'dashboard', {
      title: 'Dashboard',
      orgName,
      budgetChart,
      budgetRows,
      hoursChart,
      months: hours.months,
      hoursTable,
      hoursTitle: hours.perspective === 'provider' ? 'Uren per gemeente per maand' : 'Ingekochte uren per leverancier per maand',
      slaChart,
      sla,
      balanceChart,
      balances,
    });
  });
}
