// The dashboard: server-rendered SVG charts, each with a table of the same figures.
import type { Router } from 'express';
import { formatEuro } from '../../domain/money';
import { hoursNl } from '../../i18n/nl';
import { barChart, stackedBarChart } from '../charts';
import { actorOf, type WebContext } from '../index';

export function dashboardPages(router: Router, ctx: WebContext): void {
  router.get('/dashboard', async (req, res) => {
    const o = await ctx.app.dashboard.overview(actorOf(req));
    const provider = o.hours.perspective === 'provider';
    const hoursTitle = provider ? 'Uren per gemeente per maand' : 'Ingekochte uren per leverancier per maand';
    await ctx.page(req, res, 'dashboard', {
      title: 'Dashboard',
      orgName: o.orgName,
      budgetChart: barChart({
        id: 'budget',
        title: 'Uren tegen budget per opdracht',
        desc: `Geschreven uren (balk) tegen het goedgekeurde budget (streep) van de lopende opdrachten van ${o.orgName}. Rood: boven budget.`,
        unit: 'uur',
        targetLabel: 'budget',
        bars: o.budgets.map((r) => ({ label: r.title, value: (r.loggedMinutes ?? 0) / 60, target: (r.budgetMinutes ?? 0) / 60 })),
      }),
      budgetRows: o.budgets.map((r) => ({
        id: r._id,
        title: r.title,
        logged: hoursNl(r.loggedMinutes ?? 0),
        budget: hoursNl(r.budgetMinutes),
        percent: r.percent,
      })),
      hoursChart: stackedBarChart({
        id: 'uren-per-maand',
        title: hoursTitle,
        desc: provider
          ? `Uren die ${o.orgName} per maand voor elke afnemende gemeente schreef.`
          : `Uren die ${o.orgName} per maand bij elke leverancier afnam.`,
        unit: 'uur',
        categories: o.hours.months,
        series: o.hours.series.map((s) => ({ name: s.name, values: s.minutes.map((m) => m / 60) })),
      }),
      months: o.hours.months,
      hoursTable: o.hours.series.map((s) => ({ name: s.name, cells: s.minutes.map((m) => hoursNl(m)) })),
      hoursTitle,
      slaChart: barChart({
        id: 'sla',
        title: 'SLA-naleving per maand van indienen',
        desc: `Percentage opdrachten zonder overschrijding van de intake- of levertermijn, per maand. ${o.sla
          .map((r) => `${r.month}: ${r.percent}%`)
          .join(', ')}`,
        unit: '%',
        bars: o.sla.map((r) => ({ label: r.month, value: r.percent, target: 100 })),
      }),
      sla: o.sla,
      balanceChart: o.balances
        ? barChart({
            id: 'saldi-dashboard',
            title: 'Openstaande saldi tussen gemeenten',
            desc: `Openstaande bedragen in euro per leverancier en afnemer waarbij ${o.orgName} partij is.`,
            format: formatEuro,
            bars: o.balances.map((x) => ({ label: `${x.creditor} → ${x.debtor}`, value: x.outstandingCents })),
          })
        : null,
      balances: o.balances ?? [],
    });
  });
}
