import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Holds an exclusive lock on `file` until the returned release is called. The lock is a kernel
 * flock held by a `flock` child that waits on our stdin: however this process ends (a crash,
 * kill -9), the pipe closes, the child exits and the kernel drops the lock, so no stale lock is
 * ever left for the next start to judge. Works across processes and checkouts alike.
 */
export async function holdFileLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  mkdirSync(dirname(file), { recursive: true });
  const child = spawn('flock', ['--exclusive', '--timeout', String(Math.ceil(timeoutMs / 1000)), file, '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const locked = await new Promise<boolean>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('locked')) resolve(true);
    });
    child.once('error', (err) => reject(new Error(`cannot run flock (util-linux) for ${file}: ${err.message}`)));
    void exited.then(() => resolve(false));
  });
  if (!locked) {
    throw new Error(`${file} is held by another start for more than ${Math.round(timeoutMs / 1000)}s${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  }
  return async () => {
    child.stdin.end();
    await exited;
  };
}
