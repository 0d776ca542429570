// `npm start`: the whole system on the embedded default. Starts the Temporal dev server and
// FerretDB (unless TEMPORAL_ADDRESS / MONGODB_URI point elsewhere), then the worker and the API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import {
  readTools,
  startFerretDb,
  startTemporal,
  stopChild,
  temporalSqlitePragmas,
  waitForPort,
  WORKER_NODE_FLAGS,
  type Started,
} from './servers';

const DIST = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  process.env.DEV_AUTH ??= process.env.NODE_ENV === 'production' ? 'false' : 'true';
  const config = loadConfig();
  const logs = path.join(config.dataDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const tools = readTools();
  const started: Started[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Eenvoud…');
    for (const c of [...children].reverse()) await stopChild(c);
    for (const s of [...started].reverse()) await s.stop();
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (!config.TEMPORAL_ADDRESS) {
      const sqlitePragmas = temporalSqlitePragmas();
      console.log(
        `Starting Temporal dev server on ${config.temporalAddress} (state in ${config.dataDir}/temporal.db` +
          `${sqlitePragmas.length ? `, SQLite ${sqlitePragmas.join(', ')}` : ''})…`,
      );
      started.push(
        await startTemporal({
          cli: tools.TEMPORAL_CLI,
          port: config.TEMPORAL_PORT,
          uiPort: config.TEMPORAL_UI_PORT,
          dbFile: path.join(config.dataDir, 'temporal.db'),
          logFile: path.join(logs, 'temporal.log'),
          // WAL + synchronous=NORMAL by default; TEMPORAL_SQLITE_PRAGMAS changes them (empty or "none": SQLite's own).
          sqlitePragmas,
        }),
      );
    }
    if (!config.MONGODB_URI) {
      console.log(`Starting FerretDB on 127.0.0.1:${config.FERRETDB_PORT} (SQLite in ${config.dataDir}/ferretdb)…`);
      started.push(
        await startFerretDb({
          bin: tools.FERRETDB_BIN,
          port: config.FERRETDB_PORT,
          dataDir: path.join(config.dataDir, 'ferretdb'),
          logFile: path.join(logs, 'ferretdb.log'),
        }),
      );
    }
  } catch (err) {
    console.error(`Could not start the embedded servers: ${(err as Error).message}. Logs are in ${logs}.`);
    await stopAll(1);
  }

  const env = { ...process.env, TEMPORAL_ADDRESS: config.temporalAddress, MONGODB_URI: config.mongodbUri };
  const run = (name: string, script: string, flags: string[] = []) => {
    // detached: Ctrl-C reaches only this process, which then stops the children in order.
    const child = spawn(process.execPath, ['--enable-source-maps', ...flags, path.join(DIST, script)], {
      env,
      stdio: 'inherit',
      detached: true,
    });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything.`);
        void stopAll(1);
      }
    });
    children.push(child);
    return child;
  };
  run('worker', 'worker/main.js', WORKER_NODE_FLAGS);
  const api = run('api', 'server/main.js');
  await waitForPort(config.PORT, 120_000, api);

  console.log(`
Eenvoud is running.
  App:          http://${config.HOST}:${config.PORT}/
  API document: http://${config.HOST}:${config.PORT}/openapi.json
  Temporal UI:  ${config.TEMPORAL_ADDRESS ? '(external Temporal server)' : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}/`}
  Dev login:    ${config.DEV_AUTH ? 'on (demo users, POST /dev/token)' : 'off'}
Press Ctrl-C to stop.`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
