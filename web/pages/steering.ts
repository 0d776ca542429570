// Regional steering on the pages: one quarter's figures per municipality and service, budgets
// against actuals, financing and the trend, each chart with a table of the same figures and a
// CSV. The steering feature reads and counts; this page translates.
import type { Router } from 'express';
import type { SteeringTable } from '../../app/steering';
import { dutchDate } from '../../domain/dates';
import { formatEuro } from '../../domain/money';
import { quarterNl, quarterOf, quartersUpTo, type QuarterId } from '../../domain/steering';
import { barChart, stackedBarChart } from '../charts';
import { actorOf, type WebContext } from '../index';

/** The CSV of each table under a Dutch name. */
const CSV_NL: Record<string, SteeringTable> = {
  gemeenten: 'municipalities',
  diensten: 'services',
  dvos: 'agreements',
  bijdrageproducten: 'products',
  trend: 'trend',
};

const quarterParam = (v: unknown) => (typeof v === 'string' ? v.slice(0, 20) : '');

export function steeringPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.steering;

  router.get('/sturing', async (req, res) => {
    const o = await uc.overview(actorOf(req), { quarter: quarterParam(req.query.kwartaal) });
    const current = quarterOf(dutchDate(Date.now()));
    const choices = [...new Set([...quartersUpTo(current, 12), o.quarter as QuarterId])].sort().reverse();
    const euros = (cents: number) => cents / 100;
    const q = o.quarterLabel;
    await ctx.page(req, res, 'steering', {
      title: `Regionale sturing ${q}`,
      o,
      quarters: choices.map((c) => ({ value: c, label: quarterNl(c), selected: c === o.quarter })),
      csvLinks: Object.fromEntries(Object.keys(CSV_NL).map((name) => [name, `/sturing/${name}.csv?kwartaal=${o.quarter}`])),
      municipalityChart: stackedBarChart({
        id: 'euro-per-gemeente',
        title: `Euro per gemeente, ${q}`,
        desc: `Gefactureerd (zonder btw) aan elke gemeente in ${q}, naar uren en naar bijdrage. ${o.perMunicipality
          .map((m) => `${m.name}: ${formatEuro(m.totalCents)}`)
          .join(', ')}.`,
        unit: 'euro',
        categories: o.perMunicipality.map((m) => m.org),
        series: [
          { name: 'Naar uren', values: o.perMunicipality.map((m) => euros(m.hoursCents)) },
          { name: 'Naar bijdrage', values: o.perMunicipality.map((m) => euros(m.contributionCents)) },
        ],
      }),
      agreementChart: barChart({
        id: 'dvo-budget',
        title: `Uren tegen urenbudget per DVO, tot en met ${q}`,
        desc: `Geschreven uren (balk) tegen het urenbudget (streep) van elke dienstverleningsovereenkomst met een budget. Rood: boven budget.`,
        unit: 'uur',
        targetLabel: 'urenbudget',
        bars: o.agreements
          .filter((a) => a.budgetMinutes)
          .map((a) => ({ label: a.id, value: a.minutesToDate / 60, target: (a.budgetMinutes ?? 0) / 60 })),
      }),
      productChart: barChart({
        id: 'product-begroting',
        title: `Bijdrageproducten: gefactureerd tegen begroting ${o.range.year}`,
        desc: `Gefactureerde voorschotten en afrekening (balk) tegen de begroting (streep) van elk bijdrageproduct in ${o.range.year}, tot en met ${q}.`,
        format: formatEuro,
        targetLabel: 'begroting',
        bars: o.products.map((p) => ({ label: p.name, value: p.invoicedCents, target: p.budgetCents })),
      }),
      financingChart: stackedBarChart({
        id: 'financiering',
        title: 'Financiering per kwartaal: naar uren en naar bijdrage',
        desc: `Gefactureerd in de regio per kwartaal, in euro. ${o.trend
          .map((t) => `${t.quarterLabel}: uren ${formatEuro(t.hoursCents)}, bijdrage ${formatEuro(t.contributionCents)}`)
          .join('; ')}.`,
        unit: 'euro',
        categories: o.trend.map((t) => t.quarterLabel),
        series: [
          { name: 'Naar uren', values: o.trend.map((t) => euros(t.hoursCents)) },
          { name: 'Naar bijdrage', values: o.trend.map((t) => euros(t.contributionCents)) },
        ],
      }),
      hoursTrendChart: stackedBarChart({
        id: 'uren-trend',
        title: 'Geschreven uren per kwartaal',
        desc: `Uren die in de regio per kwartaal zijn geschreven. ${o.trend.map((t) => `${t.quarterLabel}: ${Math.round(t.minutes / 6) / 10} uur`).join(', ')}.`,
        unit: 'uur',
        categories: o.trend.map((t) => t.quarterLabel),
        series: [{ name: 'Uren', values: o.trend.map((t) => t.minutes / 60) }],
      }),
      slaChart: barChart({
        id: 'sla-trend',
        title: 'SLA-naleving per kwartaal van indienen',
        desc: `Percentage aanvragen zonder overschrijding van de intake- of levertermijn. ${o.trend
          .filter((t) => t.slaPercent !== null)
          .map((t) => `${t.quarterLabel}: ${t.slaPercent}%`)
          .join(', ')}`,
        unit: '%',
        bars: o.trend.filter((t) => t.slaPercent !== null).map((t) => ({ label: t.quarterLabel, value: t.slaPercent ?? 0, target: 100 })),
      }),
    });
  });

  router.get('/sturing/:table.csv', async (req, res, next) => {
    const table = CSV_NL[String(req.params.table)];
    if (!table) return next();
    const { fileName, body } = await uc.csv(actorOf(req), { table, quarter: quarterParam(req.query.kwartaal) });
    res.set('cache-control', 'private, no-store').type('text/csv').attachment(fileName).send(body);
  });
}
