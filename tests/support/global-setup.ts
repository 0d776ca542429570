// Starts a fresh Temporal dev server and FerretDB on free ports for the integration tests,
// and bundles the workflow code once for every worker the tests create.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, readTools, startFerretDb, startTemporal, type Started } from '../../scripts/servers';

export const TEST_NAMESPACES = Array.from({ length: 8 }, (_, i) => `test-${i + 1}`);

declare global {
  var __EENVOUD_SERVERS__: { started: Started[]; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const tools = readTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-test-'));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const [temporal, ferret, bundle] = await Promise.all([
    startTemporal({
      cli: tools.TEMPORAL_CLI,
      port: temporalPort,
      logFile: path.join(dir, 'temporal.log'),
      // One namespace per Jest worker: business workflow ids (invoice-run-DOR-2026-11) of
      // test files running side by side cannot collide.
      namespaces: TEST_NAMESPACES,
    }),
    startFerretDb({
      bin: tools.FERRETDB_BIN,
      port: mongoPort,
      dataDir: path.join(dir, 'ferretdb'),
      logFile: path.join(dir, 'ferretdb.log'),
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  globalThis.__EENVOUD_SERVERS__ = { started: [temporal, ferret], dir };
  // Test workers are child processes started after this: they inherit these variables.
  process.env.EENVOUD_TEST_TEMPORAL = `127.0.0.1:${temporalPort}`;
  process.env.EENVOUD_TEST_MONGO = `mongodb://127.0.0.1:${mongoPort}`;
  process.env.EENVOUD_TEST_BUNDLE = bundlePath;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
