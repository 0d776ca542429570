// Shared by the benchmarks (bench/step-breakdown.ts, bench/scale.ts): figures, the machine,
// process readings from /proc, and the options every benchmark reads the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parseSqlitePragmas, temporalSqlitePragmas } from '../scripts/servers';

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Nearest-rank percentiles, in milliseconds (one decimal). */
export function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : 0);
  return {
    count: s.length,
    p50: round1(at(50)),
    p95: round1(at(95)),
    mean: round1(s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0),
    min: round1(s[0] ?? 0),
    max: round1(s[s.length - 1] ?? 0),
  };
}

/** A whole number from the environment, or the default. */
export function envInt(name: string, dflt: number, min = 0): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}, got ${v}`);
  return n;
}

/** The Temporal dev server's SQLite pragmas: BENCH_SQLITE_PRAGMAS, else those of npm start. */
export function benchSqlitePragmas(): string[] {
  const v = process.env.BENCH_SQLITE_PRAGMAS;
  return v !== undefined ? parseSqlitePragmas(v, 'BENCH_SQLITE_PRAGMAS') : temporalSqlitePragmas();
}

const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;

/** The machine, and how busy it was: other work on it skews the figures. */
export function machineInfo(loadAtStart: number) {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    loadAverage1m: { atStart: loadAtStart, atEnd: load1() },
  };
}
export { load1 };

/** CPU time (user + system) of a process so far, in seconds; /proc clock ticks are 1/100 s on Linux. */
export function cpuOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB (VmRSS), or null when it is gone. */
export function rssMbOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export const benchLog = (name: string) => (m: string) => console.log(`[${name} ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** Writes a result file as Prettier formats it: the results are committed, and `npm run lint` checks them. */
export async function writeResult(file: string, value: unknown): Promise<void> {
  const text = await format(JSON.stringify(value, null, 2), { ...(await resolveConfig(file)), filepath: file });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Runs a benchmark's main and exits: 0 when it finished, 1 (with the error) when it failed. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
