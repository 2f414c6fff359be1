import { readdirSync, readFileSync } from 'node:fs';
import type { StackProfile } from '../src/stack/profile';
import type { CpuByService } from './cpu';

/**
 * CPU seconds by service of ONE stack: the processes this benchmark started (its descendants,
 * named after the service each top-level child is) and the PostgreSQL backends serving the
 * profile's databases. cpu.ts counts every matching process on the machine, which is right on a
 * quiet machine but adds the work of other profiles' stacks (a test run beside the benchmark) to
 * ours. Linux only, from /proc; the result is cpu.ts's type, so describeCpuPerItem prints it.
 */

const CLOCK_TICKS_PER_SECOND = 100;

interface Proc {
  pid: number;
  ppid: number;
  /** Own user + system time, plus that of children it has reaped (a service's short-lived helpers). */
  seconds: number;
  cmdline: string;
}

function readProc(pid: number): Proc | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { pid, ppid: Number(fields[1]), seconds: ticks / CLOCK_TICKS_PER_SECOND, cmdline };
  } catch {
    // Gone between the listing and the read.
    return null;
  }
}

/** What each top-level child of the benchmark runs, by its command line (startStack spawns one per service). */
const SERVICE_BY_COMMAND: ReadonlyArray<readonly [string, string]> = [
  ['start-dev', 'temporal'],
  ['trytond', 'tryton'],
  ['src/workers/', 'worker'],
  ['src/api/', 'bridge'],
  ['src/codec/', 'codec'],
  ['apps/medusa', 'medusa'],
  ['apps/strapi', 'strapi'],
  // tsx's esbuild service, which compiles this benchmark's own TypeScript.
  ['esbuild', 'bench client'],
];

export function stackCpu(profile: StackProfile): CpuByService {
  const procs = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    const p = /^\d+$/.test(entry) ? readProc(Number(entry)) : null;
    if (p) procs.set(p.pid, p);
  }
  const databases: ReadonlyArray<readonly [string, string]> = [
    [profile.medusaDatabase, 'postgres·medusa'],
    [profile.trytonErpDatabase, 'postgres·tryton'],
    [profile.trytonWmsDatabase, 'postgres·tryton'],
  ];
  const serviceOf = (p: Proc): string | null => {
    if (p.pid === process.pid) return 'bench client';
    // A backend's title names its database: "postgres: 15/main: hub <database> 127.0.0.1(…) idle".
    if (p.cmdline.startsWith('postgres: ')) return databases.find(([db]) => p.cmdline.includes(` ${db} `))?.[1] ?? null;
    let top = p;
    for (let parent = procs.get(top.ppid); parent && parent.pid !== process.pid; parent = procs.get(top.ppid)) top = parent;
    if (top.ppid !== process.pid) return null;
    return SERVICE_BY_COMMAND.find(([needle]) => top.cmdline.includes(needle))?.[1] ?? 'other';
  };
  const totals: CpuByService = new Map();
  for (const p of procs.values()) {
    const service = serviceOf(p);
    if (service) totals.set(service, (totals.get(service) ?? 0) + p.seconds);
  }
  return totals;
}
