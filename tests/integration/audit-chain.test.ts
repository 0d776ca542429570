// The audit trail is tamper-evident: each event carries the hash of the one before it. An event
// edited in the database is reported by the API and by `npm run audit:verify`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, type StoryTokens } from '../support/story';

let env: TestEnv;
let t: StoryTokens;
beforeAll(async () => {
  env = await createTestEnv();
  t = await storyTokens(env);
});
afterAll(() => env.close());

const verifyScript = () =>
  spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'scripts', 'verify-audit.js')], {
    env: { ...process.env, MONGODB_URI: env.config.mongodbUri, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });

test('when an audit event is edited in the database, then the API and the verification command report the first broken link', async () => {
  const id = await requestUpTo(env, t, 'in_review', { title: 'Keten' });
  const verify = () => env.api('GET', `/api/requests/${id}/audit/verify`, { token: t.coordinator });
  const intact = await verify();
  expect(intact.status).toBe(200);
  expect(intact.body).toMatchObject({ subject: `request-${id}`, ok: true, from: 1 });
  expect(intact.body.events).toBeGreaterThanOrEqual(6);
  const before = verifyScript();
  expect(before.status).toBe(0);
  expect(before.stdout).toMatch(/every chain intact/);

  // Somebody with database access changes who accepted the intake (seq 2): the model refuses,
  // so they go around it.
  await expect(env.models.AuditEvent.updateOne({ _id: `request-${id}:2` }, { $set: { actor: 'x' } })).rejects.toThrow(/append-only/);
  await env.models.AuditEvent.collection.updateOne({ _id: `request-${id}:2` } as never, { $set: { actor: 'dor-staff' } });
  expect((await verify()).body).toMatchObject({ ok: false, brokenAt: 2, problem: 'hash_mismatch' });
  const after = verifyScript();
  expect(after.status).toBe(1);
  expect(after.stdout).toContain(`BROKEN  request-${id}: event 2 (hash mismatch)`);

  // Another municipality cannot ask.
  expect((await env.api('GET', `/api/requests/${id}/audit/verify`, { token: await env.token('pap-requester') })).status).toBe(404);
});
