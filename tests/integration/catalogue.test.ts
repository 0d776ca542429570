// The admin API for the catalogue and agreements (DVO), with its validation rules.
import { invoiceRunWorkflowId } from '../../contracts';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { billedEntries, currentPeriod, requestUpTo, storyTokens, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
let admin: string;

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  admin = await env.token('region-admin');
});
afterAll(() => env.close());

const year = () => Number(todayInNL().slice(0, 4));
const agreement = (over: object = {}) => ({
  _id: 'DVO-GRA-ZWN-ICT',
  buyer: 'GRA',
  provider: 'ZWN',
  serviceIds: ['ZWN-ICT'],
  validFrom: `${year()}-01-01`,
  validTo: `${year()}-12-31`,
  hourBudget: 40,
  roundingRule: 'up15',
  vatCategory: 'S',
  paymentTermDays: 14,
  orderReference: 'GRA-2026-77',
  ...over,
});

test('when someone who is not the admin changes the catalogue, then 403', async () => {
  const res = await env.api('POST', '/api/admin/agreements', { token: t.coordinator, body: agreement() });
  expect(res.status).toBe(403);
  expect(await env.models.Agreement.exists({ _id: 'DVO-GRA-ZWN-ICT' })).toBeNull();
});

test('when the admin adds a valid agreement, then it is stored and the buyer can submit under it', async () => {
  const res = await env.api('POST', '/api/admin/agreements', { token: admin, body: agreement() });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ buyer: 'GRA', provider: 'ZWN', rateCentsPerHour: null, roundingRule: 'up15' });
  const gra = await env.token('gra-requester');
  expect((await env.api('POST', '/api/requests', { token: gra, body: { serviceId: 'ZWN-ICT', title: 'ICT-visie' } })).status).toBe(201);
  const visible = await env.api('GET', '/api/agreements', { token: gra });
  expect(visible.body.map((a: { _id: string }) => a._id)).toEqual(['DVO-GRA-DOR-LEERPLICHT', 'DVO-GRA-ZWN-ICT']);
});

test.each([
  [
    'an overlapping agreement for the same buyer and service',
    { _id: 'DVO-GRA-ZWN-ICT-2', validFrom: `${year()}-06-01`, validTo: `${year() + 1}-05-31` },
    409,
    'validFrom',
  ],
  ['a provider selling to itself', { _id: 'DVO-ZWN-ZWN', buyer: 'ZWN' }, 400, 'buyer'],
  ['a service of another provider', { _id: 'DVO-GRA-ZWN-X', serviceIds: ['DOR-LEERPLICHT'] }, 400, 'serviceIds'],
  ['an end before the start', { _id: 'DVO-GRA-ZWN-Y', validFrom: `${year() + 3}-02-01`, validTo: `${year() + 3}-01-01` }, 400, 'validTo'],
  ['an unknown buyer', { _id: 'DVO-XXX', buyer: 'XXX' }, 400, 'buyer'],
  ['a non-existent date', { _id: 'DVO-GRA-ZWN-Z', validFrom: `${year() + 3}-02-30` }, 400, 'validFrom'],
  ['an unknown rounding rule', { _id: 'DVO-GRA-ZWN-Q', roundingRule: 'up7' }, 400, 'roundingRule'],
])('when the admin adds %s, then it is refused and nothing is stored', async (_what, over, status, field) => {
  const before = await env.models.Agreement.countDocuments();
  const res = await env.api('POST', '/api/admin/agreements', { token: admin, body: agreement(over) });
  expect(res.status).toBe(status);
  expect(res.body.field).toBe(field);
  expect(await env.models.Agreement.countDocuments()).toBe(before);
});

test('when an agreement is changed to overlap another, then it is refused; a change that does not overlap is stored', async () => {
  const { _id, ...body } = agreement({ validTo: `${year()}-06-30` });
  expect((await env.api('PUT', `/api/admin/agreements/${_id}`, { token: admin, body })).status).toBe(200);
  const later = agreement({ _id: 'DVO-GRA-ZWN-ICT-H2', validFrom: `${year()}-07-01` });
  expect((await env.api('POST', '/api/admin/agreements', { token: admin, body: later })).status).toBe(201);
  const { _id: _i, ...overlapping } = agreement({ validTo: `${year()}-08-31` });
  const res = await env.api('PUT', `/api/admin/agreements/${_id}`, { token: admin, body: overlapping });
  expect(res.status).toBe(409);
  expect((await env.models.Agreement.findById(_id).lean())!.validTo).toBe(`${year()}-06-30`);
});

test('when a rate version would change the price of invoiced hours, then it is refused; a later one is accepted', async () => {
  const id = await requestUpTo(env, t, 'awaiting_acceptance');
  await env.api('POST', `/api/requests/${id}/accept-result`, { token: t.requester, body: {} });
  await env.api('POST', '/api/invoice-runs', { token: t.finance, body: { period: currentPeriod() } });
  await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
  expect((await billedEntries(env, { requestId: id })).filter((e) => e.status === 'invoiced')).toHaveLength(1);

  const refused = await env.api('POST', '/api/admin/services/DOR-LEERPLICHT/rates', {
    token: admin,
    body: { validFrom: `${year()}-01-01`, rateCentsPerHour: 9_999 },
  });
  expect(refused.status).toBe(409);
  expect(refused.body.field).toBe('validFrom');
  const service = await env.models.Service.findById('DOR-LEERPLICHT').lean();
  expect(service!.rates.map((r) => r.rateCentsPerHour)).toEqual([8_950, 9_375]);

  const next = await env.api('POST', '/api/admin/services/DOR-LEERPLICHT/rates', {
    token: admin,
    body: { validFrom: `${year() + 1}-01-01`, rateCentsPerHour: 9_800 },
  });
  expect(next.status).toBe(200);
  expect(next.body.rates.map((r: { rateCentsPerHour: number }) => r.rateCentsPerHour)).toEqual([8_950, 9_375, 9_800]);
});

test('when the admin adds a service, then it is in the catalogue with its process options', async () => {
  const res = await env.api('POST', '/api/admin/services', {
    token: admin,
    body: {
      _id: 'DBC-JEUGD',
      provider: 'DBC',
      name: 'Jeugdbeleid',
      policyArea: 'jeugd',
      quoteRequired: false,
      silentAcceptanceDays: 5,
      rates: [{ validFrom: '2026-01-01', rateCentsPerHour: 9_000 }],
    },
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ intakeSlaDays: 5, deliverySlaDays: 20, silentAcceptanceDays: 5, quoteRequired: false });
  expect(
    (
      await env.api('POST', '/api/admin/services', {
        token: admin,
        body: { _id: 'DBC-JEUGD', provider: 'DBC', name: 'x', policyArea: 'y' },
      })
    ).status,
  ).toBe(409);
  const catalogue = await env.api('GET', '/api/services', { token: t.requester });
  expect(catalogue.body.map((s: { _id: string }) => s._id)).toContain('DBC-JEUGD');
});
