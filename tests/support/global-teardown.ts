import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__EENVOUD_SERVERS__;
  if (!servers) return;
  for (const s of servers.started) await s.stop();
  if (!process.env.KEEP_TEST_DIR) fs.rmSync(servers.dir, { recursive: true, force: true });
}
