// Contribution pages of the shared centre (scenario 2): products and their rules, participation,
// key figures (CBS CSV import), budgets, the allocation preview with advances and settlement,
// and the report. A participant sees its own participation, share, invoices and report rows.
// Every page calls the contribution use cases, which decide who may see and do what.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { budgetBody, endParticipationBody, keyFigureImportBody, participationBody, reportCsv } from '../../api/routes/contributions';
import { overlappingPeriod, type ContributionAllocation, type ContributionRules } from '../../domain/contributions';
import { DomainError } from '../../domain/errors';
import { formatEuro } from '../../domain/money';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import type { StepLine } from '../../models/contributions';
import { barChart } from '../charts';
import { dutchDateText, parseDate, parseEuro } from '../format';
import { actorOf, type WebContext } from '../router';
import { flash } from '../session';

type Body = Record<string, string | undefined>;
type Errors = Record<string, string>;
type Form = { key?: string; values?: Body; errors?: Errors };

const thisYear = () => Number(dutchDate(Date.now()).slice(0, 4));
const yearFrom = (value: unknown): number => {
  const y = Number(value);
  return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : thisYear();
};
/** The years to pick from: two before and after this year, and the one shown. */
const yearOptions = (shown: number) => [...new Set([0, 1, 2, 3, 4].map((i) => thisYear() - 2 + i).concat(shown))].sort();
const isCentreRole = (actor: Actor) => actor.roles.includes('admin') || actor.roles.includes('provider_finance');
const pct = (part: number, whole: number) =>
  whole ? `${((part / whole) * 100).toLocaleString('nl-NL', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%` : '–';
const num = (n: number) => n.toLocaleString('nl-NL');
const FREQUENCY: Record<string, string> = { yearly: 'jaarlijks', quarterly: 'per kwartaal', monthly: 'per maand' };

/** The first zod issue per field, in Dutch by field. */
function zodErrors(error: z.ZodError, messages: Record<string, string>): Errors {
  const out: Errors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_form');
    out[field] ??= messages[field] ?? 'Controleer deze invoer.';
  }
  return out;
}

/** CSV row errors of domain/key-figures.ts in Dutch. */
export function dutchCsvError(message: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^expected (\d+) columns, found (\d+)$/.exec(message))) return `verwacht ${m[1]} kolommen, gevonden ${m[2]}`;
  if (message === 'the region is empty') return 'de regio is leeg';
  if ((m = /^the figure of (.*) must be a whole number, 0 or more \(found "(.*)"\)$/.exec(message)))
    return `het getal van ${m[1]} moet een geheel getal van 0 of meer zijn (gevonden: "${m[2]}")`;
  if ((m = /^(.*) appears twice, also on row (\d+)$/.exec(message))) return `${m[1]} staat er twee keer in, ook op regel ${m[2]}`;
  if (message === 'the header needs a region column and a figure column') return 'de kopregel moet een regiokolom en een getalkolom hebben';
  if ((m = /^there is no column "(.*)"$/.exec(message))) return `er is geen kolom "${m[1]}"`;
  if (message === 'no row names a participant') return 'geen enkele regel noemt een deelnemer';
  return message;
}

