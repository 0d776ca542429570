// Growth model (scenario 1 → 2): a service of a centre municipality moves to the shared centre
// from an effective date. A recorded, dated operation: new requests go to the centre from that
// date; open requests finish under the old provider, which bills them; each agreement (DVO)
// for the service continues as an agreement with the centre with the same terms (rate, hour
// budget, rounding, VAT, payment term, order reference), the old one ends the day before and
// stays as history; the service's rate versions move with it when the centre gets a new service.
// The centre chooses how the moved participants are financed: by hours (the moved agreements
// are billed by the centre's hour runs), by contribution only (the moved agreements get
// hourBilling false, so the hour runs leave their hours; the contributions pay for them), or
// both (hours billed and contributions). Open requests under the old provider are billed by
// the old provider either way.
import { addDaysIso } from '../../domain/contributions';
import { badInput, conflict, forbidden, notFound } from '../../domain/errors';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import type { Models } from '../../models';

export interface TransferInput {
  serviceId: string;
  to: string;
  effectiveDate: string;
  targetServiceId?: string;
  financing?: TransferFinancing;
}

export const TRANSFER_FINANCING = ['hours', 'contribution', 'both'] as const;
export type TransferFinancing = (typeof TRANSFER_FINANCING)[number];

export function serviceTransferUseCases({ models }: { models: Models }) {
  async function transfer(actor: Actor, input: TransferInput) {
    if (actor.org !== input.to || !actor.roles.includes('admin')) throw forbidden(`a service transfer needs role admin at ${input.to}`);
    const service = await models.Service.findById(input.serviceId).lean();
    if (!service) throw notFound('service');
    const centre = await models.Organisation.findById(input.to).lean();
    if (!centre || centre.kind !== 'shared_centre') throw badInput('to', `${input.to} is not a shared centre`);
    if (service.provider === input.to) throw badInput('to', `${input.serviceId} is already provided by ${input.to}`);
    const targetServiceId = input.targetServiceId ?? `${input.to}-${service._id.replace(new RegExp(`^${service.provider}-`), '')}`;
    const financing: TransferFinancing = input.financing ?? 'hours';
    const earlier = await models.ServiceTransfer.findById(input.serviceId).lean();
    if (
      earlier &&
      (earlier.to !== input.to ||
        earlier.effectiveDate !== input.effectiveDate ||
        earlier.targetServiceId !== targetServiceId ||
        (earlier.financing ?? 'hours') !== financing)
    )
      throw conflict(`${input.serviceId} moved to ${earlier.to} on ${earlier.effectiveDate} already`, { field: 'serviceId' });
    if (!earlier && input.effectiveDate < dutchDate(Date.now())) throw badInput('effectiveDate', 'a transfer cannot start in the past');

    // The centre's service: an existing one of the centre, or a copy with the rate versions.
    const target = await models.Service.findById(targetServiceId).lean();
    if (target && target.provider !== input.to) throw badInput('targetServiceId', `${targetServiceId} is not a service of ${input.to}`);
    if (!target) {
      const { _id: _old, provider: _p, ...rest } = service;
      await models.Service.updateOne({ _id: targetServiceId }, { $setOnInsert: { ...rest, provider: input.to } }, { upsert: true });
    }

    // Agreements move: same terms with the centre from the date; the old one ends the day before.
    const dayBefore = addDaysIso(input.effectiveDate, -1);
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
    }
    return models.ServiceTransfer.findById(input.serviceId).lean();
  }

  /** Transfers are public to signed-in users, like the catalogue. */
  const list = () => models.ServiceTransfer.find().sort({ effectiveDate: 1 }).lean();

  return { transfer, list };
}
