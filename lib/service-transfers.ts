// Growth model (scenario 1 → 2): which service a new request goes to once a service has moved
// from a centre municipality to the shared centre. Requests submitted before the effective date
// keep their provider (their workflow carries it) and are billed by it.
import type { Models } from '../models';

/** The service that takes new requests for `serviceId` on `today`: itself, or the one it moved to. */
export async function currentService(models: Models, serviceId: string, today: string) {
  const transfer = await models.ServiceTransfer.findById(serviceId).lean();
  const id = transfer && transfer.effectiveDate <= today ? transfer.targetServiceId : serviceId;
  return models.Service.findById(id).lean();
}
