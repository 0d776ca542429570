// Catalogue (dienstencatalogus) and agreements (DVO), managed by the region's admin; and the
// growth model's service transfers.
import { z } from 'zod';
import { addDays, dutchDate } from '../../domain/dates';
import { PROCESS_DEFAULTS } from '../../domain/lifecycle';
import { DEFAULT_RETENTION_DAYS } from '../../domain/retention';
import { ROUNDING_RULES, VAT_CATEGORIES } from '../../domain/money';
import { none, notFound, refuse, roleRequired } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import type { AgreementInput } from '../../models';
import { billingOfRequests } from '../../models/billing';
import { appendNextAudit } from '../../models/audit';
import { code, isoDate, text } from '../core/input';
import { parseInput } from '../core/input';
import type { AppDeps } from '../core/deps';
import { ensureSchedulesAfterChange } from '../core/temporal';

const rate = z.object({ validFrom: isoDate, rateCentsPerHour: z.number().int().min(0).max(10_000_000) });
export const processSchema = z.object({
  name: text(200),
  policyArea: text(100),
  quoteRequired: z.boolean().default(PROCESS_DEFAULTS.quoteRequired),
  intakeSlaDays: z.number().int().min(0).max(250).default(PROCESS_DEFAULTS.intakeSlaDays),
  deliverySlaDays: z.number().int().min(0).max(500).default(PROCESS_DEFAULTS.deliverySlaDays),
  silentAcceptanceDays: z.number().int().min(1).max(250).nullable().default(PROCESS_DEFAULTS.silentAcceptanceDays),
  reviewRequired: z.boolean().default(PROCESS_DEFAULTS.reviewRequired),
  /** Days after a request closes before its free text (personal data) is removed; invoices stay. */
  retentionDays: z.number().int().min(1).max(36_500).default(DEFAULT_RETENTION_DAYS),
});
export const serviceSchema = processSchema.extend({ _id: code, provider: code, rates: z.array(rate).default([]) });
export const rateSchema = rate;
export const agreementSchema = z.object({
  buyer: code,
  provider: code,
  serviceIds: z.array(code).min(1),
  validFrom: isoDate,
  validTo: isoDate,
  rateCentsPerHour: z.number().int().min(0).max(10_000_000).nullable().default(null),
  hourBudget: z.number().int().min(1).max(1_000_000).nullable().default(null),
  roundingRule: z.enum(ROUNDING_RULES).default('none'),
  vatCategory: z.enum(VAT_CATEGORIES).default('O'),
  paymentTermDays: z.number().int().min(0).max(365).default(30),
  orderReference: text(100),
  invoiceFrequency: z.enum(['monthly', 'quarterly']).default('monthly'),
  /** false: financed by contribution only (scenario 2); the hour runs leave its hours. */
  hourBilling: z.boolean().default(true),
});
export const newAgreementSchema = agreementSchema.extend({ _id: code });

export const TRANSFER_FINANCING = ['hours', 'contribution', 'both'] as const;
export type TransferFinancing = (typeof TRANSFER_FINANCING)[number];
export const transferSchema = z.object({
  serviceId: code,
  to: code,
  effectiveDate: isoDate,
  targetServiceId: code.optional(),
  financing: z
    .enum(TRANSFER_FINANCING)
    .default('hours')
    .describe(
      'how the moved participants are financed: hours (the centre bills their hours), contribution (only contributions; the hour runs leave their hours), or both',
    ),
});

