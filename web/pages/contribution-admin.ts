// Centre admin forms of the contributions: add a product with its allocation rules, change a
// product's rules, record a merger of municipalities. They call the same use cases as
// POST /api/contributions/products, PUT /api/contributions/products/:id/rules and
// POST /api/contributions/mergers; the pages only turn form text into those inputs, in Dutch.
import type { Request, Response, Router } from 'express';
import type { ContributionRules } from '../../domain/contributions';
import { DomainError } from '../../domain/errors';
import { formatEuro } from '../../domain/money';
import { dutchDateText, parseDate, parseEuro } from '../format';
import { actorOf, requireRoleWeb, type WebContext } from '../router';
import { flash } from '../session';

type Body = Record<string, string | string[] | undefined>;
type Errors = Record<string, string>;

const CODE = /^[A-Z0-9-]{2,40}$/;
const str = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '')).trim();
const lines = (v: unknown) =>
  str(v)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The rules as the form shows them: fixed shares and rest parts one per line. */
export function rulesToForm(rules: ContributionRules): Record<string, string> {
  return {
    fixed: Object.entries(rules.fixed ?? {})
      .map(([code, cents]) => `${code} ${formatEuro(cents).replace(/^€\s?/, '')}`)
      .join('\n'),
    base: rules.basePerParticipant ? formatEuro(rules.basePerParticipant).replace(/^€\s?/, '') : '',
    rest: rules.rest.map((p) => `${p.by === 'hours' ? 'uren' : p.name} ${p.weight ?? 1}`).join('\n'),
  };
}

/** Parses the rule fields; Dutch errors per field. */
async function parseRules(ctx: WebContext, body: Body, errors: Errors): Promise<ContributionRules> {
  const municipalities = new Set(
    (await ctx.models.Organisation.find({ kind: 'municipality' }).select({ _id: 1 }).lean()).map((o) => o._id),
  );
  const fixed: Record<string, number> = {};
  lines(body.fixed).forEach((line, i) => {
    const m = /^([A-Za-z0-9-]+)\s+(.+)$/.exec(line);
    const code = m?.[1]?.toUpperCase() ?? '';
    const cents = m ? parseEuro(m[2]) : null;
    if (errors.fixed) return;
    if (!m || cents === null || cents < 0)
      errors.fixed = `Regel ${i + 1}: schrijf een gemeentecode en een bedrag, bijvoorbeeld DOR 40.000,00.`;
    else if (!CODE.test(code) || !municipalities.has(code)) errors.fixed = `Regel ${i + 1}: ${code} is geen bekende gemeente.`;
    else if (code in fixed) errors.fixed = `Regel ${i + 1}: ${code} staat er twee keer in.`;
    else fixed[code] = cents;
  });
  let base: number | undefined;
  if (str(body.base)) {
    const cents = parseEuro(str(body.base));
    if (cents === null || cents < 0) errors.base = 'Vul een bedrag in, bijvoorbeeld 1.000,00, of laat het veld leeg.';
    else base = cents;
  }
  const rest: ContributionRules['rest'] = [];
  const seen = new Set<string>();
  lines(body.rest).forEach((line, i) => {
    const m = /^([a-z0-9][a-z0-9 _-]{0,59}?)(?:\s+(\d+))?$/i.exec(line);
    if (errors.rest) return;
    if (!m) return (errors.rest = `Regel ${i + 1}: schrijf een kengetal of "uren", met eventueel een gewicht, bijvoorbeeld inwoners 1.`);
    const name = m[1]!.trim();
    const weight = m[2] ? Number(m[2]) : 1;
    if (weight < 1) return (errors.rest = `Regel ${i + 1}: het gewicht moet 1 of meer zijn.`);
    const key = name.toLowerCase() === 'uren' ? 'uren' : name;
    if (seen.has(key)) return (errors.rest = `Regel ${i + 1}: ${name} staat er twee keer in.`);
    seen.add(key);
    rest.push(key === 'uren' ? { by: 'hours', weight } : { by: 'keyFigure', name, weight });
  });
  return { ...(Object.keys(fixed).length ? { fixed } : {}), ...(base !== undefined ? { basePerParticipant: base } : {}), rest };
}

