// The system in one process for the benchmarks that look inside a step (bench:breakdown,
// bench:queries): the embedded Temporal dev server and FerretDB as children, and the product's
// worker and API built as worker/main.ts and server/main.ts build them, on a database
// connection with the driver's command events on.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import mongoose from 'mongoose';
import pino from 'pino';
import { loadConfig } from '../config';
import { createModels, syncIndexes } from '../models';
import { seedDemoData } from '../models/demo-data';
import { freePort, readTools, startFerretDb, startTemporal, type Started } from '../scripts/servers';
import { createServer, tuneHttpServer } from '../server/http';
import { createWorker, prebuiltBundle, type WorkerDeps } from '../worker/create-worker';

export async function startInProcess(opts: {
  /** Names the temporary directory and the task queue. */
  name: string;
  logLevel: string;
  sqlitePragmas: string[];
  wrapActivities?: WorkerDeps['wrapActivities'];
  log?: (m: string) => void;
}) {
  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `eenvoud-bench-${opts.name}-`));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const started: Started[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  /** Stops everything; the directory goes too unless the run failed (its logs are kept). */
  const stop = async (ok: boolean) => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    if (ok) fs.rmSync(dir, { recursive: true, force: true });
    else console.error(`logs kept in ${dir}`);
  };
  try {
    opts.log?.(`servers in ${dir} (Temporal SQLite pragmas: ${opts.sqlitePragmas.join(', ') || 'none'})`);
    started.push(
      await startTemporal({
        cli: tools.TEMPORAL_CLI,
        port: temporalPort,
        dbFile: path.join(dir, 'temporal.db'),
        logFile: path.join(dir, 'temporal.log'),
        sqlitePragmas: opts.sqlitePragmas,
      }),
    );
    started.push(
      await startFerretDb({
        bin: tools.FERRETDB_BIN,
        port: mongoPort,
        dataDir: path.join(dir, 'ferretdb'),
        logFile: path.join(dir, 'ferretdb.log'),
      }),
    );
    const mongodbUri = `mongodb://127.0.0.1:${mongoPort}/eenvoud_bench`;
    const config = loadConfig({
      NODE_ENV: 'development',
      DEV_AUTH: 'true',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      MONGODB_URI: mongodbUri,
      TASK_QUEUE: `bench-${opts.name}`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: opts.logLevel,
    });

    // As models/connect.ts, with the driver's command events on.
    const conn = mongoose.createConnection(mongodbUri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, monitorCommands: true });
    await conn.asPromise();
    cleanup.push(() => conn.close());
    const models = createModels(conn);
    await syncIndexes(models);
    await seedDemoData(models);

    Runtime.install({ logger: new DefaultLogger('WARN') });
    const connection = await Connection.connect({ address: config.temporalAddress });
    cleanup.push(() => connection.close());
    const client = new Client({ connection });

    const workerConnection = await NativeConnection.connect({ address: config.temporalAddress });
    const worker = await createWorker({
      connection: workerConnection,
      client,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      models,
      publicBaseUrl: config.publicBaseUrl,
      workflowBundle: prebuiltBundle(),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      wrapActivities: opts.wrapActivities,
    });
    const running = worker.run();
    cleanup.push(async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await workerConnection.close();
    });

    // The API's log lines go to a file.
    const logger = pino({ name: 'api', level: opts.logLevel }, pino.destination({ dest: path.join(dir, 'api.log'), sync: true }));
    const { app, application } = createServer({ config, models, client, logger });
    const server = tuneHttpServer(app.listen(0, '127.0.0.1'));
    await new Promise<void>((resolve) => server.once('listening', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { dir, config, conn, models, client, application, base, stop };
  } catch (err) {
    await stop(false);
    throw err;
  }
}
