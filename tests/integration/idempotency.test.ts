// Idempotent POSTs: a repeat with the same Idempotency-Key and body gets the first answer and
// changes nothing; the same key with another body is refused; keys expire after a day.
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

async function post(path: string, token: string, body: object, key?: string) {
  const res = await fetch(env.baseUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') === 'true' };
}

test('a repeat with the same key and body gets the first answer, and there is one request', async () => {
  const body = { serviceId: 'DOR-LEERPLICHT', title: 'Eén keer' };
  const first = await post('/api/requests', t.requester, body, 'key-1');
  expect(first.status).toBe(201);
  const again = await post('/api/requests', t.requester, body, 'key-1');
  expect(again).toMatchObject({ status: 201, replayed: true });
  expect(again.body.requestId).toBe(first.body.requestId);
  expect(await env.models.Request.countDocuments({ title: 'Eén keer' })).toBe(1);
  // The same key with another body is a mistake of the client.
  const other = await post('/api/requests', t.requester, { ...body, title: 'Iets anders' }, 'key-1');
  expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
  expect(await env.models.Request.countDocuments({ title: 'Iets anders' })).toBe(0);
  // Keys belong to their user: somebody else's key-1 is another key.
  const pap = await post('/api/requests', await env.token('pap-requester'), body, 'key-1');
  expect(pap).toMatchObject({ status: 201, replayed: false });
});

test('two requests with one key at the same moment do the work once, and get one answer', async () => {
  const id = await requestUpTo(env, t, 'in_progress', { title: 'Tegelijk' });
  const entry = { date: today(), minutes: 30, description: 'Overleg' };
  // An action through the workflow is one Update keyed by the Idempotency-Key: Temporal runs it
  // once and gives every concurrent copy its outcome.
  const answers = await Promise.all([1, 2, 3].map(() => post(`/api/requests/${id}/time-entries`, t.staff, entry, 'entry-1')));
  for (const a of answers) expect(a).toMatchObject({ status: 201, body: answers[0]!.body });
  const again = await post(`/api/requests/${id}/time-entries`, t.staff, entry, 'entry-1');
  expect(again).toMatchObject({ status: 201, replayed: true });
  expect(await env.models.TimeEntry.countDocuments({ requestId: id })).toBe(1);
});

test('a refusal is an answer too: the repeat gets the same refusal, without doing anything', async () => {
  const id = await requestUpTo(env, t, 'submitted', { title: 'Geweigerd' });
  const refused = await post(`/api/requests/${id}/accept-intake`, t.requester, { estimateMinutes: 60 }, 'refused-1');
  expect(refused).toMatchObject({ status: 403, body: { code: 'role_required' } });
  const again = await post(`/api/requests/${id}/accept-intake`, t.requester, { estimateMinutes: 60 }, 'refused-1');
  expect(again).toMatchObject({ status: 403, replayed: true, body: { code: 'role_required' } });
});

test('a key expires after 24 hours: then it starts anew; the daily clean-up removes it', async () => {
  const body = { serviceId: 'DOR-LEERPLICHT', title: 'Morgen weer' };
  expect((await post('/api/requests', t.requester, body, 'day-old')).status).toBe(201);
  const yesterday = Date.now() - 25 * 3600 * 1000;
  await env.models.IdempotencyKey.updateMany({}, { $set: { at: yesterday } });
  const fresh = await post('/api/requests', t.requester, body, 'day-old');
  expect(fresh).toMatchObject({ status: 201, replayed: false });
  expect(await env.models.Request.countDocuments({ title: 'Morgen weer' })).toBe(2);
  const before = await env.models.IdempotencyKey.countDocuments();
  const result = await env.client.workflow.execute('housekeepingWorkflow', {
    workflowId: `housekeeping-test-${Date.now()}`,
    taskQueue: env.taskQueue,
    args: [{}],
  });
  expect(result.idempotencyKeys).toBe(before - 1); // all but the fresh one were a day old
  expect(await env.models.IdempotencyKey.countDocuments()).toBe(1);
});

test('the OpenAPI document names the Idempotency-Key header on every POST', async () => {
  const doc = (await env.api('GET', '/openapi.json')).body;
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>)) {
    if (!ops.post || path.startsWith('/dev/')) continue;
    expect([path, ops.post.parameters?.some((p) => p.name === 'Idempotency-Key' && p.in === 'header')]).toEqual([path, true]);
  }
});

test('work outside a workflow runs once: a concurrent copy is told the first is still busy', async () => {
  const admin = await env.token('region-admin');
  const year = today().slice(0, 4);
  const body = {
    _id: 'DVO-GRA-ZWN-IDEMP',
    buyer: 'GRA',
    provider: 'ZWN',
    serviceIds: ['ZWN-ICT'],
    validFrom: `${year}-01-01`,
    validTo: `${year}-12-31`,
    hourBudget: 10,
    orderReference: 'GRA-IDEMP-1',
    roundingRule: 'up15',
    vatCategory: 'S',
    paymentTermDays: 14,
  };
  const answers = await Promise.all([1, 2, 3].map(() => post('/api/admin/agreements', admin, body, 'dvo-1')));
  const firsts = answers.filter((a) => a.status === 201 && !a.replayed);
  expect(firsts).toHaveLength(1);
  for (const a of answers.filter((x) => x !== firsts[0]))
    expect(a.status === 201 ? a.replayed : a.body.code === 'idempotency_key_in_progress' && a.status === 409).toBe(true);
  expect(await env.models.Agreement.countDocuments({ _id: 'DVO-GRA-ZWN-IDEMP' })).toBe(1);
});
