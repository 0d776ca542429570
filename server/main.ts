// The API process: the JSON API and the server-rendered pages on one HTTP server.
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { connectDatabase } from '../models/connect';
import { seedDemoData } from '../models/demo-data';
import { createServer, tuneHttpServer } from './http';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  const { models, close } = await connectDatabase(config.mongodbUri);
  if (config.SEED_DEMO_DATA && (await seedDemoData(models))) logger.info('demo data seeded');
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const { app } = createServer({ config, models, client, logger });
  const server = tuneHttpServer(app.listen(config.PORT, config.HOST, () => logger.info({ port: config.PORT }, 'api listening')));
  const shutdown = () => {
    logger.info('api stopping');
    server.close(async () => {
      await connection.close();
      await close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
