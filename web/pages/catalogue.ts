// The region's catalogue and agreements for its administrator: services with their process
// options and SLAs, rate versions, agreements (DVOs) with their terms, and each agreement's
// use per month. The catalogue feature checks and refuses (a rate already invoiced, agreements
// that overlap, an organisation that sells to itself, wrong dates); these pages translate.
import type { Request, Response, Router } from 'express';
import { ROUNDING_RULES, VAT_CATEGORIES } from '../../domain/money';
import { hoursNl, ROUNDING_RULE_NL, VAT_CATEGORY_NL } from '../../i18n/nl';
import { barChart } from '../charts';
import { dateIn, euroIn, euroPlain, intIn, textIn } from '../format';
import { errorsOf, formRefusal, list, submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

const bool = (v: unknown) => v === 'ja';
const optionalInt = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : intIn(v));
const optionalEuro = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : euroIn(v));

/** The process options of a service as the form sends them. */
const processIn = (b: Body) => ({
  name: textIn(b.name),
  policyArea: textIn(b.policyArea),
  quoteRequired: bool(b.quoteRequired),
  reviewRequired: bool(b.reviewRequired),
  intakeSlaDays: intIn(b.intakeSlaDays),
  deliverySlaDays: intIn(b.deliverySlaDays),
  silentAcceptanceDays: optionalInt(b.silentAcceptanceDays),
  retentionDays: intIn(b.retentionDays),
});
const agreementIn = (b: Body) => ({
  buyer: textIn(b.buyer),
  provider: textIn(b.provider),
  serviceIds: list(b.serviceIds),
  validFrom: dateIn(b.validFrom),
  validTo: dateIn(b.validTo),
  rateCentsPerHour: optionalEuro(b.rate),
  hourBudget: optionalInt(b.hourBudget),
  roundingRule: textIn(b.roundingRule),
  vatCategory: textIn(b.vatCategory),
  paymentTermDays: intIn(b.paymentTermDays),
  orderReference: textIn(b.orderReference),
  invoiceFrequency: textIn(b.invoiceFrequency),
  hourBilling: bool(b.hourBilling),
});
const FIELDS = { rateCentsPerHour: 'rate' };

const FINANCING_NL: Record<string, string> = {
  hours: 'Op uren: het centrum factureert de uren van de deelnemers',
  contribution: 'Op bijdrage: alleen bijdragen; de urenfacturatie laat deze uren liggen',
  both: 'Beide: uren én bijdragen',
};

