// The access matrix, generated from the API's own route table (/openapi.json): for every route,
// every demo user of an organisation that is no party to a resource, and that resource in the
// path, the answer is 401, 403 or 404 and carries none of the resource's data; without a token
// every protected route answers 401. A new route is in the matrix the moment it is registered;
// a route with a path parameter the matrix does not know fails the test until it is taught.
import { invoiceRunWorkflowId } from '../../contracts';
import { camt053 } from '../support/camt';
import { createTestEnv, type TestEnv } from '../support/env';
import { currentPeriod, requestUpTo, storyTokens, today, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
const SECRET_TITLE = 'Matrix-geheime-titel';
const SECRET_TEXT = 'Matrix-geheime-omschrijving';
const SECRET_PRODUCT = 'Matrix-geheim-product';

/** The resources of another organisation, and the organisations that are party to each. */
const world = {
  request: { id: '', entryId: '', mailId: '', attachmentId: '', parties: ['ZWN', 'DOR'] },
  invoice: { id: '', number: '', parties: ['ZWN', 'DOR'] },
  product: { id: 'DBC-MATRIX', participationId: '', parties: ['DBC', 'ZWN'] },
  // A bank statement is its provider's alone.
  statement: { id: '', parties: ['DOR'] },
  // A netting round over the invoice: its two parties only.
  netting: { id: '', parties: ['DOR', 'ZWN'] },
  // A member of Dordrecht: only Dordrecht's administrator changes their roles.
  member: { id: 'dor-staff', parties: ['DOR'] },
};
const SECRET_STATEMENT = 'MATRIX-GEHEIM-AFSCHRIFT';

beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
  const created = await env.api('POST', '/api/requests', {
    token: t.requester,
    body: { serviceId: 'DOR-LEERPLICHT', title: SECRET_TITLE, description: SECRET_TEXT },
  });
  const id = created.body.requestId as string;
  const post = (path: string, token: string, body: object = {}) => env.api('POST', path, { token, body });
  await post(`/api/requests/${id}/accept-intake`, t.coordinator, { estimateMinutes: 600, note: SECRET_TEXT });
  await post(`/api/requests/${id}/approve-quote`, t.requester);
  await post(`/api/requests/${id}/assign`, t.coordinator, { assignee: 'dor-staff' });
  const entry = await post(`/api/requests/${id}/time-entries`, t.staff, { date: today(), minutes: 60, description: SECRET_TEXT });
  world.request.id = id;
  world.request.entryId = entry.body.entryId;
  // A file on it whose content and name are the secret.
  const form = new FormData();
  form.append('file', new Blob([new TextEncoder().encode(SECRET_TEXT)]), `${SECRET_TITLE}.txt`);
  world.request.attachmentId = (await env.api('POST', `/api/requests/${id}/attachments`, { token: t.requester, form })).body.id;
  // A notification (mail) about the request, to its coordinator: nobody else may touch it.
  world.request.mailId = (await env.models.Mail.findOne({ requestId: id, to: 'dor-coordinator' }).lean())!._id;
  // An invoice DOR → ZWN (of another, completed request).
  const done = await requestUpTo(env, t, 'awaiting_acceptance', { title: SECRET_TITLE });
  await post(`/api/requests/${done}/accept-result`, t.requester);
  await post('/api/invoice-runs', t.finance, { period: currentPeriod() });
  const run = await env.client.workflow.getHandle(invoiceRunWorkflowId('DOR', currentPeriod())).result();
  const invoice = await env.models.Invoice.findById(run.invoiceIds[0]).lean();
  world.invoice.id = invoice!._id;
  world.invoice.number = invoice!.number!;
  world.netting.id = (await post('/api/netting-rounds', t.finance)).body.id;
  // A product of the shared centre in which only ZWN participates.
  const admin = await env.token('region-admin');
  await post('/api/contributions/products', admin, { _id: world.product.id, name: SECRET_PRODUCT, rules: { rest: [{ by: 'hours' }] } });
  const joined = await post(`/api/contributions/products/${world.product.id}/participations`, admin, {
    participant: 'ZWN',
    from: `${today().slice(0, 4)}-01-01`,
  });
  world.product.participationId = joined.body._id;
  const camt = new FormData();
  camt.append(
    'file',
    new Blob([
      new TextEncoder().encode(camt053({ statementId: SECRET_STATEMENT, entries: [{ amount: '1.00', txs: [{ amount: '1.00' }] }] })),
    ]),
    'afschrift.xml',
  );
  world.statement.id = (await env.api('POST', '/api/bank-statements', { token: t.finance, form: camt })).body[0].id;
}, 120_000);
afterAll(() => env.close());

