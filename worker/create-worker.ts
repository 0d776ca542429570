import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createViews } from '../lib/views';
import type { Models } from '../models';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  models: Models;
  slaTimeScale?: number;
  /** Where the pages are, for the links in mails. */
  publicBaseUrl?: string;
  /** For activities that send Updates to other workflows. */
  client?: Client;
  /** Wraps the activities (the step-breakdown benchmark times each one). */
  wrapActivities?: <T extends object>(activities: T) => T;
  /** Workflows kept in memory (WORKER_MAX_CACHED_WORKFLOWS): fewer evictions and replays under load. */
  maxCachedWorkflows?: number;
  /** Whether this system keeps the providers' Temporal Schedules (INVOICE_SCHEDULES): the daily clean-up repairs them. */
  schedules?: boolean;
  /** A prebuilt bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Written by the build (scripts/bundle-workflows.ts) next to the compiled code. */
export const WORKFLOW_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

/** The build's bundle when there is one: starting without webpack saves time and memory. */
export function prebuiltBundle(): WorkerOptions['workflowBundle'] | undefined {
  return fs.existsSync(WORKFLOW_BUNDLE) ? { codePath: WORKFLOW_BUNDLE } : undefined;
}

export function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: (deps.wrapActivities ?? ((a) => a))(
      createActivities({
        models: deps.models,
        views: createViews(),
        slaTimeScale: deps.slaTimeScale ?? 1,
        publicBaseUrl: deps.publicBaseUrl ?? 'http://127.0.0.1:3000',
        client: deps.client,
        schedules: deps.schedules ?? false,
      }),
    ),
    // When a worker dies, its workflows' next tasks wait this long on its sticky queue before
    // another worker takes them (Temporal's default is 10 s): recovery within a few seconds.
    stickyQueueScheduleToStartTimeout: '1s',
    maxCachedWorkflows: deps.maxCachedWorkflows ?? 250,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