export function cataloguePages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.catalogue;

  // ---- service transfers (the growth model) ------------------------------------------------
  const transferForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    const { services } = await uc.adminOverview(actorOf(req));
    const actor = actorOf(req);
    const name = await ctx.namer();
    const done = await uc.listTransfers();
    await ctx.page(
      req,
      res,
      'transfer',
      {
        title: 'Dienst overdragen aan het beleidscentrum',
        centreName: name(actor.org),
        services: services
          .filter((s) => s.provider !== actor.org)
          .map((s) => ({ value: s._id, label: `${s.name} — ${name(s.provider)}`, selected: s._id === values.dienst })),
        financings: Object.entries(FINANCING_NL).map(([value, label]) => ({
          value,
          label,
          checked: value === (values.financiering ?? 'hours'),
        })),
        values,
        errors,
        done: done.map((t) => ({ ...t, fromName: name(t.from), toName: name(t.to) })),
      },
      status,
    );
  };
  const transferInput = (b: Record<string, unknown>, actor: { org: string }) => ({
    serviceId: textIn(b.dienst),
    to: actor.org,
    effectiveDate: dateIn(b.datum),
    financing: textIn(b.financiering),
  });
  const TRANSFER_FIELDS = { serviceId: 'dienst', effectiveDate: 'datum', financing: 'financiering' };
  router.get('/beheer/overdracht', (req, res) => transferForm(req, res));
  router.get('/beheer/overdracht/voorbeeld', async (req, res) => {
    const q = req.query as Body;
    const actor = actorOf(req);
    // Nothing chosen yet (the form sent as it came): the form again, asking for the service.
    if (!textIn(q.dienst)) return transferForm(req, res, q, { dienst: 'Kies de dienst die overgaat.' });
    let preview: Awaited<ReturnType<typeof uc.transferPreview>>;
    try {
      preview = await uc.transferPreview(actor, transferInput(q, actor));
    } catch (err) {
      const refusal = formRefusal(err);
      if (!refusal) throw err;
      return transferForm(req, res, q, errorsOf(refusal, await ctx.namer(), TRANSFER_FIELDS), refusal.status);
    }
    const name = await ctx.namer();
    await ctx.page(req, res, 'transfer-preview', {
      title: `Overdracht van ${preview.serviceName}`,
      p: {
        ...preview,
        fromName: name(preview.from),
        toName: name(preview.to),
        financingText: FINANCING_NL[preview.financing],
        agreements: preview.agreements.map((a) => ({ ...a, buyerName: name(a.buyer) })),
        openRequests: preview.openRequests.map((r) => ({ ...r, buyerName: name(r.buyer) })),
      },
    });
  });
  router.post('/beheer/overdracht', async (req, res) => {
    const b = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.transfer(actorOf(req), transferInput(b, actorOf(req))),
      name: await ctx.namer(),
      fields: TRANSFER_FIELDS,
      again: (errors, status) => transferForm(req, res, b, errors, status),
      done: (t) => ({ flash: 'De dienst is overgedragen.', to: `/beheer/overdracht/${encodeURIComponent(t!.serviceId)}` }),
    });
  });
  router.get('/beheer/overdracht/:serviceId', async (req, res) => {
    const r = await uc.transferResult(actorOf(req), String(req.params.serviceId));
    const name = await ctx.namer();
    await ctx.page(req, res, 'transfer-result', {
      title: 'Overdracht vastgelegd',
      t: {
        ...r.transfer,
        fromName: name(r.transfer.from),
        toName: name(r.transfer.to),
        financingText: FINANCING_NL[r.transfer.financing ?? 'hours'],
      },
      audit: r.audit,
    });
  });

  const overview = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    const { services, agreements, organisations: orgs } = await uc.adminOverview(actorOf(req));
    const name = await ctx.namer();
    await ctx.page(
      req,
      res,
      'catalogue',
      {
        title: 'Catalogus en DVO’s',
        services: services.map((s) => ({ ...s, providerName: name(s.provider) })),
        agreements: agreements.map((a) => ({ ...a, buyerName: name(a.buyer), providerName: name(a.provider) })),
        providers: orgs.map((o) => ({ value: o._id, label: o.name, selected: o._id === values.provider })),
        values: {
          intakeSlaDays: '5',
          deliverySlaDays: '20',
          silentAcceptanceDays: '10',
          retentionDays: '2555',
          reviewRequired: 'ja',
          ...values,
        },
        errors,
      },
      status,
    );
  };
  router.get('/beheer/catalogus', (req, res) => overview(req, res));
  router.post('/beheer/catalogus/diensten', async (req, res) => {
    const b = req.body as Body;
    await submitForm(req, res, {
      run: () =>
        uc.createService(actorOf(req), { _id: textIn(b._id)?.trim().toUpperCase(), provider: textIn(b.provider), ...processIn(b) }),
      name: await ctx.namer(),
      again: (errors, status) => overview(req, res, b, errors, status),
      done: (s) => ({
        flash: `Dienst ${s!.name} is toegevoegd. Voeg nu een tarief toe.`,
        to: `/beheer/catalogus/diensten/${encodeURIComponent(s!._id)}`,
      }),
    });
  });

  const servicePage = async (req: Request, res: Response, form: { key?: string; values?: Body; errors?: Errors } = {}, status = 200) => {
    const d = await uc.serviceDetail(actorOf(req), String(req.params.id));
    const name = await ctx.namer();
    const s = d.service;
    const own = form.key === 'service' ? form.values : undefined;
    await ctx.page(
      req,
      res,
      'catalogue-service',
      {
        title: s.name,
        s: { ...s, providerName: name(s.provider) },
        values: own ?? {
          name: s.name,
          policyArea: s.policyArea,
          quoteRequired: s.quoteRequired ? 'ja' : '',
          reviewRequired: s.reviewRequired !== false ? 'ja' : '',
          intakeSlaDays: String(s.intakeSlaDays ?? ''),
          deliverySlaDays: String(s.deliverySlaDays ?? ''),
          silentAcceptanceDays: s.silentAcceptanceDays == null ? '' : String(s.silentAcceptanceDays),
          retentionDays: String(s.retentionDays ?? ''),
        },
        errors: form.key === 'service' ? (form.errors ?? {}) : {},
        rates: [...s.rates].sort((a, b) => b.validFrom.localeCompare(a.validFrom)),
        rate: { values: form.key === 'rate' ? (form.values ?? {}) : {}, errors: form.key === 'rate' ? (form.errors ?? {}) : {} },
        agreements: d.agreements.map((a) => ({ ...a, buyerName: name(a.buyer) })),
      },
      status,
    );
  };
  router.get('/beheer/catalogus/diensten/:id', (req, res) => servicePage(req, res));
  router.post('/beheer/catalogus/diensten/:id', async (req, res) => {
    const b = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.updateService(actorOf(req), String(req.params.id), processIn(b)),
      name: await ctx.namer(),
      again: (errors, status) => servicePage(req, res, { key: 'service', values: b, errors }, status),
      done: (s) => ({ flash: `Dienst ${s!.name} is bijgewerkt.`, to: `/beheer/catalogus/diensten/${encodeURIComponent(s!._id)}` }),
    });
  });
  router.post('/beheer/catalogus/diensten/:id/tarieven', async (req, res) => {
    const b = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.setRate(actorOf(req), String(req.params.id), { validFrom: dateIn(b.validFrom), rateCentsPerHour: euroIn(b.rate) }),
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => servicePage(req, res, { key: 'rate', values: b, errors }, status),
      done: (s) => ({ flash: 'Het tarief is vastgelegd.', to: `/beheer/catalogus/diensten/${encodeURIComponent(s!._id)}` }),
    });
  });

  const agreementForm = async (req: Request, res: Response, id: string | null, values: Body, errors: Errors, status: number) => {
    const orgs = await uc.organisations();
    const services = await uc.listServices();
    const usage = id ? await uc.agreementUsage(actorOf(req), id) : null;
    const chosen = list(values.serviceIds);
    await ctx.page(
      req,
      res,
      'catalogue-agreement',
      {
        title: id ? `DVO ${id}` : 'Nieuwe DVO',
        id,
        values,
        errors,
        buyers: orgs.map((o) => ({ value: o._id, label: o.name, selected: o._id === values.buyer })),
        providers: orgs.map((o) => ({ value: o._id, label: o.name, selected: o._id === values.provider })),
        services: services.map((s) => ({ value: s._id, label: `${s.name} (${s._id})`, checked: chosen.includes(s._id) })),
        roundings: ROUNDING_RULES.map((r) => ({ value: r, label: ROUNDING_RULE_NL[r], selected: r === (values.roundingRule ?? 'none') })),
        vats: VAT_CATEGORIES.map((v) => ({ value: v, label: VAT_CATEGORY_NL[v], selected: v === (values.vatCategory ?? 'O') })),
        usage: usage
          ? {
              ...usage,
              rows: usage.rows.map((r) => ({
                ...r,
                hoursText: hoursNl(r.minutes),
                cumulativeText: hoursNl(r.cumulativeMinutes),
                budgetText: r.budgetPercent == null ? '–' : `${r.budgetPercent} %`,
              })),
              chart: usage.rows.length
                ? barChart({
                    id: `gebruik-${id}`,
                    title: `Uren per maand onder ${id}`,
                    desc: `Geregistreerde uren per maand${usage.totals.budgetMinutes ? `, tegen een budget van ${hoursNl(usage.totals.budgetMinutes)} uur` : ''}. De tabel bevat dezelfde gegevens.`,
                    unit: 'uur',
                    bars: usage.rows.map((r) => ({ label: r.month, value: r.minutes / 60 })),
                  })
                : null,
            }
          : null,
      },
      status,
    );
  };
  const valuesOf = (a: Awaited<ReturnType<typeof uc.agreementUsage>>['agreement']): Body => ({
    buyer: a.buyer,
    provider: a.provider,
    serviceIds: a.serviceIds,
    validFrom: a.validFrom,
    validTo: a.validTo,
    rate: a.rateCentsPerHour == null ? '' : euroPlain(a.rateCentsPerHour),
    hourBudget: a.hourBudget == null ? '' : String(a.hourBudget),
    roundingRule: a.roundingRule ?? 'none',
    vatCategory: a.vatCategory ?? 'O',
    paymentTermDays: String(a.paymentTermDays ?? 30),
    orderReference: a.orderReference,
    invoiceFrequency: a.invoiceFrequency ?? 'monthly',
    hourBilling: a.hourBilling === false ? '' : 'ja',
  });
  router.get('/beheer/dvo/nieuw', (req, res) =>
    agreementForm(
      req,
      res,
      null,
      { paymentTermDays: '30', roundingRule: 'none', vatCategory: 'O', hourBilling: 'ja', invoiceFrequency: 'monthly' },
      {},
      200,
    ),
  );
  router.post('/beheer/dvo', async (req, res) => {
    const b = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.createAgreement(actorOf(req), { _id: textIn(b._id)?.trim().toUpperCase(), ...agreementIn(b) }),
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => agreementForm(req, res, null, b, errors, status),
      done: (a) => ({ flash: `DVO ${a!._id} is vastgelegd.`, to: `/beheer/dvo/${encodeURIComponent(a!._id)}` }),
    });
  });
  router.get('/beheer/dvo/:id', async (req, res) => {
    const u = await uc.agreementUsage(actorOf(req), String(req.params.id));
    await agreementForm(req, res, u.agreement._id, valuesOf(u.agreement), {}, 200);
  });
  router.post('/beheer/dvo/:id', async (req, res) => {
    const b = req.body as Body;
    const id = String(req.params.id);
    await submitForm(req, res, {
      run: () => uc.updateAgreement(actorOf(req), id, agreementIn(b)),
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => agreementForm(req, res, id, b, errors, status),
      done: (a) => ({ flash: `DVO ${a!._id} is bijgewerkt.`, to: `/beheer/dvo/${encodeURIComponent(a!._id)}` }),
    });
  });
}