/** Which resource a route's path is about, and the values of its parameters. */
function resourceOf(path: string): { kind: keyof typeof world | null; params: Record<string, string> } | null {
  if (path.startsWith('/api/requests/{id}'))
    return { kind: 'request', params: { id: world.request.id, entryId: world.request.entryId, attachmentId: world.request.attachmentId } };
  if (path.startsWith('/api/invoices/{id}')) return { kind: 'invoice', params: { id: world.invoice.id, lineNo: '1' } };
  if (path.startsWith('/api/organisation/users/{userId}')) return { kind: 'member', params: { userId: world.member.id } };
  if (path.startsWith('/api/netting-rounds/{id}')) return { kind: 'netting', params: { id: world.netting.id } };
  if (path.startsWith('/api/bank-statements/{id}')) return { kind: 'statement', params: { id: world.statement.id } };
  if (path.startsWith('/api/notifications/{id}')) return { kind: 'request', params: { id: world.request.mailId } };
  if (path.startsWith('/api/contributions/products/{id}')) return { kind: 'product', params: { id: world.product.id } };
  if (path.startsWith('/api/contributions/participations/{id}')) return { kind: 'product', params: { id: world.product.participationId } };
  // The region's catalogue: managed by the region's admin only, whoever's service it is.
  if (path.startsWith('/api/admin/services/{id}')) return { kind: null, params: { id: 'DOR-LEERPLICHT' } };
  if (path.startsWith('/api/admin/agreements/{id}')) return { kind: null, params: { id: 'DVO-ZWN-DOR-LEERPLICHT' } };
  // An organisation's own invoice run: another organisation's is out of reach by construction.
  if (path.startsWith('/api/invoice-runs/{period}')) return { kind: null, params: { period: currentPeriod() } };
  if (!path.includes('{')) return { kind: null, params: {} };
  return null;
}

test('for every route, every user of another organisation and its resource: 401, 403 or 404, and none of its data', async () => {
  const doc = (await env.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const users = (await env.api('GET', '/dev/users')).body as { userId: string; org: string; roles: string[] }[];
  // The data of each resource, as text that must not reach anyone outside its parties.
  const markersFor = (org: string) => [
    ...(world.request.parties.includes(org) ? [] : [SECRET_TITLE, SECRET_TEXT]),
    ...(world.invoice.parties.includes(org) ? [] : [world.invoice.number]),
    ...(world.product.parties.includes(org) ? [] : [SECRET_PRODUCT]),
    ...(world.statement.parties.includes(org) ? [] : [SECRET_STATEMENT]),
  ];
  const problems: string[] = [];
  const tokens = new Map<string, string>();
  const tokenOf = async (u: { userId: string; org: string }) => {
    const key = `${u.userId}@${u.org}`;
    if (!tokens.has(key)) tokens.set(key, await env.token(u.userId, u.org));
    return tokens.get(key)!;
  };
  let calls = 0;
  const unknown: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const resource = resourceOf(path);
    if (!resource) {
      unknown.push(path);
      continue;
    }
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => resource.params[name] ?? `unknown-${name}`);
    for (const [method, op] of Object.entries(ops)) {
      if (!op.security) continue; // public: health, the dev token issuer
      const anonymous = await env.api(method.toUpperCase(), url, { body: method === 'get' ? undefined : {} });
      calls += 1;
      if (anonymous.status !== 401) problems.push(`${method} ${url} without a token: ${anonymous.status}`);
      if (!resource.kind) continue;
      const parties = world[resource.kind].parties;
      for (const u of users.filter((x) => !parties.includes(x.org))) {
        const token = await tokenOf(u);
        const res = await env.api(method.toUpperCase(), url, { token, body: method === 'get' ? undefined : {} });
        calls += 1;
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        if (![401, 403, 404].includes(res.status)) problems.push(`${method} ${url} as ${u.userId}@${u.org}: ${res.status}`);
        for (const m of markersFor(u.org)) if (text.includes(m)) problems.push(`${method} ${url} as ${u.userId}@${u.org}: shows "${m}"`);
      }
    }
  }
  // Lists and searches without a resource in the path: another organisation's data never shows.
  for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => !p.includes('{') && !p.startsWith('/dev/'))) {
    if (!ops.get?.security) continue;
    for (const u of users) {
      const res = await env.api('GET', path, { token: await tokenOf(u) });
      calls += 1;
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      for (const m of markersFor(u.org)) if (text.includes(m)) problems.push(`GET ${path} as ${u.userId}@${u.org}: shows "${m}"`);
    }
  }
  expect(unknown).toEqual([]);
  expect(problems).toEqual([]);
  expect(calls).toBeGreaterThan(500);
}, 600_000);
