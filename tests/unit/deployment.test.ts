// No Docker engine runs here, so the deployment files are checked statically.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../config';
import { WORKER_NODE_FLAGS } from '../../scripts/servers';

const root = path.join(__dirname, '..', '..');
const doc = parseDocument(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const compose = doc.toJS({ maxAliasCount: 100 }) as { services: Record<string, any> };

describe('docker-compose.yml', () => {
  test('it parses without errors', () => {
    expect(doc.errors).toEqual([]);
  });

  test('it runs mongo:7, Temporal with PostgreSQL, the Temporal UI, and the api and worker', () => {
    const s = compose.services;
    expect(s.mongo.image).toBe('mongo:7');
    expect(s.postgresql.image).toMatch(/^postgres:/);
    expect(s.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(s.temporal.environment.DB).toMatch(/^postgres/);
    expect(s['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(s.api.build).toBe('.');
    expect(s.worker.build).toBe('.');
  });

  test('every long-running service has a health check, and the app waits for healthy dependencies', () => {
    for (const name of ['mongo', 'postgresql', 'temporal', 'temporal-ui', 'api', 'worker']) {
      expect(compose.services[name].healthcheck?.test).toBeDefined();
    }
    for (const name of ['api', 'worker']) {
      expect(compose.services[name].depends_on).toMatchObject({
        mongo: { condition: 'service_healthy' },
        temporal: { condition: 'service_healthy' },
      });
    }
  });

  test("the app's environment uses only variables the config reads, and the config accepts the values", () => {
    for (const name of ['api', 'worker']) {
      const env = compose.services[name].environment as Record<string, string>;
      const unknown = Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k));
      expect(unknown).toEqual([]);
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['MONGODB_URI', 'TEMPORAL_ADDRESS', 'NODE_ENV', 'JWT_SECRET']));
      // Interpolate ${VAR:?..} / ${VAR:-default} the way compose would, then validate.
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v).replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_m, n: string, d: string) =>
            n === 'JWT_SECRET' ? 'x'.repeat(40) : (d ?? ''),
          ),
        ]),
      );
      expect(() => loadConfig(resolved)).not.toThrow();
    }
  });

  test('the commands point at entry points that exist in the source', () => {
    expect(compose.services.api.command).toContain('dist/server/main.js');
    expect(compose.services.worker.command).toContain('dist/worker/main.js');
    expect(fs.existsSync(path.join(root, 'server', 'main.ts'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'worker', 'main.ts'))).toBe(true);
  });

  test('the worker runs with the same memory flags as in the embedded set-up and the benchmark', () => {
    expect(compose.services.worker.command).toEqual(expect.arrayContaining(WORKER_NODE_FLAGS));
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  test('it builds with the lock file and copies every source folder the build compiles', () => {
    expect(dockerfile).toMatch(/npm ci/);
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const dir of build.include) expect(dockerfile).toContain(`COPY ${dir} ${dir}`);
    expect(dockerfile).toContain('COPY templates templates');
    expect(dockerfile).toMatch(/USER node/);
  });
});
