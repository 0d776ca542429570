// Recorded workflow histories for the replay tests. Recorded by running the integration
// tests with RECORD_HISTORIES=1 (exported with the Temporal CLI, the format replay reads);
// committed under tests/fixtures/histories.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readTools } from '../../scripts/servers';
import type { TestEnv } from './env';

export const HISTORY_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

export async function recordHistory(env: TestEnv, workflowId: string, name: string, runId?: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const json = execFileSync(readTools().TEMPORAL_CLI, [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    ...(runId ? ['--run-id', runId] : []),
    '--namespace',
    env.config.TEMPORAL_NAMESPACE,
    '--address',
    env.config.temporalAddress,
    '--output',
    'json',
  ]);
  fs.mkdirSync(HISTORY_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORY_DIR, `${name}.json`), json);
}
