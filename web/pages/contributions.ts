// Contribution pages of the shared centre (scenario 2): products and their rules, participation,
// key figures (CBS CSV import), budgets, the allocation preview with advances and settlement,
// and the report. A participant sees its own participation, share, invoices and report rows.
// The contribution feature decides who may see and do what; these pages show what it offers.
import type { Request, Response, Router } from 'express';
import type { ContributionAction } from '../../domain/contribution-access';
import type { ContributionAllocation, ContributionRules } from '../../domain/contributions';
import { dayOf, dutchDate } from '../../domain/dates';
import { formatEuro } from '../../domain/money';
import type { CsvRowError, RefusalInfo } from '../../domain/refusals';
import { csvRowNl, dateNl, FREQUENCY_NL, refusalNl, VAT_CATEGORY_NL, type Namer } from '../../i18n/nl';
import { barChart } from '../charts';
import { dateIn, euroIn, intIn, optionalDateIn, textIn } from '../format';
import { submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

type Form = { key?: string; values?: Body; errors?: Errors };

const thisYear = () => Number(dutchDate(Date.now()).slice(0, 4));
/** The year asked for in the address, or this year. */
const yearOf = (value: unknown): number => {
  const y = Number(value);
  return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : thisYear();
};
/** The years to pick from: two before and after this year, and the one shown. */
const yearOptions = (shown: number) => [...new Set([0, 1, 2, 3, 4].map((i) => thisYear() - 2 + i).concat(shown))].sort();
const pct = (part: number, whole: number) =>
  whole ? `${((part / whole) * 100).toLocaleString('nl-NL', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%` : '–';
const num = (n: number) => n.toLocaleString('nl-NL');
const allowed = (actions: { action: ContributionAction; allowed: boolean }[], a: ContributionAction) =>
  actions.some((x) => x.action === a && x.allowed);

/** The rules in Dutch sentences. */
export function rulesText(rules: ContributionRules, name: Namer): string[] {
  const out: string[] = [];
  for (const [code, cents] of Object.entries(rules.fixed ?? {})) out.push(`${name(code)}: vast bedrag ${formatEuro(cents)}`);
  if (rules.basePerParticipant) out.push(`Vaste voet per deelnemer: ${formatEuro(rules.basePerParticipant)}`);
  const weights = rules.rest.reduce((s, p) => s + p.weight, 0);
  for (const p of rules.rest)
    out.push(
      `Rest: ${pct(p.weight, weights)} naar ${p.by === 'hours' ? 'goedgekeurde uren' : `kengetal "${p.name}"`} (gewicht ${p.weight})`,
    );
  return out;
}

/** How each share was computed, in Dutch. */
function howShare(s: ContributionAllocation['shares'][number], allocation: ContributionAllocation): string[] {
  const how: string[] = [];
  const prorated = s.days < allocation.yearDays ? ` (${s.days} van ${allocation.yearDays} dagen)` : '';
  if (s.fixedCents) how.push(`Vast bedrag ${formatEuro(s.fixedCents)}${prorated}`);
  if (s.baseCents) how.push(`Vaste voet ${formatEuro(s.baseCents)}${prorated}`);
  for (const p of s.parts) how.push(partHow(p, allocation.parts));
  return how;
}

/** One part of a share in Dutch: its weight against all, of the part's amount. */
function partHow(
  p: { by: string; name: string; weight: number; cents: number },
  parts: readonly { name: string; weightSum: number; cents: number }[],
): string {
  const part = parts.find((x) => x.name === p.name);
  return `${p.by === 'hours' ? 'goedgekeurde minuten' : `${p.name} × dagen`}: ${num(p.weight)} van ${num(part?.weightSum ?? 0)} (${pct(
    p.weight,
    part?.weightSum ?? 0,
  )}) van ${formatEuro(part?.cents ?? 0)} = ${formatEuro(p.cents)}`;
}

export function contributionPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.contributions;
  /** The names of a product's services, as the catalogue shows them. */
  const serviceNames = async (ids: string[]) => {
    if (!ids.length) return [];
    const byId = new Map((await ctx.app.catalogue.listServices()).map((x) => [x._id, x.name]));
    return ids.map((id) => `${byId.get(id) ?? id} (${id})`);
  };

  // ---- overview --------------------------------------------------------------------------

  router.get('/bijdragen', async (req, res) => {
    const actor = actorOf(req);
    const o = await uc.overview(actor, { year: yearOf(req.query.jaar) });
    const name = await ctx.namer();
    await ctx.page(req, res, 'contributions', {
      title: 'Bijdragen',
      year: o.year,
      canCreate: allowed(o.actions, 'createProduct'),
      canMerge: allowed(o.actions, 'recordMerger'),
      canKeyFigures: allowed(o.actions, 'readKeyFigures'),
      centre: o.centre
        ? o.centre.map((p) => ({
            id: p._id,
            name: p.name,
            serviceLevel: p.serviceLevel,
            frequency: FREQUENCY_NL[p.advanceFrequency ?? 'quarterly'],
            rules: rulesText(p.rules as ContributionRules, name),
          }))
        : null,
      participant: o.participant,
    });
  });

  // ---- product: participation and budgets --------------------------------------------------

  const productPage = async (req: Request, res: Response, form: Form = {}, status = 200, productId = String(req.params.id)) => {
    const actor = actorOf(req);
    const p = await uc.productOverview(actor, productId);
    const name = await ctx.namer();
    const may = (a: ContributionAction) => allowed(p.actions, a);
    const selected = form.key === 'join' ? form.values?.participant : undefined;
    await ctx.page(
      req,
      res,
      'contribution-product',
      {
        title: p.product.name,
        product: {
          ...p.product,
          rules: rulesText(p.product.rules as ContributionRules, name),
          frequency: FREQUENCY_NL[p.product.advanceFrequency ?? 'quarterly'],
          vat: VAT_CATEGORY_NL[(p.product.vatCategory ?? 'O') as keyof typeof VAT_CATEGORY_NL],
          services: await serviceNames(p.product.serviceIds ?? []),
        },
        warnings: p.warnings,
        year: thisYear(),
        canRules: may('changeRules'),
        canDetails: may('changeProduct'),
        canParticipation: may('manageParticipation'),
        canBudget: may('manageBudget'),
        participations: p.participations.map((x, i) => ({
          ...x,
          n: i + 1,
          open: !x.to,
          errors: form.key === `end-${x._id}` ? form.errors : {},
          values: form.key === `end-${x._id}` ? form.values : {},
        })),
        municipalities: may('manageParticipation') ? (await uc.municipalities()).map((m) => ({ ...m, selected: m.code === selected })) : [],
        join: { values: form.key === 'join' ? form.values : {}, errors: form.key === 'join' ? form.errors : {} },
        budgets: p.budgets.map((b) => ({ ...b, at: dayOf(b.at) })),
        budget: {
          values: form.key === 'budget' ? form.values : { year: String(thisYear()) },
          errors: form.key === 'budget' ? form.errors : {},
        },
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id', (req, res) => productPage(req, res));

  router.post('/bijdragen/producten/:id/deelnames', async (req, res) => {
    const body = req.body as Body;
    const productId = String(req.params.id);
    const name = await ctx.namer();
    await submitForm(req, res, {
      run: () =>
        uc.addParticipation(actorOf(req), productId, {
          participant: textIn(body.participant),
          from: dateIn(body.from),
          to: optionalDateIn(body.to),
          orderReference: textIn(body.orderReference)?.trim() || undefined,
        }),
      name,
      again: (errors, status) => productPage(req, res, { key: 'join', values: body, errors }, status),
      done: (p) => ({
        flash: `${name(p!.participant)} neemt deel vanaf ${dateNl(p!.from)}.`,
        to: `/bijdragen/producten/${encodeURIComponent(productId)}`,
      }),
    });
  });

  router.post('/bijdragen/deelnames/:pid/beeindigen', async (req, res) => {
    const body = req.body as Body;
    const pid = String(req.params.pid);
    const participation = await uc.participation(actorOf(req), pid);
    const name = await ctx.namer();
    await submitForm(req, res, {
      run: () => uc.endParticipation(actorOf(req), pid, { to: dateIn(body.to) }),
      name,
      again: (errors, status) => productPage(req, res, { key: `end-${pid}`, values: body, errors }, status, participation.product),
      done: (p) => ({
        flash: `De deelname van ${name(participation.participant)} eindigt op ${dateNl(p!.to)}.`,
        to: `/bijdragen/producten/${encodeURIComponent(participation.product)}`,
      }),
    });
  });

  router.post('/bijdragen/producten/:id/begrotingen', async (req, res) => {
    const body = req.body as Body;
    const productId = String(req.params.id);
    await submitForm(req, res, {
      run: () =>
        uc.setBudget(actorOf(req), productId, {
          year: intIn(body.year),
          budgetCents: euroIn(body.amount),
          reason: textIn(body.reason)?.trim() || undefined,
        }),
      name: await ctx.namer(),
      fields: { budgetCents: 'amount' },
      again: (errors, status) => productPage(req, res, { key: 'budget', values: body, errors }, status),
      done: (b) => ({
        flash: `De begroting ${b!.year} is vastgelegd: ${formatEuro(b!.budgetCents)}.`,
        to: `/bijdragen/producten/${encodeURIComponent(productId)}`,
      }),
    });
  });

  // ---- preview, advances, settlement and steps -----------------------------------------------

  const previewPage = async (req: Request, res: Response, form: Form = {}, status = 200) => {
    const actor = actorOf(req);
    const year = yearOf(form.values?.year ?? req.query.jaar);
    const basis = req.query.grondslag === 'werkelijk' ? 'actuals' : 'budget';
    const o = await uc.allocationOverview(actor, String(req.params.id), { year, basis });
    const name = await ctx.namer();
    const allocation = o.plan?.allocation as ContributionAllocation | undefined;
    const lines = (o.plan && 'lines' in o.plan ? o.plan.lines : []) as {
      participant: string;
      kind: string;
      amountCents: number;
      invoicedBeforeCents: number;
    }[];
    const shares = (allocation?.shares ?? []).map((s) => {
      const line = lines.find((l) => l.participant === s.participant);
      return {
        participant: s.participant,
        name: name(s.participant),
        days: s.days,
        totalCents: s.totalCents,
        percent: pct(s.totalCents, allocation!.totalCents),
        how: howShare(s, allocation!),
        nextCents: line ? (line.kind === 'credit_note' ? -line.amountCents : line.amountCents) : null,
        invoicedBeforeCents: line?.invoicedBeforeCents ?? null,
      };
    });
    const plan = o.plan as { kind?: string; instalment?: number | null; instalments?: number | null; periodLabel?: string } | null;
    await ctx.page(
      req,
      res,
      'contribution-preview',
      {
        title: `Verdeling ${o.product.name} ${year}`,
        product: o.product,
        year,
        years: yearOptions(year),
        basis,
        basisText: basis === 'actuals' ? 'werkelijke kosten (afrekening)' : 'begroting (voorschotten)',
        problem: o.problem ? refusalNl(o.problem as RefusalInfo, name) : null,
        warnings: o.warnings.map((w) => refusalNl(w as RefusalInfo, name)),
        totalCents: allocation?.totalCents ?? null,
        next: plan?.kind ? { kind: plan.kind, instalment: plan.instalment, instalments: plan.instalments, period: plan.periodLabel } : null,
        shares,
        chart: allocation
          ? barChart({
              id: 'aandelen',
              title: `Aandelen ${o.product.name} ${year}`,
              desc: `Bijdrage per deelnemer in euro, samen ${formatEuro(allocation.totalCents)}. De tabel eronder bevat dezelfde bedragen.`,
              format: formatEuro,
              bars: shares.map((s) => ({ label: s.name, value: s.totalCents })),
            })
          : null,
        steps: o.steps.map((s) => ({
          ...s,
          label: s.kind === 'advance' ? `Voorschot ${s.instalment} van ${s.instalments} (${s.periodLabel})` : `Afrekening ${year}`,
          lines: s.lines.map((l) => ({
            ...l,
            kind: l.kind === 'credit_note' ? 'Creditnota' : l.kind === 'invoice' ? 'Factuur' : 'Niets te factureren',
          })),
        })),
        canInvoice: allowed(o.actions, 'invoiceStep'),
        canActuals: allowed(o.actions, 'recordActuals'),
        canAdvance: !o.settled && o.advancesDone < o.product.instalments,
        canSettle: !o.settled,
        action: { errors: form.errors ?? {}, key: form.key },
        actualsValues: form.key === 'actuals' ? form.values : {},
        actualsErrors: form.key === 'actuals' ? form.errors : {},
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id/verdeling', (req, res) => previewPage(req, res));

  const step = (kind: 'advance' | 'settlement') => async (req: Request, res: Response) => {
    const body = req.body as Body;
    const productId = String(req.params.id);
    const year = yearOf(body.year);
    await submitForm(req, res, {
      run: () => uc.startStep(actorOf(req), productId, kind, { year }),
      name: await ctx.namer(),
      // A refusal of the step shows at its button.
      fields: { year: kind, instalment: kind },
      again: (errors, status) =>
        previewPage(
          req,
          res,
          { key: kind, values: { year: String(year) }, errors: { [kind]: errors._form ?? Object.values(errors)[0]! } },
          status,
        ),
      done: (started) => ({
        flash:
          kind === 'advance'
            ? `Voorschot ${started.instalment} van ${year} wordt gefactureerd${started.alreadyStarted ? ' (was al gestart)' : ''}.`
            : `De afrekening van ${year} wordt gemaakt${started.alreadyStarted ? ' (was al gestart)' : ''}.`,
        to: `/bijdragen/producten/${encodeURIComponent(productId)}/verdeling?jaar=${year}`,
      }),
    });
  };
  router.post('/bijdragen/producten/:id/voorschotten', step('advance'));
  router.post('/bijdragen/producten/:id/afrekeningen', step('settlement'));

  router.post('/bijdragen/producten/:id/werkelijke-kosten', async (req, res) => {
    const body = req.body as Body;
    const productId = String(req.params.id);
    const year = yearOf(body.year);
    await submitForm(req, res, {
      run: () => uc.recordActuals(actorOf(req), productId, { year, actualCents: euroIn(body.actual) ?? null }),
      name: await ctx.namer(),
      fields: { actualCents: 'actual', year: 'actual' },
      again: (errors, status) =>
        previewPage(req, res, { key: 'actuals', values: body, errors: { actual: errors._form ?? Object.values(errors)[0]! } }, status),
      done: (a) => ({
        flash: `De werkelijke kosten ${year} zijn vastgelegd: ${formatEuro(a!.actualCents)}.`,
        to: `/bijdragen/producten/${encodeURIComponent(productId)}/verdeling?jaar=${year}&grondslag=werkelijk`,
      }),
    });
  });

  // ---- a participant's own share --------------------------------------------------------

  router.get('/bijdragen/producten/:id/mijn-aandeel', async (req, res) => {
    const year = yearOf(req.query.jaar);
    const r = await uc.ownShare(actorOf(req), String(req.params.id), { year });
    await ctx.page(req, res, 'contribution-share', {
      title: `Uw aandeel in ${r.product.name} ${r.year}`,
      r,
      years: yearOptions(r.year).map((y) => ({ value: y, selected: y === r.year })),
      fullYear: r.share ? r.share.days === r.yearDays : false,
      // In Dutch, as the centre's preview says it (the domain's explanation is for logs).
      parts: (r.share?.parts ?? []).map((p) => ({ name: p.name, cents: p.cents, how: partHow(p, r.parts) })),
      fixedOthersCents: r.others.fixed.reduce((sum, f) => sum + f.cents, 0),
    });
  });

  // ---- key figures --------------------------------------------------------------------------

  /** The key-figure filter from the URL: one figure (kengetal), a municipality (zoek). */
  const figureFilterOf = (req: Request) => ({
    name: typeof req.query.kengetal === 'string' ? req.query.kengetal.slice(0, 100) : '',
    q: typeof req.query.zoek === 'string' ? req.query.zoek.slice(0, 100) : '',
  });
  const figureQuery = (f: { name: string; q: string }) => ({ ...(f.name ? { name: f.name } : {}), ...(f.q ? { q: f.q } : {}) });
  const keyFiguresPage = async (req: Request, res: Response, form: Form & { rowErrors?: CsvRowError[] } = {}, status = 200) => {
    const f = figureFilterOf(req);
    const o = await uc.keyFiguresOverview(actorOf(req), figureQuery(f));
    const params = new URLSearchParams({ ...(f.name ? { kengetal: f.name } : {}), ...(f.q ? { zoek: f.q } : {}) }).toString();
    await ctx.page(
      req,
      res,
      'key-figures',
      {
        title: 'Kengetallen',
        f,
        filtered: Boolean(f.name || f.q),
        names: o.names.map((n) => ({ value: n, selected: n === f.name })),
        csv: `/bijdragen/kengetallen.csv${params ? `?${params}` : ''}`,
        canImport: allowed(o.actions, 'manageKeyFigures'),
        versions: o.versions.map((v) => ({ ...v, figures: v.figures.map((f) => ({ ...f, value: num(f.value) })) })),
        values: form.values ?? {},
        errors: form.errors ?? {},
        rowErrors: (form.rowErrors ?? []).map((e) => ({ row: e.row, message: csvRowNl(e.problem) })),
      },
      status,
    );
  };
  router.get('/bijdragen/kengetallen', (req, res) => keyFiguresPage(req, res));
  router.get('/bijdragen/kengetallen.csv', async (req, res) => {
    const csv = await uc.keyFiguresCsv(actorOf(req), figureQuery(figureFilterOf(req)));
    res.set('cache-control', 'private, no-store').type('text/csv').attachment('kengetallen.csv').send(csv);
  });
  router.post('/bijdragen/kengetallen/import', async (req, res) => {
    const body = req.body as Body;
    // The file wins over the text area when both are given.
    const file = textIn(body.file);
    const csv = file?.trim() ? file : (textIn(body.csv) ?? '');
    const values = { name: body.name, referenceDate: body.referenceDate, column: body.column, csv: file?.trim() ? '' : body.csv };
    const name = await ctx.namer();
    let rowErrors: CsvRowError[] = [];
    await submitForm(req, res, {
      run: () =>
        uc
          .importKeyFigures(actorOf(req), {
            name: textIn(body.name),
            referenceDate: dateIn(body.referenceDate),
            csv,
            column: textIn(body.column)?.trim() || undefined,
          })
          .catch((err) => {
            const rows = (err as { code?: string; params?: { rows?: CsvRowError[] } }).code === 'csv_rows_invalid' ? err.params.rows : null;
            if (rows) rowErrors = rows;
            throw err;
          }),
      name,
      fields: { file: 'csv' },
      again: (errors, status) => keyFiguresPage(req, res, { values, errors, rowErrors }, status),
      done: (r) => ({
        flash: `Versie ${r.version!.version} van "${r.version!.name}" is ingelezen.${
          r.skipped.length ? ` Overgeslagen (geen deelnemer): ${r.skipped.map((s) => `regel ${s.row} (${s.region})`).join(', ')}.` : ''
        }`,
        to: '/bijdragen/kengetallen',
      }),
    });
  });

  // ---- report --------------------------------------------------------------------------------

  router.get('/bijdragen/rapportage', async (req, res) => {
    const r = await uc.reportOverview(actorOf(req), { year: yearOf(req.query.jaar) });
    await ctx.page(req, res, 'contribution-report', { title: `Rapportage bijdragen ${r.year}`, years: yearOptions(r.year), ...r });
  });
  router.get('/bijdragen/rapportage.csv', async (req, res) => {
    const { year, csv } = await uc.reportCsv(actorOf(req), { year: yearOf(req.query.jaar) });
    res.set('cache-control', 'private, no-store').type('text/csv').attachment(`bijdragen-${year}.csv`).send(csv);
  });
}
