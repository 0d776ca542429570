// The write of a correction: the approved entry (deterministic id) and its audit event.
import type { CorrectionInput, CorrectionResult } from '../contracts';
import { notFound } from '../domain/refusals';
import { ignoreDuplicateKey, type Models } from '../models';
import { appendAudit } from './audit';

export function correctionActivities({ models }: { models: Models }) {
  async function recordCorrection(input: CorrectionInput): Promise<CorrectionResult> {
    const request = await models.Request.findById(input.requestId).select({ agreementId: 1, buyer: 1, provider: 1 }).lean();
    if (!request) throw notFound('request');
    const entryId = `${input.requestId}-C${input.correctionId}`;
    await models.TimeEntry.create({
      _id: entryId,
      requestId: input.requestId,
      agreementId: request.agreementId,
      buyer: request.buyer,
      provider: request.provider,
      userId: input.actor.userId,
      date: input.date,
      minutes: input.minutes,
      description: `Correctie op ${input.invoiceNumber}: ${input.description}`,
      status: 'approved',
      correction: true,
      createdAt: input.at,
    }).catch(ignoreDuplicateKey);
    await appendAudit(models, `correction-${input.correctionId}`, {
      seq: 1,
      action: 'bookCorrection',
      actor: input.actor,
      at: input.at,
      before: null,
      after: {
        invoiceId: input.invoiceId,
        invoiceNumber: input.invoiceNumber,
        requestId: input.requestId,
        entryId,
        date: input.date,
        minutes: input.minutes,
      },
    });
    return { entryId, requestId: input.requestId, date: input.date, minutes: input.minutes, status: 'approved' };
  }
  return { recordCorrection };
}
