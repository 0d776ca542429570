// The OpenAPI document matches the mounted routes; the web entry point is Dutch; the dev
// token issuer exists only when configured on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import type { Router } from 'express';
import { createApiRouter } from '../../api';
import { createApplication } from '../../app';
import { createServer } from '../../server/http';
import { loadConfig } from '../../config';
import { connectDatabase } from '../../models/connect';
import { seedDemoData } from '../../models/demo-data';
import { createTestEnv, type TestEnv } from '../support/env';
import { openapiChecker } from '../support/openapi-check';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ seed: false });
});
afterAll(() => env.close());

/** Method + path of every route Express actually has, in OpenAPI notation. */
function mountedRoutes(router: Router): string[] {
  const out: string[] = [];
  const visit = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) visit(layer.handle.stack);
    }
  };
  visit((router as any).stack);
  return out;
}

test('when /openapi.json is fetched, then it is OpenAPI 3.1 and lists exactly the API routes', async () => {
  const res = await env.api('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m} ${p}`),
  );
  const { router } = createApiRouter(createApplication({ models: env.models, client: env.client, taskQueue: env.taskQueue }), env.config);
  const mounted = mountedRoutes(router).filter((r) => !['get /openapi.json'].includes(r));
  expect(documented.sort()).toEqual(mounted.sort());
  // request bodies carry their schema, with the fields a client must send
  expect(res.body.paths['/api/requests'].post.requestBody.content['application/json'].schema.required).toEqual(
    expect.arrayContaining(['serviceId', 'title']),
  );
  expect(res.body.paths['/api/requests/{id}'].get.security).toEqual([{ bearer: [] }]);
});

test('when the home page is opened, then it is Dutch HTML with security headers', async () => {
  const res = await fetch(`${env.baseUrl}/`);
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('<html lang="nl">');
  expect(html).toContain('Van zevenvoud naar eenvoud');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

test('when an unknown route is asked for, then 404 problem+json without a stack trace', async () => {
  const res = await env.api('GET', '/api/nothing-here');
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
});

test('when DEV_AUTH is off, then there is no token issuer', async () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    DEV_AUTH: 'false',
    JWT_SECRET: 'x'.repeat(40),
    SESSION_SECRET: 'y'.repeat(40),
    MONGODB_URI: env.config.mongodbUri,
    TEMPORAL_ADDRESS: env.config.temporalAddress,
    LOG_LEVEL: 'silent',
  });
  const db = await connectDatabase(config.mongodbUri);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const { app } = createServer({ config, models: db.models, client: new Client({ connection }), logger: pino({ level: 'silent' }) });
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"userId":"zwn-requester"}',
    });
    expect(res.status).toBe(404);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).not.toContain('/dev/token');
  } finally {
    await new Promise((r) => server.close(r));
    await connection.close();
    await db.close();
  }
});

test('when the health endpoint is asked, then both dependencies are up', async () => {
  const res = await env.api('GET', '/health');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ ok: true, checks: { mongodb: true, temporal: true } });
});

test('when the demo data is seeded into an empty database twice at once, then it is there once', async () => {
  const results = await Promise.all([seedDemoData(env.models), seedDemoData(env.models)]);
  expect(results).toContain(true);
  expect(await env.models.Organisation.countDocuments()).toBe(8);
  expect(await env.models.User.countDocuments({ _id: 'zwn-requester' })).toBe(1);
  expect(await env.models.Agreement.countDocuments()).toBe(7);
  expect(await seedDemoData(env.models)).toBe(false);
  const dor = await env.models.Organisation.findById('DOR').lean();
  expect(dor).toMatchObject({ name: 'Gemeente Dordrecht', population: 119_500 });
  expect(dor!.iban).toMatch(/^NL\d{2}BNGH\d{10}$/);
});

test('when the demo login is off and the secrets are the public development ones, then no server is built', () => {
  const config = loadConfig({ NODE_ENV: 'development', DEV_AUTH: 'false', MONGODB_URI: env.config.mongodbUri, LOG_LEVEL: 'silent' });
  expect(() => createServer({ config, models: env.models, client: env.client, logger: pino({ level: 'silent' }) })).toThrow(
    /development secrets are public/,
  );
});

test('the response check of the integration tests finds an answer that does not match the document', async () => {
  const doc = (await env.api('GET', '/openapi.json')).body;
  const check = openapiChecker(doc);
  const json = 'application/json; charset=utf-8';
  expect(check('GET', '/api/requests', 200, json, { items: [], total: 0, page: 1, pageSize: 50 })).toBeNull();
  expect(check('GET', '/api/requests', 200, json, { items: 'none', total: 0, page: 1, pageSize: 50 })).toMatch(/does not match/);
  expect(check('GET', '/api/balances', 200, json, [{ creditor: 'DOR' }])).toMatch(/does not match/);
  expect(check('POST', '/api/requests', 302, json, {})).toMatch(/not documented/);
  // A refusal must name a known code.
  const problem = { type: 'about:blank', title: 'x', status: 409, detail: 'x', code: 'budget_exceeded', params: {} };
  expect(check('POST', '/api/requests/X/time-entries', 409, 'application/problem+json', problem)).toBeNull();
  expect(check('POST', '/api/requests/X/time-entries', 409, 'application/problem+json', { ...problem, code: 'nope' })).toMatch(
    /does not match/,
  );
});