export function contributionPages(router: Router, ctx: WebContext): void {
  const uc = ctx.contributions;

  const names = async (codes: string[]) =>
    Object.fromEntries(await Promise.all([...new Set(codes)].map(async (c) => [c, await ctx.orgName(c)] as const)));

  async function rulesText(rules: ContributionRules): Promise<string[]> {
    const out: string[] = [];
    for (const [code, cents] of Object.entries(rules.fixed ?? {})) out.push(`${await ctx.orgName(code)}: vast bedrag ${formatEuro(cents)}`);
    if (rules.basePerParticipant) out.push(`Vaste voet per deelnemer: ${formatEuro(rules.basePerParticipant)}`);
    const weights = rules.rest.reduce((s, p) => s + p.weight, 0);
    for (const p of rules.rest)
      out.push(
        `Rest: ${pct(p.weight, weights)} naar ${p.by === 'hours' ? 'goedgekeurde uren' : `kengetal "${p.name}"`} (gewicht ${p.weight})`,
      );
    return out;
  }

  /** The product if it is the caller's centre's own (the use cases check it again on every call). */
  async function centreProduct(actor: Actor, id: string) {
    const product = (await uc.listProducts(actor)).find((p) => p._id === id);
    if (!product) throw new DomainError('NotFound', 'product');
    if (product.provider !== actor.org || !isCentreRole(actor)) throw new DomainError('Forbidden', 'centre pages');
    return product;
  }

  // ---- overview --------------------------------------------------------------------------

  router.get('/bijdragen', async (req, res) => {
    const actor = actorOf(req);
    const year = yearFrom(req.query.jaar);
    const products = await uc.listProducts(actor);
    const own = isCentreRole(actor) ? products.filter((p) => p.provider === actor.org) : [];
    const joined = products.filter((p) => p.provider !== actor.org);
    if (
      !own.length &&
      !joined.length &&
      !isCentreRole(actor) &&
      !actor.roles.includes('buyer_finance') &&
      !actor.roles.includes('requester')
    )
      throw new DomainError('Forbidden', 'contributions');
    const centre = await Promise.all(
      own.map(async (p) => ({
        id: p._id,
        name: p.name,
        serviceLevel: p.serviceLevel,
        frequency: FREQUENCY[p.advanceFrequency ?? 'quarterly'],
        rules: await rulesText(p.rules as ContributionRules),
      })),
    );
    // The participant's side: its own participations, share, invoices and report rows.
    let participant = null;
    if (joined.length) {
      const participations = (await uc.listParticipations(actor)).filter((p) => p.participant === actor.org);
      const report = await uc.report(actor, year);
      const rows = report.rows.filter((r) => r.participant === actor.org);
      const canInvoices = ['buyer_finance', 'provider_finance', 'requester'].some((r) => actor.roles.includes(r as never));
      const invoices = canInvoices
        ? (await ctx.invoices.list(actor)).filter((i) => i.buyer === actor.org && joined.some((p) => i._id.startsWith(`${p._id}-`)))
        : [];
      participant = {
        products: joined.map((p) => ({
          id: p._id,
          name: p.name,
          providerName: '',
          share: rows.find((r) => r.product === p._id)?.budgetCents ?? null,
          participations: participations.filter((x) => x.product === p._id),
        })),
        rows,
        invoices: invoices.map((i) => ({
          id: i._id,
          number: i.number,
          kind: i.kind === 'credit_note' ? 'Creditnota' : 'Factuur',
          issueDate: i.issueDate,
          grossCents: i.grossCents,
          outstandingCents: i.kind === 'credit_note' ? null : i.outstandingCents,
          status: i.status,
        })),
      };
      for (const p of participant.products) p.providerName = await ctx.orgName(joined.find((j) => j._id === p.id)!.provider);
    }
    await ctx.page(req, res, 'contributions', {
      title: 'Bijdragen',
      year,
      centre: own.length ? centre : null,
      isAdmin: actor.roles.includes('admin'),
      participant,
    });
  });

  // ---- product: participation and budgets --------------------------------------------------

  const productPage = async (req: Request, res: Response, form: Form = {}, status = 200, productId = String(req.params.id)) => {
    const actor = actorOf(req);
    const product = await centreProduct(actor, productId);
    const participations = (await uc.listParticipations(actor)).filter((p) => p.product === product._id);
    const budgets = await uc.budgets(actor, product._id);
    const orgNames = await names(participations.map((p) => p.participant));
    const municipalities = await ctx.models.Organisation.find({ kind: 'municipality' }).sort({ name: 1 }).lean();
    const isAdmin = actor.roles.includes('admin');
    const selected = form.key === 'join' ? form.values?.participant : undefined;
    await ctx.page(
      req,
      res,
      'contribution-product',
      {
        title: product.name,
        product: {
          ...product,
          rules: await rulesText(product.rules as ContributionRules),
          frequency: FREQUENCY[product.advanceFrequency ?? 'quarterly'],
        },
        year: thisYear(),
        isAdmin,
        participations: participations.map((p, i) => ({
          ...p,
          n: i + 1,
          name: orgNames[p.participant],
          open: !p.to,
          errors: form.key === `end-${p._id}` ? form.errors : {},
          values: form.key === `end-${p._id}` ? form.values : {},
        })),
        municipalities: municipalities.map((m) => ({ code: m._id, name: m.name, selected: m._id === selected })),
        join: { values: form.key === 'join' ? form.values : {}, errors: form.key === 'join' ? form.errors : {} },
        budgets: budgets
          .slice()
          .sort((a, b) => b.year - a.year || b.version - a.version)
          .map((b) => ({ ...b, at: b.at.slice(0, 10) })),
        budget: {
          values: form.key === 'budget' ? form.values : { year: String(thisYear()) },
          errors: form.key === 'budget' ? form.errors : {},
        },
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id', (req, res) => productPage(req, res));

  /** Domain refusals shown on the form; anything else goes to the error page. */
  const refusal = (err: unknown): string | null => {
    if (!(err instanceof DomainError)) return null;
    if (err.kind === 'Forbidden') return 'U mag deze actie niet uitvoeren.';
    if (err.kind === 'InvalidState' || err.kind === 'Conflict') return 'Dit kan niet in de huidige stand van zaken.';
    if (err.kind === 'BadInput') return 'Deze invoer is niet toegestaan.';
    return null;
  };

  router.post('/bijdragen/producten/:id/deelnames', async (req, res) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    const productId = String(req.params.id);
    const errors: Errors = {};
    const from = parseDate(body.from);
    const to = body.to?.trim() ? parseDate(body.to) : null;
    if (!from) errors.from = 'Vul een geldige begindatum in (dd-mm-jjjj).';
    if (body.to?.trim() && !to) errors.to = 'Vul een geldige einddatum in (dd-mm-jjjj), of laat het veld leeg.';
    const parsed = participationBody.safeParse({
      participant: body.participant ?? '',
      from: from ?? '',
      to,
      orderReference: body.orderReference?.trim() || undefined,
    });
    if (!parsed.success)
      Object.assign(
        errors,
        zodErrors(parsed.error, {
          participant: 'Kies een gemeente.',
          from: 'Vul een geldige begindatum in (dd-mm-jjjj).',
          to: 'Vul een geldige einddatum in (dd-mm-jjjj).',
          orderReference: 'Het ordernummer mag hoogstens 100 tekens hebben.',
        }),
        errors,
      );
    if (Object.keys(errors).length) return productPage(req, res, { key: 'join', values: body, errors }, 400);
    try {
      await uc.addParticipation(actor, productId, parsed.data!);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'Conflict' && err.details.field === 'from') {
        const existing = (await uc.listParticipations(actor)).filter(
          (p) => p.product === productId && p.participant === parsed.data!.participant,
        );
        const overlap = overlappingPeriod(
          existing.map((e) => ({ ...e, to: e.to ?? null })),
          parsed.data!,
        );
        const name = await ctx.orgName(parsed.data!.participant);
        const period = overlap
          ? `van ${dutchDateText(overlap.from)} ${overlap.to ? `tot en met ${dutchDateText(overlap.to)}` : 'zonder einddatum'}`
          : 'in deze periode';
        return productPage(
          req,
          res,
          { key: 'join', values: body, errors: { from: `Deze deelname overlapt met de deelname van ${name} ${period}.` } },
          409,
        );
      }
      if (err instanceof DomainError && err.kind === 'BadInput') {
        const field = String(err.details.field ?? '_form');
        const message =
          field === 'to'
            ? 'De einddatum ligt voor de begindatum.'
            : field === 'participant'
              ? 'Kies een gemeente.'
              : 'Deze invoer is niet toegestaan.';
        return productPage(req, res, { key: 'join', values: body, errors: { [field]: message } }, 400);
      }
      const message = refusal(err);
      if (!message) throw err;
      return productPage(req, res, { key: 'join', values: body, errors: { _form: message } }, 409);
    }
    flash(req, `${await ctx.orgName(parsed.data!.participant)} neemt deel vanaf ${dutchDateText(parsed.data!.from)}.`);
    res.redirect(303, `/bijdragen/producten/${encodeURIComponent(productId)}`);
  });

  router.post('/bijdragen/deelnames/:pid/beeindigen', async (req, res) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    const pid = String(req.params.pid);
    const participation = (await uc.listParticipations(actor)).find((p) => p._id === pid);
    if (!participation) throw new DomainError('NotFound', 'participation');
    const key = `end-${pid}`;
    const parsed = endParticipationBody.safeParse({ to: parseDate(body.to) ?? '' });
    if (!parsed.success)
      return productPage(
        req,
        res,
        { key, values: body, errors: { to: 'Vul een geldige laatste dag in (dd-mm-jjjj).' } },
        400,
        participation.product,
      );
    try {
      await uc.endParticipation(actor, pid, parsed.data.to);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'BadInput')
        return productPage(
          req,
          res,
          {
            key,
            values: body,
            errors: {
              to:
                parsed.data.to < participation.from
                  ? `De laatste dag ligt voor de begindatum (${dutchDateText(participation.from)}).`
                  : `De deelname eindigt al op ${dutchDateText(participation.to)}.`,
            },
          },
          400,
          participation.product,
        );
      const message = refusal(err);
      if (!message) throw err;
      return productPage(req, res, { key, values: body, errors: { to: message } }, 409, participation.product);
    }
    flash(req, `De deelname van ${await ctx.orgName(participation.participant)} eindigt op ${dutchDateText(parsed.data.to)}.`);
    res.redirect(303, `/bijdragen/producten/${encodeURIComponent(participation.product)}`);
  });

  router.post('/bijdragen/producten/:id/begrotingen', async (req, res) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    const productId = String(req.params.id);
    const errors: Errors = {};
    const cents = parseEuro(body.amount);
    if (cents === null) errors.amount = 'Vul een bedrag in, bijvoorbeeld 80.000,00.';
    const parsed = budgetBody.safeParse({ year: body.year ?? '', budgetCents: cents ?? -1, reason: body.reason?.trim() || undefined });
    if (!parsed.success)
      Object.assign(
        errors,
        zodErrors(parsed.error, {
          year: 'Vul een jaar in, bijvoorbeeld 2026.',
          budgetCents: 'Vul een bedrag in, bijvoorbeeld 80.000,00.',
          reason: 'De reden mag hoogstens 500 tekens hebben.',
        }),
      );
    if (errors.budgetCents) {
      errors.amount ??= errors.budgetCents;
      delete errors.budgetCents;
    }
    if (Object.keys(errors).length) return productPage(req, res, { key: 'budget', values: body, errors }, 400);
    try {
      await uc.setBudget(actor, productId, parsed.data!);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'BadInput')
        return productPage(
          req,
          res,
          {
            key: 'budget',
            values: body,
            errors: { amount: 'Dit bedrag past niet bij de verdeelregels: de vaste bedragen zijn hoger dan de begroting.' },
          },
          400,
        );
      if (err instanceof DomainError && err.kind === 'Conflict' && err.details.state === 'settled')
        return productPage(
          req,
          res,
          { key: 'budget', values: body, errors: { year: `Het jaar ${parsed.data!.year} is al afgerekend.` } },
          409,
        );
      const message = refusal(err);
      if (!message) throw err;
      return productPage(req, res, { key: 'budget', values: body, errors: { _form: message } }, 409);
    }
    flash(req, `De begroting ${parsed.data!.year} is vastgelegd: ${formatEuro(parsed.data!.budgetCents)}.`);
    res.redirect(303, `/bijdragen/producten/${encodeURIComponent(productId)}`);
  });

  // ---- preview, advances, settlement and steps -----------------------------------------------

  const previewPage = async (req: Request, res: Response, form: Form = {}, status = 200) => {
    const actor = actorOf(req);
    const product = await centreProduct(actor, String(req.params.id));
    const year = yearFrom(form.values?.year ?? req.query.jaar);
    const basis = req.query.grondslag === 'werkelijk' ? 'actuals' : 'budget';
    let plan: Awaited<ReturnType<typeof uc.preview>> | null = null;
    let problem: string | null = null;
    try {
      plan = await uc.preview(actor, product._id, { year, basis });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const state = String(err.details.state ?? '');
      if (state === 'no_budget') problem = `Er is nog geen begroting voor ${year}. Leg eerst de begroting vast.`;
      else if (state === 'no_actuals') problem = `Er zijn nog geen werkelijke kosten voor ${year} vastgelegd.`;
      else if (state === 'settled') problem = `Het jaar ${year} is afgerekend; er volgen geen voorschotten meer.`;
      else if (state === 'earlier_instalment_open') problem = 'Een eerder voorschot is nog niet gefactureerd.';
      else if (err.kind === 'BadInput')
        problem = 'De verdeling kan niet worden berekend: controleer de verdeelregels, deelnemers en kengetallen.';
      else throw err;
    }
    const allocation = plan?.allocation as ContributionAllocation | undefined;
    const codes = allocation?.shares.map((s) => s.participant) ?? [];
    const orgNames = await names(codes);
    const shares = (allocation?.shares ?? []).map((s) => {
      const how: string[] = [];
      const prorated = s.days < allocation!.yearDays ? ` (${s.days} van ${allocation!.yearDays} dagen)` : '';
      if (s.fixedCents) how.push(`Vast bedrag ${formatEuro(s.fixedCents)}${prorated}`);
      if (s.baseCents) how.push(`Vaste voet ${formatEuro(s.baseCents)}${prorated}`);
      for (const p of s.parts) {
        const part = allocation!.parts.find((x) => x.name === p.name);
        how.push(
          `${p.by === 'hours' ? 'goedgekeurde minuten' : `${p.name} × dagen`}: ${num(p.weight)} van ${num(part?.weightSum ?? 0)} (${pct(p.weight, part?.weightSum ?? 0)}) van ${formatEuro(
            part?.cents ?? 0,
          )} = ${formatEuro(p.cents)}`,
        );
      }
      const line = (plan?.lines as StepLine[] | undefined)?.find((l) => l.participant === s.participant);
      return {
        participant: s.participant,
        name: orgNames[s.participant],
        days: s.days,
        totalCents: s.totalCents,
        percent: pct(s.totalCents, allocation!.totalCents),
        how,
        nextCents: line ? (line.kind === 'credit_note' ? -line.amountCents : line.amountCents) : null,
        invoicedBeforeCents: line?.invoicedBeforeCents ?? null,
      };
    });
    const chart = allocation
      ? barChart({
          id: 'aandelen',
          title: `Aandelen ${product.name} ${year}`,
          desc: `Bijdrage per deelnemer in euro, samen ${formatEuro(allocation.totalCents)}. De tabel eronder bevat dezelfde bedragen.`,
          format: formatEuro,
          bars: shares.map((s) => ({ label: s.name ?? s.participant, value: s.totalCents })),
        })
      : null;
    const steps = (await uc.steps(actor, product._id)).filter((s) => s.year === year);
    const stepRows = await Promise.all(
      steps.map(async (s) => {
        const lines = s.lines as StepLine[];
        const stepNames = await names(lines.map((l) => l.participant));
        return {
          label: s.kind === 'advance' ? `Voorschot ${s.instalment} van ${s.instalments} (${s.periodLabel})` : `Afrekening ${s.year}`,
          issueDate: s.issueDate,
          totalCents: (s.basis as { totalCents: number }).totalCents,
          lines: await Promise.all(
            lines.map(async (l) => {
              const invoice = l.invoiceId ? await ctx.invoices.get(actor, l.invoiceId).catch(() => null) : null;
              return {
                name: stepNames[l.participant],
                kind: l.kind === 'credit_note' ? 'Creditnota' : l.kind === 'invoice' ? 'Factuur' : 'Niets te factureren',
                amountCents: l.amountCents,
                invoiceId: invoice ? invoice._id : null,
                number: invoice?.number ?? null,
                pending: Boolean(l.invoiceId && !invoice),
              };
            }),
          ),
        };
      }),
    );
    const advanceCount = steps.filter((s) => s.kind === 'advance').length;
    const settled = steps.some((s) => s.kind === 'settlement');
    await ctx.page(
      req,
      res,
      'contribution-preview',
      {
        title: `Verdeling ${product.name} ${year}`,
        product: { id: product._id, name: product.name },
        year,
        years: yearOptions(year),
        basis,
        basisText: basis === 'actuals' ? 'werkelijke kosten (afrekening)' : 'begroting (voorschotten)',
        problem,
        totalCents: allocation?.totalCents ?? null,
        next:
          plan && 'kind' in plan
            ? { kind: plan.kind, instalment: plan.instalment, instalments: plan.instalments, period: plan.periodLabel }
            : null,
        shares,
        chart,
        steps: stepRows,
        canAdvance: !settled && advanceCount < (plan && 'instalments' in plan && plan.instalments ? plan.instalments : 99),
        canSettle: !settled,
        action: { errors: form.errors ?? {}, key: form.key },
        actualsValues: form.key === 'actuals' ? form.values : {},
        actualsErrors: form.key === 'actuals' ? form.errors : {},
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id/verdeling', (req, res) => previewPage(req, res));

  const stepRefusal = (err: unknown, year: number): string | null => {
    if (!(err instanceof DomainError)) return null;
    const state = String(err.details.state ?? '');
    if (state === 'year_not_ended') return `Het jaar ${year} is nog niet afgelopen. Afrekenen kan vanaf 01-01-${year + 1}.`;
    if (state === 'no_actuals') return `Leg eerst de werkelijke kosten van ${year} vast.`;
    if (state === 'no_budget') return `Er is nog geen begroting voor ${year}.`;
    if (state === 'settled') return `Het jaar ${year} is al afgerekend.`;
    if (state === 'earlier_instalment_open') return 'Een eerder voorschot is nog niet gefactureerd.';
    if (err.kind === 'BadInput' && err.details.field === 'instalment') return `Alle voorschotten van ${year} zijn al gefactureerd.`;
    return refusal(err);
  };

  const step = (kind: 'advance' | 'settlement') => async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    const productId = String(req.params.id);
    const year = yearFrom(body.year);
    let started: Awaited<ReturnType<typeof uc.startStep>>;
    try {
      started = await uc.startStep(actor, productId, { kind, year });
    } catch (err) {
      const message = stepRefusal(err, year);
      if (!message) throw err;
      return previewPage(
        req,
        res,
        { key: kind, values: { year: String(year) }, errors: { [kind]: message } },
        err instanceof DomainError && err.kind === 'BadInput' ? 400 : 409,
      );
    }
    flash(
      req,
      kind === 'advance'
        ? `Voorschot ${started.instalment} van ${year} wordt gefactureerd${started.alreadyStarted ? ' (was al gestart)' : ''}.`
        : `De afrekening van ${year} wordt gemaakt${started.alreadyStarted ? ' (was al gestart)' : ''}.`,
    );
    res.redirect(303, `/bijdragen/producten/${encodeURIComponent(productId)}/verdeling?jaar=${year}`);
  };
  router.post('/bijdragen/producten/:id/voorschotten', step('advance'));
  router.post('/bijdragen/producten/:id/afrekeningen', step('settlement'));

  router.post('/bijdragen/producten/:id/werkelijke-kosten', async (req, res) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    const productId = String(req.params.id);
    const year = yearFrom(body.year);
    const cents = parseEuro(body.actual);
    if (cents === null)
      return previewPage(req, res, { key: 'actuals', values: body, errors: { actual: 'Vul een bedrag in, bijvoorbeeld 78.500,00.' } }, 400);
    try {
      await uc.recordActuals(actor, productId, { year, actualCents: cents });
    } catch (err) {
      const message = stepRefusal(err, year);
      if (!message) throw err;
      return previewPage(req, res, { key: 'actuals', values: body, errors: { actual: message } }, 409);
    }
    flash(req, `De werkelijke kosten ${year} zijn vastgelegd: ${formatEuro(cents)}.`);
    res.redirect(303, `/bijdragen/producten/${encodeURIComponent(productId)}/verdeling?jaar=${year}&grondslag=werkelijk`);
  });

  // ---- key figures --------------------------------------------------------------------------

  const keyFiguresPage = async (
    req: Request,
    res: Response,
    form: Form & { rowErrors?: { row: number; message: string }[] } = {},
    status = 200,
  ) => {
    const actor = actorOf(req);
    const versions = await uc.listKeyFigures(actor);
    const codes = versions.flatMap((v) => Object.keys(v.figures as Record<string, number>));
    const orgNames = await names(codes);
    await ctx.page(
      req,
      res,
      'key-figures',
      {
        title: 'Kengetallen',
        isAdmin: actor.roles.includes('admin'),
        versions: versions
          .slice()
          .reverse()
          .map((v) => ({
            id: v._id,
            name: v.name,
            version: v.version,
            referenceDate: v.referenceDate,
            source: v.source,
            createdAt: v.createdAt,
            figures: Object.entries(v.figures as Record<string, number>).map(([code, value]) => ({
              name: orgNames[code],
              value: num(value),
            })),
          })),
        values: form.values ?? {},
        errors: form.errors ?? {},
        rowErrors: form.rowErrors ?? [],
      },
      status,
    );
  };
  router.get('/bijdragen/kengetallen', (req, res) => keyFiguresPage(req, res));
  router.post('/bijdragen/kengetallen/import', async (req, res) => {
    const actor = actorOf(req);
    const body = req.body as Body;
    // The file wins over the text area when both are given.
    const csv = body.file?.trim() ? body.file : (body.csv ?? '');
    const values = { name: body.name, referenceDate: body.referenceDate, column: body.column, csv: body.file?.trim() ? '' : body.csv };
    const parsed = keyFigureImportBody.safeParse({
      name: body.name ?? '',
      referenceDate: parseDate(body.referenceDate) ?? '',
      csv,
      column: body.column?.trim() || undefined,
    });
    if (!parsed.success)
      return keyFiguresPage(
        req,
        res,
        {
          values,
          errors: zodErrors(parsed.error, {
            name: 'Geef het kengetal een naam, bijvoorbeeld inwoners (letters, cijfers, spaties, - en _).',
            referenceDate: 'Vul een geldige peildatum in (dd-mm-jjjj).',
            csv: 'Kies een CSV-bestand of plak de inhoud in het tekstvak.',
            column: 'De kolomnaam is te lang.',
          }),
        },
        400,
      );
    try {
      const result = await uc.importKeyFigures(actor, parsed.data);
      flash(
        req,
        `Versie ${result.version!.version} van "${result.version!.name}" is ingelezen.${
          result.skipped.length
            ? ` Overgeslagen (geen deelnemer): ${result.skipped.map((s) => `regel ${s.row} (${s.region})`).join(', ')}.`
            : ''
        }`,
      );
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'BadInput' && Array.isArray(err.details.errors)) {
        const rowErrors = (err.details.errors as { row: number; message: string }[]).map((e) => ({
          row: e.row,
          message: dutchCsvError(e.message),
        }));
        return keyFiguresPage(
          req,
          res,
          {
            values,
            errors: {
              csv: `Het bestand heeft ${rowErrors.length} ${rowErrors.length === 1 ? 'foute regel' : 'foute regels'}; er is niets ingelezen.`,
            },
            rowErrors,
          },
          400,
        );
      }
      const message = refusal(err);
      if (!message) throw err;
      return keyFiguresPage(
        req,
        res,
        { values, errors: { _form: message } },
        err instanceof DomainError && err.kind === 'Forbidden' ? 403 : 400,
      );
    }
    res.redirect(303, '/bijdragen/kengetallen');
  });

  // ---- report --------------------------------------------------------------------------------

  router.get('/bijdragen/rapportage', async (req, res) => {
    const actor = actorOf(req);
    const year = yearFrom(req.query.jaar);
    const report = await uc.report(actor, year);
    const orgNames = await names(report.rows.map((r) => r.participant!));
    const products = Object.fromEntries((await uc.listProducts(actor)).map((p) => [p._id, p.name]));
    await ctx.page(req, res, 'contribution-report', {
      title: `Rapportage bijdragen ${year}`,
      year,
      years: yearOptions(year),
      rows: report.rows.map((r) => ({ ...r, name: orgNames[r.participant!], productName: products[r.product] ?? r.product })),
      totals: report.products.map((r) => ({ ...r, productName: products[r.product] ?? r.product })),
    });
  });
  router.get('/bijdragen/rapportage.csv', async (req, res) => {
    const year = yearFrom(req.query.jaar);
    const report = await uc.report(actorOf(req), year);
    res.type('text/csv').attachment(`bijdragen-${year}.csv`).send(reportCsv(report));
  });
}
