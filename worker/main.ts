// The worker process: polls the task queue and runs workflows and activities.
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../models/connect';
import { createLogger } from '../config/logger';
import { createWorker } from './create-worker';
import { startMailDispatcher } from './mail-dispatcher';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  const { models, close } = await connectDatabase(config.mongodbUri);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    models,
    slaTimeScale: config.SLA_TIME_SCALE,
  });
  logger.info({ taskQueue: config.TASK_QUEUE, temporal: config.temporalAddress }, 'worker started');
  const mail = startMailDispatcher({
    models,
    logger,
    transport: config.MAIL_TRANSPORT,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
  });
  // Worker.run() stops on SIGINT/SIGTERM by itself (shutdownSignals), finishing running tasks.
  await worker.run();
  await mail.stop();
  await connection.close();
  await close();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
