import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * CPU time used by each part of the local stack, read from /proc (Linux only): where a
 * benchmark's seconds went. Processes are told apart by command line and working directory,
 * since Medusa, Strapi and PostgreSQL fork children of their own.
 */
export type CpuByService = Map<string, number>;

const CLOCK_TICKS_PER_SECOND = 100;

function serviceOf(pid: string): string | null {
  let cmdline: string;
  let cwd = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
  if (cmdline.includes('start-dev')) return 'temporal';
  if (cmdline.startsWith('postgres')) return 'postgres';
  for (const [needle, name] of [
    ['src/simulators/erp', 'erp'],
    ['src/simulators/wms', 'wms'],
    ['src/workers/', 'worker'],
    ['src/api/', 'bridge'],
    ['src/codec/', 'codec'],
  ] as const) {
    if (cmdline.includes(needle)) return name;
  }
  if (cwd.endsWith(`${sep}apps${sep}medusa`)) return 'medusa';
  if (cwd.endsWith(`${sep}apps${sep}strapi`)) return 'strapi';
  return null;
}

/** CPU seconds (user + system) used so far by every live process of each service. */
export function cpuByService(): CpuByService {
  const totals: CpuByService = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const service = pid === String(process.pid) ? 'bench client' : serviceOf(pid);
    if (!service) continue;
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
      totals.set(service, (totals.get(service) ?? 0) + seconds);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return totals;
}

/** "medusa 41.2 ms, temporal 30.1 ms, …": CPU per item between two samples, largest first. */
export function describeCpuPerItem(before: CpuByService, after: CpuByService, items: number): string {
  const rows = [...after]
    .map(([service, s]) => [service, ((s - (before.get(service) ?? 0)) * 1000) / items] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  return `${total.toFixed(0)} ms in all: ${rows.map(([service, ms]) => `${service} ${ms.toFixed(1)}`).join(', ')}`;
}
