// Catalogue (dienstencatalogus) and agreements (DVO), managed by the region's admin.
import { badInput, conflict, forbidden, notFound } from '../../domain/errors';
import type { Actor } from '../../domain/roles';
import type { AgreementInput, Models } from '../../models';
import { billingOfRequests } from '../../models/billing';

export interface ServiceInput {
  _id: string;
  provider: string;
  name: string;
  policyArea: string;
  quoteRequired: boolean;
  intakeSlaDays: number;
  deliverySlaDays: number;
  silentAcceptanceDays: number | null;
  reviewRequired: boolean;
  rates: { validFrom: string; rateCentsPerHour: number }[];
}

export function catalogueUseCases({ models }: { models: Models }) {
  const requireAdmin = (actor: Actor) => {
    if (!actor.roles.includes('admin')) throw forbidden('the catalogue and agreements are managed by the region admin');
  };

  async function assertOrg(field: string, code: string) {
    if (!(await models.Organisation.exists({ _id: code }))) throw badInput(field, `organisation ${code} does not exist`);
  }

  async function createService(actor: Actor, input: ServiceInput) {
    requireAdmin(actor);
    await assertOrg('provider', input.provider);
    if (await models.Service.exists({ _id: input._id })) throw conflict(`service ${input._id} already exists`, { field: '_id' });
    const dates = input.rates.map((r) => r.validFrom);
    if (new Set(dates).size !== dates.length) throw badInput('rates', 'two rate versions start on the same day');
    await models.Service.create(input);
    return models.Service.findById(input._id).lean();
  }

  async function updateService(actor: Actor, id: string, input: Omit<ServiceInput, '_id' | 'provider' | 'rates'>) {
    requireAdmin(actor);
    const res = await models.Service.updateOne({ _id: id }, { $set: input });
    if (res.matchedCount === 0) throw notFound('service');
    return models.Service.findById(id).lean();
  }

  /** Adds a rate version, or changes one; never once hours from that date on have been invoiced. */
  async function setRate(actor: Actor, id: string, rate: { validFrom: string; rateCentsPerHour: number }) {
    requireAdmin(actor);
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
      throw conflict(
        `hours up to ${invoiced.date} have been invoiced at the current rate; a new rate can start on ${nextDay(invoiced.date)} at the earliest`,
        {
          field: 'validFrom',
        },
      );
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
    if (input.buyer === input.provider) throw badInput('buyer', 'a provider cannot sell to itself');
    await assertOrg('buyer', input.buyer);
    await assertOrg('provider', input.provider);
    if (input.validFrom > input.validTo) throw badInput('validTo', 'validTo is before validFrom');
    const services = await models.Service.find({ _id: { $in: input.serviceIds } }).lean();
    for (const id of input.serviceIds) {
      const s = services.find((x) => x._id === id);
      if (!s) throw badInput('serviceIds', `service ${id} does not exist`);
      if (s.provider !== input.provider) throw badInput('serviceIds', `service ${id} is not offered by ${input.provider}`);
    }
    const overlapping = await models.Agreement.findOne({
      _id: { $ne: selfId ?? '' },
      buyer: input.buyer,
      serviceIds: { $in: input.serviceIds },
      validFrom: { $lte: input.validTo },
      validTo: { $gte: input.validFrom },
    }).lean();
    if (overlapping) {
      throw conflict(
        `agreement ${overlapping._id} already covers this service for ${input.buyer} from ${overlapping.validFrom} to ${overlapping.validTo}`,
        {
          field: 'validFrom',
        },
      );
    }
  }

  async function createAgreement(actor: Actor, input: AgreementInput) {
    requireAdmin(actor);
    if (await models.Agreement.exists({ _id: input._id })) throw conflict(`agreement ${input._id} already exists`, { field: '_id' });
    await validateAgreement(input, null);
    await models.Agreement.create(input);
    return models.Agreement.findById(input._id).lean();
  }

  async function updateAgreement(actor: Actor, id: string, input: Omit<AgreementInput, '_id'>) {
    requireAdmin(actor);
    if (!(await models.Agreement.exists({ _id: id }))) throw notFound('agreement');
    await validateAgreement({ ...input, _id: id }, id);
    await models.Agreement.updateOne({ _id: id }, { $set: input });
    return models.Agreement.findById(id).lean();
  }

  /** The catalogue is public to every signed-in user; agreements only to their parties (and the admin). */
  async function listServices() {
    return models.Service.find().sort({ _id: 1 }).lean();
  }
  async function listAgreements(actor: Actor) {
    const filter = actor.roles.includes('admin') ? {} : { $or: [{ buyer: actor.org }, { provider: actor.org }] };
    return models.Agreement.find(filter).sort({ _id: 1 }).lean();
  }

  return { createService, updateService, setRate, createAgreement, updateAgreement, listServices, listAgreements };
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
