// One isolated world per test file: its own database and task queue on the shared servers,
// a real worker, and the real API on port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { ulid } from 'ulid';
import { createServer, tuneHttpServer } from '../../server/http';
import { openapiChecker } from './openapi-check';
import { loadConfig, type Config } from '../../config';
import { connectDatabase } from '../../models/connect';
import { demoAgreements, demoOrganisations, demoServices, demoUsers } from '../../models/demo-data';
import type { Models } from '../../models';
import { createWorker, type WorkerDeps } from '../../worker/create-worker';

let runtimeInstalled = false;

export interface TestEnv {
  baseUrl: string;
  models: Models;
  client: Client;
  config: Config;
  taskQueue: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  token(userId: string, org?: string): Promise<string>;
  api(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; form?: FormData; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Where the test system says its pages are (PUBLIC_BASE_URL): the links in its mails. */
export const PUBLIC_BASE_URL = 'https://eenvoud.regio.test';

export function todayInNL(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
}

export async function createTestEnv(
  opts: {
    seed?: boolean;
    slaTimeScale?: number;
    config?: Record<string, string>;
    /** Wraps the worker's activities (e.g. to make one slow, so that a test can act while it runs). */
    wrapActivities?: WorkerDeps['wrapActivities'];
  } = {},
): Promise<TestEnv> {
  const temporalAddress = process.env.EENVOUD_TEST_TEMPORAL;
  const mongo = process.env.EENVOUD_TEST_MONGO;
  const bundlePath = process.env.EENVOUD_TEST_BUNDLE;
  if (!temporalAddress || !mongo || !bundlePath) throw new Error('integration tests need the global setup (run them with npm test)');
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const taskQueue = `test-${ulid()}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DEV_AUTH: 'true',
    TEMPORAL_ADDRESS: temporalAddress,
    MONGODB_URI: `${mongo}/t_${ulid().toLowerCase()}`,
    TASK_QUEUE: taskQueue,
    TEMPORAL_NAMESPACE: `test-${process.env.JEST_WORKER_ID ?? '1'}`,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    // Schedules live in the namespace that a Jest worker's test files share: only where a test asks.
    INVOICE_SCHEDULES: 'false',
    ...opts.config,
  });
  const db = await connectDatabase(config.mongodbUri);
  const models = db.models;
  if (opts.seed !== false) {
    const year = Number(todayInNL().slice(0, 4));
    await models.Organisation.insertMany(demoOrganisations());
    await models.User.insertMany(demoUsers());
    await models.Service.insertMany(demoServices());
    await models.Agreement.insertMany(demoAgreements(`${year - 1}-01-01`, `${year + 1}-12-31`));
  }

  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });

  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  const startWorker = async () => {
    worker = await createWorker({
      connection: nativeConnection,
      client,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      models,
      schedules: config.INVOICE_SCHEDULES,
      workflowBundle: { codePath: bundlePath },
      slaTimeScale: opts.slaTimeScale ?? 1,
      publicBaseUrl: PUBLIC_BASE_URL,
      wrapActivities: opts.wrapActivities,
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.shutdown();
    await running;
    worker = null;
    running = null;
  };
  await startWorker();

  const { app } = createServer({ config, models, client, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const server = tuneHttpServer(http.createServer(app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Every answer the tests receive is checked against the API's own OpenAPI document.
  let check: ReturnType<typeof openapiChecker> | null = null;
  const api: TestEnv['api'] = async (method, path, o = {}) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.form ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (path !== '/openapi.json') {
      check ??= openapiChecker((await (await fetch(`${baseUrl}/openapi.json`)).json()) as never);
      const problem = check(method, path, res.status, res.headers.get('content-type'), body);
      if (problem) throw new Error(`response schema: ${problem}\n${text.slice(0, 500)}`);
    }
    return { status: res.status, body, headers: res.headers };
  };

  const token = async (userId: string, org?: string) => {
    const r = await api('POST', '/dev/token', { body: { userId, ...(org ? { org } : {}) } });
    if (r.status !== 200) throw new Error(`no token for ${userId}: ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };

  return {
    baseUrl,
    models,
    client,
    config,
    taskQueue,
    startWorker,
    stopWorker,
    token,
    api,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopWorker();
      await nativeConnection.close();
      await connection.close();
      await models.Request.db.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}
