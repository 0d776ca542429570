// Centre admin forms of the contributions: add a product with its allocation rules, change a
// product's rules, record a merger of municipalities. They call the same features as
// POST /api/contributions/products, PUT /api/contributions/products/:id/rules and
// POST /api/contributions/mergers; the pages only turn form text into those inputs.
import type { Request, Response, Router } from 'express';
import type { ContributionRules } from '../../domain/contributions';
import { VAT_CATEGORIES } from '../../domain/money';
import { dateNl, VAT_CATEGORY_NL } from '../../i18n/nl';
import { dateIn, euroIn, euroPlain, intIn, textIn } from '../format';
import { list, str, submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

const lines = (v: unknown) =>
  str(v)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The rules as the form shows them: fixed shares and rest parts one per line. */
export function rulesToForm(rules: ContributionRules): Record<string, string> {
  return {
    fixed: Object.entries(rules.fixed ?? {})
      .map(([code, cents]) => `${code} ${euroPlain(cents)}`)
      .join('\n'),
    base: rules.basePerParticipant ? euroPlain(rules.basePerParticipant) : '',
    rest: rules.rest.map((p) => `${p.by === 'hours' ? 'uren' : p.name} ${p.weight ?? 1}`).join('\n'),
  };
}

/**
 * Reads the rule fields (one fixed share or rest part per line) into the rules the feature
 * checks. Only the text layout is read here; a line that cannot be read keeps its text, so the
 * feature refuses it. A code written twice is a layout error of the text itself.
 */
export function readRules(body: Body): { rules: unknown; errors: Errors } {
  const errors: Errors = {};
  const fixed: Record<string, unknown> = {};
  for (const line of lines(body.fixed)) {
    const m = /^(\S+)\s+(.+)$/.exec(line);
    const code = (m?.[1] ?? line).toUpperCase();
    if (code in fixed) errors.fixed ??= `${code} staat er twee keer in.`;
    fixed[code] = m ? euroIn(m[2]) : line;
  }
  const rest = lines(body.rest).map((line) => {
    const m = /^(.+?)(?:\s+(\d+))?$/.exec(line)!;
    const name = m[1]!.trim();
    const weight = m[2] ? Number(m[2]) : 1;
    return name.toLowerCase() === 'uren' ? { by: 'hours', weight } : { by: 'keyFigure', name, weight };
  });
  return {
    rules: {
      ...(Object.keys(fixed).length ? { fixed } : {}),
      ...(str(body.base) ? { basePerParticipant: euroIn(body.base) } : {}),
      rest,
    },
    errors,
  };
}

/** The features' rule fields (`rules.fixed.DOR`, `fixed`, …) as the rule forms call them. */
const ruleField =
  (prefix: string, extra: Record<string, string> = {}) =>
  (field: string): string | undefined => {
    if (extra[field]) return extra[field];
    const f = field.startsWith(prefix) ? field.slice(prefix.length) : field;
    return f.startsWith('fixed')
      ? 'fixed'
      : f.startsWith('basePerParticipant')
        ? 'base'
        : f.startsWith('rest') || f === ''
          ? 'rest'
          : undefined;
  };

const FREQUENCIES = [
  { value: 'yearly', label: 'jaarlijks' },
  { value: 'quarterly', label: 'per kwartaal' },
  { value: 'monthly', label: 'per maand' },
];

export function contributionAdminPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.contributions;

  /** The choices of a product's detail fields (partial product-details-fields), as in `values`. */
  const detailChoices = async (provider: string, values: Body) => {
    const frequency = str(values.advanceFrequency) || 'quarterly';
    const vat = str(values.vatCategory) || 'O';
    const chosen = list(values.serviceIds);
    // The centre's own services: their approved hours can count as the product's actual costs.
    const services = (await ctx.app.catalogue.listServices()).filter((x) => x.provider === provider);
    return {
      frequencies: FREQUENCIES.map((f) => ({ ...f, selected: f.value === frequency })),
      vats: VAT_CATEGORIES.map((v) => ({ value: v, label: VAT_CATEGORY_NL[v], selected: v === vat })),
      services: services.map((x) => ({ value: x._id, label: `${x.name} (${x._id})`, checked: chosen.includes(x._id) })),
    };
  };
  /** The detail fields as the feature takes them. */
  const readDetails = (body: Body) => ({
    name: textIn(body.name),
    serviceLevel: str(body.serviceLevel) || null,
    serviceIds: list(body.serviceIds),
    advanceFrequency: textIn(body.advanceFrequency),
    vatCategory: textIn(body.vatCategory),
    paymentTermDays: intIn(body.paymentTermDays),
  });
  const detailFields = { serviceIds: 'serviceIds', vatCategory: 'vatCategory', advanceFrequency: 'advanceFrequency' };

  // ---- a new product -----------------------------------------------------------------------
  const newProductForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    const actor = actorOf(req);
    await uc.assertCentreAction(actor, 'createProduct');
    await ctx.page(
      req,
      res,
      'contribution-product-new',
      { title: 'Product toevoegen', values: { paymentTermDays: '30', ...values }, ...(await detailChoices(actor.org, values)), errors },
      status,
    );
  };
  router.get('/bijdragen/producten/nieuw', (req, res) => newProductForm(req, res));
  router.post('/bijdragen/producten/nieuw', async (req, res) => {
    const body = req.body as Body;
    const { rules, errors } = readRules(body);
    if (Object.keys(errors).length) return newProductForm(req, res, body, errors, 400);
    const id = str(body.code).toUpperCase();
    await submitForm(req, res, {
      run: () => uc.createProduct(actorOf(req), { _id: id, ...readDetails(body), rules }),
      name: await ctx.namer(),
      fields: ruleField('rules.', { _id: 'code', rules: 'rest', ...detailFields }),
      again: (e, status) => newProductForm(req, res, body, e, status),
      done: () => ({
        flash: `Het product ${str(body.name)} is toegevoegd. Voeg nu deelnemers en een begroting toe.`,
        to: `/bijdragen/producten/${encodeURIComponent(id)}`,
      }),
    });
  });

  // ---- the details of a product --------------------------------------------------------------
  const detailsForm = async (req: Request, res: Response, values?: Body, errors: Errors = {}, status = 200) => {
    const product = await uc.productDetails(actorOf(req), String(req.params.id));
    const shown: Body = values ?? {
      name: product.name,
      serviceLevel: product.serviceLevel ?? '',
      serviceIds: product.serviceIds ?? [],
      advanceFrequency: product.advanceFrequency ?? 'quarterly',
      vatCategory: product.vatCategory ?? 'O',
      paymentTermDays: String(product.paymentTermDays ?? 30),
    };
    await ctx.page(
      req,
      res,
      'contribution-product-details',
      {
        title: `Gegevens van ${product.name}`,
        product: { id: product._id, name: product.name },
        values: shown,
        ...(await detailChoices(product.provider, shown)),
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id/gegevens', (req, res) => detailsForm(req, res));
  router.post('/bijdragen/producten/:id/gegevens', async (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.updateProduct(actorOf(req), id, readDetails(body)),
      name: await ctx.namer(),
      fields: detailFields,
      again: (e, status) => detailsForm(req, res, body, e, status),
      done: () => ({ flash: 'De gegevens van het product zijn opgeslagen.', to: `/bijdragen/producten/${encodeURIComponent(id)}` }),
    });
  });

  // ---- the rules of a product ----------------------------------------------------------------
  const rulesForm = async (req: Request, res: Response, values?: Body, errors: Errors = {}, status = 200) => {
    const product = await uc.productRules(actorOf(req), String(req.params.id));
    await ctx.page(
      req,
      res,
      'contribution-rules',
      {
        title: `Verdeelregels van ${product.name}`,
        product: { id: product.id, name: product.name },
        values: values ?? rulesToForm(product.rules),
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/producten/:id/verdeelregels', (req, res) => rulesForm(req, res));
  router.post('/bijdragen/producten/:id/verdeelregels', async (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Body;
    const { rules, errors } = readRules(body);
    if (Object.keys(errors).length) return rulesForm(req, res, body, errors, 400);
    await submitForm(req, res, {
      run: () => uc.updateRules(actorOf(req), id, rules),
      name: await ctx.namer(),
      fields: ruleField('rules.'),
      again: (e, status) => rulesForm(req, res, body, e, status),
      done: () => ({
        flash: 'De verdeelregels zijn gewijzigd. Stappen die al gefactureerd zijn houden hun regels.',
        to: `/bijdragen/producten/${encodeURIComponent(id)}`,
      }),
    });
  });

  // ---- a merger ------------------------------------------------------------------------------
  const picked = (v: unknown) => (Array.isArray(v) ? v : v ? [v] : []).map((m) => String(m).trim()).filter(Boolean);
  const mergerForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    await uc.assertCentreAction(actorOf(req), 'recordMerger');
    const municipalities = await uc.municipalities();
    const merged = new Set(picked(values.merged));
    await ctx.page(
      req,
      res,
      'contribution-merger',
      {
        title: 'Fusie vastleggen',
        into: municipalities.map((m) => ({ ...m, selected: m.code === values.into })),
        merged: municipalities.map((m) => ({ ...m, checked: merged.has(m.code) })),
        values: { date: values.date ?? '' },
        errors,
      },
      status,
    );
  };
  router.get('/bijdragen/fusies', (req, res) => mergerForm(req, res));
  router.post('/bijdragen/fusies', async (req, res) => {
    const body = req.body as Body;
    const date = dateIn(body.date);
    await submitForm(req, res, {
      run: () => uc.merge(actorOf(req), { into: textIn(body.into), merged: picked(body.merged), date }),
      name: await ctx.namer(),
      again: (e, status) => mergerForm(req, res, body, e, status),
      done: (r) => ({
        flash: `De fusie is vastgelegd per ${dateNl(date)}: ${r.ended.length} deelname(s) beëindigd, ${r.created.length} nieuwe deelname(s).`,
        to: '/bijdragen',
      }),
    });
  });
}
