// The layers are kept apart by lint: the web pages and the API never import each other, and
// neither reaches the database models, the activities or the workflows around the application
// layer. These checks run the project's own ESLint configuration on probe files.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** ESLint's messages for a probe file's text, as `npx eslint` reports them (run as a process: its config is ESM). */
async function problems(file: string, code: string): Promise<string[]> {
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as { messages: { message: string }[] }[];
  return result!.messages.map((m) => m.message);
}

test.each([
  ['web/pages/probe.ts', "import { RouteRegistry } from '../../api/registry';\nexport const x = RouteRegistry;\n", /do not import the API/],
  [
    'api/routes/probe.ts',
    "import { createWebRouter } from '../../web';\nexport const x = createWebRouter;\n",
    /does not import the web pages/,
  ],
  ['web/pages/probe.ts', "import { createModels } from '../../models';\nexport const x = createModels;\n", /not the database models/],
  [
    'api/routes/probe.ts',
    "import { createActivities } from '../../activities';\nexport const x = createActivities;\n",
    /Activities run in the worker/,
  ],
  ['web/pages/probe.ts', "import * as msg from '../../contracts';\nexport const x = msg;\n", /application layer's to send/],
  ['app/requests/probe.ts', "import express from 'express';\nexport const x = express;\n", /knows no transport/],
])('%s: a forbidden import fails lint', async (file, code, message) => {
  expect((await problems(file, code)).some((m) => message.test(m))).toBe(true);
});

test('an import of the application layer is what the transports do, and passes', async () => {
  expect(await problems('web/pages/probe.ts', "import type { Application } from '../../app';\nexport type X = Application;\n")).toEqual([]);
  expect(await problems('api/routes/probe.ts', "import type { Application } from '../../app';\nexport type X = Application;\n")).toEqual(
    [],
  );
});
