import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A process the stack started and knows how to stop. */
export interface RunningService {
  readonly name: string;
  /** Environment the hub's own processes need to reach this service. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Output goes here; the stack prints the path so a failed start can be read. */
  logFile: string;
  /** Also copy output to our stdout, prefixed with the name (the interactive stack does this). */
  echo?: boolean;
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; the whole process group, so grandchildren go too. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnProcess(opts: SpawnOptions): SpawnedProcess {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  // detached: a process group of its own, so stop() reaches children the service forks itself
  // (Medusa and Strapi both do) and Ctrl-C in the terminal reaches only the supervisor.
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${opts.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (opts.echo) {
        const text = chunk.toString('utf8').replace(/\n(?=.)/g, `\n${prefix}`);
        process.stdout.write(prefix + text);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      log.end();
      resolve(code);
    });
    child.once('error', (err) => {
      log.write(`spawn failed: ${err.message}\n`);
      log.end();
      resolve(null);
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader may exit before children it forked; make sure none outlive it.
      signalGroup(child.pid, 'SIGKILL');
    })();
    return stopping;
  };
  return { child, logFile: opts.logFile, exited, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/**
 * Polls `probe` until it returns true. Fails early, with the log's path, if the process dies:
 * waiting out the whole timeout for a server that crashed on start helps no one.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; process?: SpawnedProcess },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let exitCode: number | null | undefined;
  opts.process?.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${what}: the process exited (code ${exitCode}) before it was ready; see ${opts.process?.logFile}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const hint = opts.process ? `; see ${opts.process.logFile}` : '';
      throw new Error(`${what}: not ready after ${Math.round(opts.timeoutMs / 1000)}s${hint}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** True when GET `url` answers with a status below 500 (or one of `okStatuses`). */
export async function httpAnswers(url: string, okStatuses?: number[]): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return okStatuses ? okStatuses.includes(res.status) : res.status < 500;
}
