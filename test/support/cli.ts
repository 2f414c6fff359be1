import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../src/stack/profile';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The hub CLI as an operator runs it: spawned with `env`, read from its output and exit code. */
export function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
