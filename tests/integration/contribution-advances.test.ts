// Advances count once issued: a step that recorded an invoice but stopped before issuing it
// (failed, cancelled) must not make later advances or the settlement count money never invoiced.
import { advancesInvoiced } from '../../lib/contributions';
import { createTestEnv, type TestEnv } from '../support/env';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

test('an advance invoice that a step recorded but did not issue is pending, not counted', async () => {
  await env.models.ContributionStep.collection.insertOne({
    _id: 'PX:2026:A1' as never,
    product: 'PX',
    year: 2026,
    kind: 'advance',
    instalment: 1,
    lines: [
      { participant: 'ZWN', kind: 'invoice', amountCents: 25_000, invoiceId: 'PX-2026-A1-ZWN' },
      { participant: 'PAP', kind: 'invoice', amountCents: 12_500, invoiceId: 'PX-2026-A1-PAP' },
    ],
  });
  await env.models.Invoice.collection.insertMany([
    { _id: 'PX-2026-A1-ZWN' as never, kind: 'invoice', status: 'issued', netCents: 25_000 },
    { _id: 'PX-2026-A1-PAP' as never, kind: 'invoice', status: 'draft', netCents: 12_500 },
  ]);
  const before2 = await advancesInvoiced(env.models, 'PX', 2026, 2);
  expect(before2.byParticipant).toEqual({ ZWN: 25_000 });
  expect(before2.pending).toEqual(['PX-2026-A1-PAP']);
  // Instalment 1 itself does not look at its own lines.
  expect((await advancesInvoiced(env.models, 'PX', 2026, 1)).pending).toEqual([]);
});
