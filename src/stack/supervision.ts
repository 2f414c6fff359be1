import { readdirSync, readFileSync } from 'node:fs';
import type { StackProfile } from './profile';

/**
 * Every process a stack starts carries HUB_STACK_OWNER: the profile's data dir plus the pid and
 * start time of the process that supervises it (scripts/start.sh's node process, jest, a bench).
 * Services run in process groups of their own so that Ctrl-C reaches only the supervisor, which
 * means a supervisor that is killed outright (SIGKILL, a CI timeout, a crash) leaves them running
 * on the profile's ports. The tag lets the next start find exactly those and stop them, without
 * touching a stack whose supervisor is still alive, nor anything else on the machine.
 */
export const OWNER_ENV = 'HUB_STACK_OWNER';

interface OwnerTag {
  dataDir: string;
  pid: number;
  startTime: string;
}

/** Marks this process as the supervisor of `profile`'s stack, for every child spawned from now on. */
export function claimStack(profile: StackProfile): void {
  // Set on process.env (which is the real environment): children spawned by libraries, such as
  // the Temporal server that the SDK starts, inherit it as well as ours do.
  process.env[OWNER_ENV] = formatTag({ dataDir: profile.dataDir, pid: process.pid, startTime: startTimeOf(process.pid) ?? '' });
}

/**
 * Kills processes of an earlier stack of this profile whose supervisor is gone. Returns what it
 * stopped, for a log line. Only /proc is read, so elsewhere (macOS) it does nothing.
 */
export async function sweepLeftovers(profile: StackProfile, graceMs = 10_000): Promise<{ pid: number; command: string }[]> {
  const stopped = taggedProcesses()
    .filter(({ tag }) => tag.dataDir === profile.dataDir && !supervisorAlive(tag))
    .map(({ pid }) => ({ pid, command: commandOf(pid) }));
  // SIGTERM first: Temporal's and Strapi's SQLite files of a dev profile deserve a clean close.
  await terminate(stopped.map(({ pid }) => pid), graceMs);
  return stopped;
}

/** SIGTERM, then SIGKILL for whatever is still there after `graceMs`; resolves once all are gone. */
async function terminate(pids: number[], graceMs: number): Promise<void> {
  const alive = (): number[] => pids.filter((pid) => ownerOf(pid) !== undefined);
  for (const pid of alive()) signal(pid, 'SIGTERM');
  let deadline = Date.now() + graceMs;
  while (alive().length > 0 && Date.now() < deadline) await sleep(100);
  for (const pid of alive()) signal(pid, 'SIGKILL');
  // SIGKILL is delivered asynchronously; ports are free only once the processes are gone.
  deadline = Date.now() + 5_000;
  while (alive().length > 0 && Date.now() < deadline) await sleep(100);
}

/**
 * Stops every process this supervisor started, however deep: SIGTERM, then SIGKILL after
 * `graceMs`. The safety net behind an orderly stop, and the only stop while a start is still
 * under way and the stack object does not exist yet.
 */
export async function stopOwnProcesses(graceMs = 10_000): Promise<void> {
  const own = taggedProcesses().filter(({ tag }) => tag.pid === process.pid);
  await terminate(own.map(({ pid }) => pid), graceMs);
}

function taggedProcesses(): { pid: number; tag: OwnerTag }[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  const found: { pid: number; tag: OwnerTag }[] = [];
  for (const pid of pids) {
    // Our own /proc entry shows the environment we started with, not the tag claimStack set.
    if (pid === process.pid) continue;
    const tag = ownerOf(pid);
    // A zombie has exited already; its environ cannot be read, so it never shows up here.
    if (tag) found.push({ pid, tag });
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    // Gone meanwhile, or not ours to signal: either way it no longer needs stopping by us.
    return false;
  }
}

function supervisorAlive(tag: OwnerTag): boolean {
  // A pid can be reused; the start time tells the original supervisor from a newcomer.
  return startTimeOf(tag.pid) === tag.startTime;
}

function ownerOf(pid: number): OwnerTag | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const entry = environ.split('\0').find((e) => e.startsWith(`${OWNER_ENV}=`));
  return entry ? parseTag(entry.slice(OWNER_ENV.length + 1)) : undefined;
}

export function formatTag(tag: OwnerTag): string {
  return JSON.stringify(tag);
}

export function parseTag(text: string): OwnerTag | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const { dataDir, pid, startTime } = v as Record<string, unknown>;
    if (typeof dataDir !== 'string' || typeof pid !== 'number' || typeof startTime !== 'string') return undefined;
    return { dataDir, pid, startTime };
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, in clock ticks since boot; read after the last ')' as the command may hold spaces. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
  } catch {
    return '?';
  }
}

/**
 * SIGINT and SIGTERM stop the stack once and then exit, 130 or 143 as a shell would report. A
 * second signal, a second or more later, exits at once. Installed before anything starts, so Ctrl-C during a slow first
 * start (Medusa migrating) stops what did start rather than leave it running.
 */
export function stopOnSignals(current: () => { stop(): Promise<void> } | undefined): { readonly stopping: boolean } {
  let stopping = false;
  let firstAt = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    const code = sig === 'SIGINT' ? 130 : 143;
    if (stopping) {
      // Wrappers (npm exec, shells) may pass the same Ctrl-C on a moment after the terminal
      // delivered it; only a later, deliberate second press gives up on stopping cleanly.
      if (Date.now() - firstAt > 1_000) process.exit(code);
      return;
    }
    stopping = true;
    firstAt = Date.now();
    process.stderr.write(`\n${sig}: stopping the stack…\n`);
    const stopAll = async (): Promise<void> => {
      try {
        await current()?.stop();
      } finally {
        await stopOwnProcesses();
      }
    };
    stopAll().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`stopping the stack failed: ${String(err)}\n`);
        process.exit(code);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A start that fails because the stop is tearing it down is no news; callers stay quiet then.
  return {
    get stopping() {
      return stopping;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
