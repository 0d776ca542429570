// The worker process: polls the task queue and runs workflows and activities.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../models/connect';
import { seedDemoData } from '../models/demo-data';
import { createLogger } from '../config/logger';
import { createWorker, prebuiltBundle } from './create-worker';
import { startMailDispatcher } from './mail-dispatcher';
import { ensureContributionSchedules, ensureHousekeepingSchedule, ensureInvoiceSchedules } from '../lib/schedules';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  // How long each part of the start took (ms since the process began), in the start log line.
  const startup: Record<string, number> = { modulesLoaded: Math.round(performance.now()) };
  const mark = (part: string) => (startup[part] = Math.round(performance.now()));
  const { models, close } = await connectDatabase(config.mongodbUri);
  mark('databaseReady');
  // Seeding is idempotent and race-safe; the worker needs the providers for its schedules.
  if (config.SEED_DEMO_DATA) await seedDemoData(models);
  mark('seeded');
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const clientConnection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  mark('temporalConnected');
  const worker = await createWorker({
    client,
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    models,
    slaTimeScale: config.SLA_TIME_SCALE,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    publicBaseUrl: config.publicBaseUrl,
    schedules: config.INVOICE_SCHEDULES,
    workflowBundle: config.WORKFLOW_BUNDLE ? { codePath: config.WORKFLOW_BUNDLE } : prebuiltBundle(),
  });
  mark('workerCreated');
  if (config.INVOICE_SCHEDULES) {
    const created = await ensureInvoiceSchedules(client, models, config.TASK_QUEUE);
    if (created.length) logger.info({ providers: created }, 'invoice schedules created');
    const centres = await ensureContributionSchedules(client, models, config.TASK_QUEUE);
    if (centres.length) logger.info({ providers: centres }, 'contribution schedules created');
    if (await ensureHousekeepingSchedule(client, config.TASK_QUEUE)) logger.info('housekeeping schedule created');
    mark('schedulesChecked');
  }
  const mail = startMailDispatcher({
    models,
    logger,
    transport: config.MAIL_TRANSPORT,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
  });
  // Worker.run() stops on SIGINT/SIGTERM by itself (shutdownSignals), finishing running tasks.
  const running = worker.run();
  mark('polling');
  logger.info({ taskQueue: config.TASK_QUEUE, temporal: config.temporalAddress, startup }, 'worker started');
  await running;
  await mail.stop();
  await clientConnection.close();
  await connection.close();
  await close();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
