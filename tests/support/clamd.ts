// A real ClamAV daemon for the virus-scan tests: clamd from Debian's packages with a one-line
// signature database that knows only the EICAR test file (scripts/install-clamav.sh; npm test
// installs it). It starts in well under a second, on a free port, in a folder of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function readClamav(): Record<string, string> {
  const file = path.join(ROOT, '.tools', 'clamav.env');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/install-clamav.sh (npm test does)`);
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const ping = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('connect', () => socket.write('zPING\0'));
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('end', () => resolve(reply.startsWith('PONG')));
    socket.on('error', () => resolve(false));
  });

export interface Clamd {
  port: number;
  /** The name clamd reports for the EICAR test file. */
  eicarSignature: string;
  stop(): Promise<void>;
}

export async function startClamd(): Promise<Clamd> {
  const tools = readClamav();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eenvoud-clamd-'));
  const port = await freePort();
  const conf = path.join(dir, 'clamd.conf');
  fs.writeFileSync(
    conf,
    [
      'Foreground yes',
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${tools.CLAMAV_DB_DIR}`,
      `TemporaryDirectory ${dir}`,
      `PidFile ${dir}/clamd.pid`,
      `LogFile ${dir}/clamd.log`,
      'StreamMaxLength 25M',
      'SelfCheck 0',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(tools.CLAMD_BIN!, ['-c', conf], {
    env: { ...process.env, LD_LIBRARY_PATH: tools.CLAMAV_LIB_DIR },
    stdio: 'ignore',
  });
  const until = Date.now() + 30_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      const log = fs.existsSync(path.join(dir, 'clamd.log')) ? fs.readFileSync(path.join(dir, 'clamd.log'), 'utf8') : '';
      child.kill('SIGKILL');
      throw new Error(`clamd did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    eicarSignature: tools.CLAMAV_EICAR_SIGNATURE ?? 'Eicar-Test-Signature.UNOFFICIAL',
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