export function catalogueFeature(deps: AppDeps) {
  const { models } = deps;
  const requireAdmin = (actor: Actor) => assertOrgAction(actor, 'manageCatalogue');

  async function assertOrg(field: string, code: string) {
    if (!(await models.Organisation.exists({ _id: code }))) throw refuse('organisation_unknown', { org: code }, field);
  }

  async function createService(actor: Actor, raw: unknown) {
    requireAdmin(actor);
    const input = parseInput(serviceSchema, raw);
    await assertOrg('provider', input.provider);
    if (await models.Service.exists({ _id: input._id })) throw refuse('service_exists', { serviceId: input._id }, '_id');
    const dates = input.rates.map((r) => r.validFrom);
    if (new Set(dates).size !== dates.length) throw refuse('rate_dates_twice', none(), 'rates');
    await models.Service.create(input);
    await ensureSchedulesAfterChange(deps);
    return models.Service.findById(input._id).lean();
  }

  async function updateService(actor: Actor, id: string, raw: unknown) {
    requireAdmin(actor);
    const input = parseInput(processSchema, raw);
    const res = await models.Service.updateOne({ _id: id }, { $set: input });
    if (res.matchedCount === 0) throw notFound('service');
    return models.Service.findById(id).lean();
  }

  /** Adds a rate version, or changes one; never once hours from that date on have been invoiced. */
  async function setRate(actor: Actor, id: string, raw: unknown) {
    requireAdmin(actor);
    const rate = parseInput(rateSchema, raw);
    const service = await models.Service.findById(id).lean();
    if (!service) throw notFound('service');
    const requestIds = (await models.Request.find({ serviceId: id }).select({ _id: 1 }).lean()).map((r) => r._id);
    const agreementsWithOwnRate = (
      await models.Agreement.find({ serviceIds: id, rateCentsPerHour: { $ne: null } })
        .select({ _id: 1 })
        .lean()
    ).map((a) => a._id);
    // The latest invoiced hour at the service's own rate on or after the new version's date.
    const ownRate = new Set(agreementsWithOwnRate);
    const billedDates = [...(await billingOfRequests(models, requestIds)).values()]
      .map((b) => ({ agreementId: b.entry.agreementId, date: b.entry.date }))
      .concat(
        // entries invoiced before billing claims existed carry the status themselves
        await models.TimeEntry.find({ requestId: { $in: requestIds }, status: 'invoiced' })
          .select({ agreementId: 1, date: 1 })
          .lean(),
      )
      .filter((e) => !ownRate.has(e.agreementId) && e.date >= rate.validFrom)
      .sort((a, b) => b.date.localeCompare(a.date));
    const invoiced = billedDates[0];
    if (invoiced) {
      throw refuse('rate_already_invoiced', { invoicedUpTo: invoiced.date, earliest: addDays(invoiced.date, 1) }, 'validFrom');
    }
    const rates = [
      ...service.rates
        .filter((r) => r.validFrom !== rate.validFrom)
        .map((r) => ({ validFrom: r.validFrom, rateCentsPerHour: r.rateCentsPerHour })),
      rate,
    ];
    rates.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    await models.Service.updateOne({ _id: id }, { $set: { rates } });
    return models.Service.findById(id).lean();
  }

  async function validateAgreement(input: AgreementInput, selfId: string | null) {
    if (input.buyer === input.provider) throw refuse('sells_to_itself', none(), 'buyer');
    await assertOrg('buyer', input.buyer);
    await assertOrg('provider', input.provider);
    if (input.validFrom > input.validTo) throw refuse('end_before_start', { start: input.validFrom }, 'validTo');
    const services = await models.Service.find({ _id: { $in: input.serviceIds } }).lean();
    for (const id of input.serviceIds) {
      const s = services.find((x) => x._id === id);
      if (!s) throw refuse('service_unknown', { serviceId: id }, 'serviceIds');
      if (s.provider !== input.provider) throw refuse('service_not_offered', { serviceId: id, provider: input.provider }, 'serviceIds');
    }
    const overlapping = await models.Agreement.findOne({
      _id: { $ne: selfId ?? '' },
      buyer: input.buyer,
      serviceIds: { $in: input.serviceIds },
      validFrom: { $lte: input.validTo },
      validTo: { $gte: input.validFrom },
    }).lean();
    if (overlapping) {
      throw refuse(
        'agreement_overlap',
        { agreement: overlapping._id, buyer: input.buyer, from: overlapping.validFrom, to: overlapping.validTo },
        'validFrom',
      );
    }
  }

  async function createAgreement(actor: Actor, raw: unknown) {
    requireAdmin(actor);
    const input = parseInput(newAgreementSchema, raw) as AgreementInput;
    if (await models.Agreement.exists({ _id: input._id })) throw refuse('agreement_exists', { agreement: input._id }, '_id');
    await validateAgreement(input, null);
    await models.Agreement.create(input);
    return models.Agreement.findById(input._id).lean();
  }

  async function updateAgreement(actor: Actor, id: string, raw: unknown) {
    requireAdmin(actor);
    const input = parseInput(agreementSchema, raw) as Omit<AgreementInput, '_id'>;
    if (!(await models.Agreement.exists({ _id: id }))) throw notFound('agreement');
    await validateAgreement({ ...input, _id: id }, id);
    await models.Agreement.updateOne({ _id: id }, { $set: input });
    return models.Agreement.findById(id).lean();
  }

  /** The administration page: every service and agreement, and the region's organisations. */
  async function adminOverview(actor: Actor) {
    requireAdmin(actor);
    return {
      services: await models.Service.find().sort({ _id: 1 }).lean(),
      agreements: await models.Agreement.find().sort({ _id: 1 }).lean(),
      organisations: await models.Organisation.find().sort({ name: 1 }).select({ name: 1, kind: 1 }).lean(),
    };
  }

  /** One service with the agreements that include it (the administration page). */
  async function serviceDetail(actor: Actor, id: string) {
    requireAdmin(actor);
    const service = await models.Service.findById(id).lean();
    if (!service) throw notFound('service');
    const agreements = await models.Agreement.find({ serviceIds: id }).sort({ validFrom: -1 }).lean();
    return { service, agreements };
  }

  /**
   * An agreement and its use, per month: the hours registered under it against the hour
   * budget (running total), and what was invoiced (invoices minus credit notes, excl. VAT).
   */
  async function agreementUsage(actor: Actor, id: string) {
    requireAdmin(actor);
    const agreement = await models.Agreement.findById(id).lean();
    if (!agreement) throw notFound('agreement');
    const months = new Map<string, { minutes: number; invoicedCents: number }>();
    const at = (m: string) => months.get(m) ?? months.set(m, { minutes: 0, invoicedCents: 0 }).get(m)!;
    const entries = models.TimeEntry.find({ agreementId: id }).select({ date: 1, minutes: 1 }).lean().cursor();
    for await (const e of entries) at(e.date.slice(0, 7)).minutes += e.minutes;
    const invoices = await models.Invoice.find({ agreementId: id, status: { $ne: 'draft' } })
      .select({ kind: 1, period: 1, issueDate: 1, netCents: 1 })
      .lean();
    for (const inv of invoices)
      at(String(inv.period ?? inv.issueDate).slice(0, 7)).invoicedCents += (inv.kind === 'credit_note' ? -1 : 1) * inv.netCents;
    let total = 0;
    const budgetMinutes = agreement.hourBudget != null ? agreement.hourBudget * 60 : null;
    const rows = [...months.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, m]) => {
        total += m.minutes;
        return {
          month,
          minutes: m.minutes,
          cumulativeMinutes: total,
          invoicedCents: m.invoicedCents,
          budgetPercent: budgetMinutes ? Math.round((total / budgetMinutes) * 100) : null,
        };
      });
    return {
      agreement,
      rows,
      totals: { minutes: total, invoicedCents: rows.reduce((sum, r) => sum + r.invoicedCents, 0), budgetMinutes },
    };
  }

  /** The catalogue is public to every signed-in user; agreements only to their parties (and the admin). */
  async function listServices() {
    return models.Service.find().sort({ _id: 1 }).lean();
  }
  async function listAgreements(actor: Actor) {
    const filter = actor.roles.includes('admin') ? {} : { $or: [{ buyer: actor.org }, { provider: actor.org }] };
    return models.Agreement.find(filter).sort({ _id: 1 }).lean();
  }

  /**
   * Growth model (scenario 1 → 2): a service of a centre municipality moves to the shared centre
   * from an effective date. New requests go to the centre from that date; open requests finish
   * under the old provider, which bills them; each agreement (DVO) continues with the centre on
   * the same terms, the old one ends the day before; the centre chooses the financing.
   */
  /** The checks of a transfer, shared by its preview and the transfer itself. */
  async function checkTransfer(actor: Actor, raw: unknown) {
    const input = parseInput(transferSchema, raw);
    if (actor.org !== input.to || !actor.roles.includes('admin')) throw roleRequired(['admin'], input.to);
    const service = await models.Service.findById(input.serviceId).lean();
    if (!service) throw notFound('service');
    const centre = await models.Organisation.findById(input.to).lean();
    if (!centre || centre.kind !== 'shared_centre') throw refuse('target_not_shared_centre', { org: input.to }, 'to');
    if (service.provider === input.to) throw refuse('already_provided_by', { serviceId: input.serviceId, org: input.to }, 'to');
    const targetServiceId = input.targetServiceId ?? `${input.to}-${service._id.replace(new RegExp(`^${service.provider}-`), '')}`;
    const financing: TransferFinancing = input.financing ?? 'hours';
    const earlier = await models.ServiceTransfer.findById(input.serviceId).lean();
    return { input, service, targetServiceId, financing, earlier };
  }

  /**
   * What a transfer would move, before it is confirmed: the centre's service (existing, or a
   * copy with these rate versions), each agreement that continues with the centre (and the day
   * the old one ends), the open requests that finish under the old provider, and the financing.
   * Writes nothing.
   */
  async function transferPreview(actor: Actor, raw: unknown) {
    const { input, service, targetServiceId, financing, earlier } = await checkTransfer(actor, raw);
    if (earlier)
      throw refuse('already_transferred', { serviceId: input.serviceId, to: earlier.to, date: earlier.effectiveDate }, 'serviceId');
    if (input.effectiveDate < dutchDate(Date.now())) throw refuse('transfer_in_past', none(), 'effectiveDate');
    const target = await models.Service.findById(targetServiceId).lean();
    if (target && target.provider !== input.to)
      throw refuse('target_service_foreign', { serviceId: targetServiceId, org: input.to }, 'targetServiceId');
    const agreements = await models.Agreement.find({
      provider: service.provider,
      serviceIds: service._id,
      validTo: { $gte: input.effectiveDate },
    })
      .sort({ _id: 1 })
      .lean();
    const open = await models.Request.find({ serviceId: service._id, status: { $nin: ['completed', 'cancelled', 'rejected'] } })
      .select({ title: 1, buyer: 1, status: 1 })
      .sort({ submittedAt: 1 })
      .lean();
    // Where a buyer already has an agreement with the centre for the target service, that one continues.
    const continuing = new Map<string, string>();
    for (const a of agreements) {
      const overlapping = await models.Agreement.findOne({
        buyer: a.buyer,
        serviceIds: targetServiceId,
        validFrom: { $lte: a.validTo },
        validTo: { $gte: input.effectiveDate },
      })
        .select({ _id: 1 })
        .lean();
      if (overlapping) continuing.set(a._id, overlapping._id);
    }
    return {
      serviceId: service._id,
      serviceName: service.name,
      from: service.provider,
      to: input.to,
      effectiveDate: input.effectiveDate,
      dayBefore: addDays(input.effectiveDate, -1),
      financing,
      target: { id: targetServiceId, exists: Boolean(target), rates: (target ?? service).rates },
      agreements: agreements.map((a) => ({
        id: a._id,
        newId: continuing.get(a._id) ?? `${a._id}-${input.to}`,
        existing: continuing.has(a._id),
        buyer: a.buyer,
        validFrom: a.validFrom,
        validTo: a.validTo,
        hourBudget: a.hourBudget ?? null,
        endsDayBefore: a.serviceIds.length === 1 && a.validFrom <= addDays(input.effectiveDate, -1),
      })),
      openRequests: open.map((r) => ({ id: r._id, title: r.title, buyer: r.buyer, status: r.status })),
    };
  }

  async function transfer(actor: Actor, raw: unknown) {
    const { input, service, targetServiceId, financing, earlier } = await checkTransfer(actor, raw);
    if (
      earlier &&
      (earlier.to !== input.to ||
        earlier.effectiveDate !== input.effectiveDate ||
        earlier.targetServiceId !== targetServiceId ||
        (earlier.financing ?? 'hours') !== financing)
    )
      throw refuse('already_transferred', { serviceId: input.serviceId, to: earlier.to, date: earlier.effectiveDate }, 'serviceId');
    if (!earlier && input.effectiveDate < dutchDate(Date.now())) throw refuse('transfer_in_past', none(), 'effectiveDate');

    // The centre's service: an existing one of the centre, or a copy with the rate versions.
    const target = await models.Service.findById(targetServiceId).lean();
    if (target && target.provider !== input.to)
      throw refuse('target_service_foreign', { serviceId: targetServiceId, org: input.to }, 'targetServiceId');
    if (!target) {
      const { _id: _old, provider: _p, ...rest } = service;
      await models.Service.updateOne({ _id: targetServiceId }, { $setOnInsert: { ...rest, provider: input.to } }, { upsert: true });
    }

    // Agreements move: same terms with the centre from the date; the old one ends the day before.
    const dayBefore = addDays(input.effectiveDate, -1);
    const moved: { from: string; to: string }[] = [];
    for (const a of await models.Agreement.find({
      provider: service.provider,
      serviceIds: service._id,
      validTo: { $gte: input.effectiveDate },
    }).lean()) {
      const newId = `${a._id}-${input.to}`;
      const overlapping = await models.Agreement.findOne({
        _id: { $ne: newId },
        buyer: a.buyer,
        serviceIds: targetServiceId,
        validFrom: { $lte: a.validTo },
        validTo: { $gte: input.effectiveDate },
      }).lean();
      if (!overlapping) {
        const { _id: _old, ...terms } = a;
        await models.Agreement.updateOne(
          { _id: newId },
          {
            $setOnInsert: {
              ...terms,
              provider: input.to,
              serviceIds: [targetServiceId],
              validFrom: a.validFrom > input.effectiveDate ? a.validFrom : input.effectiveDate,
              hourBilling: financing !== 'contribution',
            },
          },
          { upsert: true },
        );
        moved.push({ from: a._id, to: newId });
      } else moved.push({ from: a._id, to: overlapping._id });
      if (a.serviceIds.length === 1 && a.validFrom <= dayBefore)
        await models.Agreement.updateOne({ _id: a._id }, { $set: { validTo: dayBefore } });
    }

    if (!earlier) {
      await models.ServiceTransfer.updateOne(
        { _id: input.serviceId },
        {
          $setOnInsert: {
            serviceId: input.serviceId,
            from: service.provider,
            to: input.to,
            targetServiceId,
            effectiveDate: input.effectiveDate,
            financing,
            agreements: moved,
            by: actor.userId,
            at: new Date().toISOString(),
          },
        },
        { upsert: true },
      );
      await appendNextAudit(models, `transfer-${input.serviceId}`, {
        action: 'transferService',
        actor,
        at: new Date().toISOString(),
        before: { provider: service.provider },
        after: { to: input.to, targetServiceId, effectiveDate: input.effectiveDate, financing, agreements: moved },
      });
    }
    // The centre's first service (a shared centre that did not bill hours before) gets its run.
    await ensureSchedulesAfterChange(deps);
    return models.ServiceTransfer.findById(input.serviceId).lean();
  }

  /** A transfer with its audit trail (the result page). */
  async function transferResult(actor: Actor, serviceId: string) {
    requireAdmin(actor);
    const t = await models.ServiceTransfer.findById(serviceId).lean();
    if (!t || t.to !== actor.org) throw notFound('service');
    const audit = await models.AuditEvent.find({ subject: `transfer-${serviceId}` })
      .sort({ seq: 1 })
      .lean();
    return { transfer: t, audit: audit.map((e) => ({ action: e.action, actor: e.actor, at: e.at, hash: e.hash })) };
  }

  /** Transfers are public to signed-in users, like the catalogue. */
  const listTransfers = () => models.ServiceTransfer.find().sort({ effectiveDate: 1 }).lean();

  return {
    createService,
    updateService,
    setRate,
    createAgreement,
    updateAgreement,
    listServices,
    listAgreements,
    adminOverview,
    transferPreview,
    transferResult,
    serviceDetail,
    agreementUsage,
    /** The organisations of the region (for the forms' choices). */
    organisations: async () => models.Organisation.find().sort({ name: 1 }).select({ name: 1, kind: 1 }).lean(),
    transfer,
    listTransfers,
  };
}