const FREQUENCIES = [
  { value: 'yearly', label: 'jaarlijks' },
  { value: 'quarterly', label: 'per kwartaal' },
  { value: 'monthly', label: 'per maand' },
];

export function contributionAdminPages(router: Router, ctx: WebContext): void {
  const uc = ctx.contributions;

  // ---- a new product -----------------------------------------------------------------------
  const newProductForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    requireRoleWeb(actorOf(req), 'admin');
    const frequency = str(values.advanceFrequency) || 'quarterly';
    await ctx.page(
      req,
      res,
      'contribution-product-new',
      {
        title: 'Product toevoegen',
        values: { paymentTermDays: '30', ...values },
        frequencies: FREQUENCIES.map((f) => ({ ...f, selected: f.value === frequency })),
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/producten/nieuw', (req, res) => newProductForm(req, res));
  router.post('/bijdragen/producten/nieuw', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'admin');
    const body = req.body as Body;
    const errors: Errors = {};
    const id = str(body.code).toUpperCase();
    if (!CODE.test(id))
      errors.code = 'Vul een code in van hoofdletters, cijfers en streepjes (2 tot 40 tekens), bijvoorbeeld DBC-LP-BASIS.';
    const name = str(body.name);
    if (!name) errors.name = 'Geef het product een naam.';
    else if (name.length > 200) errors.name = 'Gebruik hoogstens 200 tekens.';
    const serviceLevel = str(body.serviceLevel);
    if (serviceLevel.length > 100) errors.serviceLevel = 'Gebruik hoogstens 100 tekens.';
    const frequency = str(body.advanceFrequency);
    if (!FREQUENCIES.some((f) => f.value === frequency)) errors.advanceFrequency = 'Kies hoe vaak er een voorschot komt.';
    const term = Number(str(body.paymentTermDays));
    if (!/^\d{1,3}$/.test(str(body.paymentTermDays)) || term > 365)
      errors.paymentTermDays = 'Vul een betaaltermijn in dagen in, van 0 tot 365.';
    const rules = await parseRules(ctx, body, errors);
    if (Object.keys(errors).length) return newProductForm(req, res, body, errors, 400);
    try {
      await uc.createProduct(actor, {
        _id: id,
        name,
        serviceLevel: serviceLevel || null,
        serviceIds: [],
        rules,
        advanceFrequency: frequency as 'yearly' | 'quarterly' | 'monthly',
        vatCategory: 'O',
        paymentTermDays: term,
      });
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'Conflict')
        return newProductForm(req, res, body, { code: `Er bestaat al een product met code ${id}.` }, 409);
      if (err instanceof DomainError && err.kind === 'BadInput')
        return newProductForm(req, res, body, { _form: 'Deze verdeelregels zijn niet toegestaan. Controleer de regels.' }, 400);
      throw err;
    }
    flash(req, `Het product ${name} is toegevoegd. Voeg nu deelnemers en een begroting toe.`);
    res.redirect(303, `/bijdragen/producten/${id}`);
  });

  // ---- the rules of a product ----------------------------------------------------------------
  const rulesForm = async (req: Request, res: Response, values?: Body, errors: Errors = {}, status = 200) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'admin');
    const product = (await uc.listProducts(actor)).find((p) => p._id === String(req.params.id) && p.provider === actor.org);
    if (!product) throw new DomainError('NotFound', 'product');
    await ctx.page(
      req,
      res,
      'contribution-rules',
      {
        title: `Verdeelregels van ${product.name}`,
        product: { id: product._id, name: product.name },
        values: values ?? rulesToForm(product.rules as ContributionRules),
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id/verdeelregels', (req, res) => rulesForm(req, res));
  router.post('/bijdragen/producten/:id/verdeelregels', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'admin');
    const id = String(req.params.id);
    const body = req.body as Body;
    const errors: Errors = {};
    const rules = await parseRules(ctx, body, errors);
    if (!errors.fixed) {
      // Fixed shares may not exceed a year's budget: the allocation of that year would fail.
      const fixedSum = Object.values(rules.fixed ?? {}).reduce((s, c) => s + c, 0);
      const latest = new Map<number, number>();
      for (const b of await uc.budgets(actor, id)) latest.set(b.year, b.budgetCents);
      const over = [...latest].sort(([a], [b]) => a - b).find(([, cents]) => fixedSum > cents);
      if (over)
        errors.fixed = `De vaste bedragen (samen ${formatEuro(fixedSum)}) zijn hoger dan de begroting van ${over[0]} (${formatEuro(over[1])}).`;
    }
    if (Object.keys(errors).length) return rulesForm(req, res, body, errors, 400);
    try {
      await uc.updateRules(actor, id, rules);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'BadInput')
        return rulesForm(req, res, body, { _form: 'Deze verdeelregels zijn niet toegestaan. Controleer de regels.' }, 400);
      throw err;
    }
    flash(req, 'De verdeelregels zijn gewijzigd. Stappen die al gefactureerd zijn houden hun regels.');
    res.redirect(303, `/bijdragen/producten/${id}`);
  });

  // ---- a merger ------------------------------------------------------------------------------
  const mergerForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    requireRoleWeb(actorOf(req), 'admin');
    const municipalities = await ctx.models.Organisation.find({ kind: 'municipality' }).sort({ name: 1 }).lean();
    const merged = new Set(Array.isArray(values.merged) ? values.merged : values.merged ? [values.merged] : []);
    await ctx.page(
      req,
      res,
      'contribution-merger',
      {
        title: 'Fusie vastleggen',
        into: municipalities.map((m) => ({ code: m._id, name: m.name, selected: m._id === values.into })),
        merged: municipalities.map((m) => ({ code: m._id, name: m.name, checked: merged.has(m._id) })),
        values: { date: values.date ?? '' },
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/fusies', (req, res) => mergerForm(req, res));
  router.post('/bijdragen/fusies', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'admin');
    const body = req.body as Body;
    const errors: Errors = {};
    const into = str(body.into);
    if (!CODE.test(into)) errors.into = 'Kies de gemeente na de fusie.';
    const merged = (Array.isArray(body.merged) ? body.merged : body.merged ? [body.merged] : []).map((m) => m.trim()).filter(Boolean);
    if (!merged.length) errors.merged = 'Kies minstens één gemeente die opgaat in de nieuwe gemeente.';
    else if (merged.includes(into)) errors.merged = 'Een gemeente kan niet in zichzelf opgaan.';
    const date = parseDate(body.date);
    if (!date) errors.date = 'Vul een geldige fusiedatum in (dd-mm-jjjj).';
    if (Object.keys(errors).length) return mergerForm(req, res, body, errors, 400);
    let result: Awaited<ReturnType<typeof uc.merge>>;
    try {
      result = await uc.merge(actor, { into, merged, date: date! });
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'BadInput') throw err;
      const field = err.details?.field;
      const message =
        field === 'date'
          ? 'Een van de gemeenten heeft een deelname die op of na de fusiedatum begint.'
          : 'Deze fusie kan niet: controleer de gekozen gemeenten.';
      return mergerForm(req, res, body, { [field === 'date' ? 'date' : 'merged']: message }, 400);
    }
    flash(
      req,
      `De fusie is vastgelegd per ${dutchDateText(date)}: ${result.ended.length} deelname(s) beëindigd, ${result.created.length} nieuwe deelname(s).`,
    );
    res.redirect(303, '/bijdragen');
  });
}
