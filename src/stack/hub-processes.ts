import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { httpAnswers, spawnProcess, waitUntil, type RunningService } from './process';
import type { StackProfile } from './profile';

/**
 * Starts one of the hub's own TypeScript entry points as a child process. tsx runs the sources
 * directly, so the local stack needs no build step; production runs `npm run build` output.
 */
export async function startHubProcess(
  profile: StackProfile,
  opts: {
    name: string;
    entry: string;
    env: Record<string, string>;
    echo?: boolean;
    /** URL that answers 200 once the process is ready. */
    readyUrl?: string;
    /** Text the process prints once ready (for processes without HTTP, like the worker). */
    readyText?: string;
    /** What other parts need to reach this one. */
    exportEnv?: Record<string, string>;
  },
): Promise<RunningService> {
  const logFile = join(profile.logDir, `${opts.name}.log`);
  // Logs are appended across restarts; readiness is judged on what this start printed.
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const proc = spawnProcess({
    name: opts.name,
    command: process.execPath,
    args: ['--enable-source-maps', '--import', 'tsx', join(profile.repoRoot, opts.entry)],
    cwd: profile.repoRoot,
    env: opts.env,
    logFile,
    echo: opts.echo,
  });
  const { readyUrl, readyText } = opts;
  if (readyUrl) {
    await waitUntil(opts.name, () => httpAnswers(readyUrl, [200]), { timeoutMs: 90_000, process: proc });
  }
  if (readyText) {
    const printed = async (): Promise<boolean> =>
      existsSync(logFile) && readFileSync(logFile).subarray(logOffset).toString('utf8').includes(readyText);
    await waitUntil(opts.name, printed, { timeoutMs: 90_000, process: proc });
  }
  return { name: opts.name, env: opts.exportEnv ?? {}, stop: () => proc.stop() };
}
