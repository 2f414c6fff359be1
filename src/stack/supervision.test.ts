import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackProfile } from './profile';
import { formatTag, parseTag, startTimeOf, sweepLeftovers } from './supervision';

// Profiles of their own, so nothing here can sweep the suite's stack. The offset only has to be
// valid: no port is opened.
const OFFSET = '22000';
const fixture = join(__dirname, '..', '..', 'test', 'support', 'supervisor.ts');

/** Starts the stand-in supervisor and resolves with it and the pid of the service it started. */
async function startSupervisor(profileName: string): Promise<{ supervisor: ChildProcess; servicePid: number }> {
  const supervisor = spawn(process.execPath, ['--import', 'tsx', fixture, profileName, OFFSET], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of supervisor.stdout!) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  return { supervisor, servicePid: Number(out.trim()) };
}

function running(pid: number): boolean {
  // A zombie keeps its /proc entry until reaped, but its environment can no longer be read.
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').length > 0;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && running(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !running(pid);
}

describe('stack supervision', () => {
  test('a service whose supervisor was killed outright is stopped by the next start of its profile, and only of its profile', async () => {
    const { supervisor, servicePid } = await startSupervisor('sweep-a');
    supervisor.kill('SIGKILL');
    await once(supervisor, 'exit');
    // Detached into its own process group, the service outlives its supervisor.
    expect(running(servicePid)).toBe(true);

    expect(await sweepLeftovers(stackProfile('sweep-b', { HUB_PORT_OFFSET: OFFSET }))).toEqual([]);
    expect(running(servicePid)).toBe(true);

    const stopped = await sweepLeftovers(stackProfile('sweep-a', { HUB_PORT_OFFSET: OFFSET }));
    expect(stopped).toEqual([{ pid: servicePid, command: 'sleep 600' }]);
    expect(await gone(servicePid)).toBe(true);
  });

  test('a service whose supervisor is alive is left alone', async () => {
    const { supervisor, servicePid } = await startSupervisor('sweep-c');
    try {
      expect(await sweepLeftovers(stackProfile('sweep-c', { HUB_PORT_OFFSET: OFFSET }))).toEqual([]);
      expect(running(servicePid)).toBe(true);
    } finally {
      supervisor.kill('SIGTERM');
      await once(supervisor, 'exit');
    }
  });

  test('SIGTERM to the supervisor stops its services and exits 143', async () => {
    const { supervisor, servicePid } = await startSupervisor('sweep-d');
    supervisor.kill('SIGTERM');
    const [code] = (await once(supervisor, 'exit')) as [number | null];
    expect(code).toBe(143);
    expect(await gone(servicePid)).toBe(true);
  });

  test('a tag names the supervisor by pid and start time, so a reused pid is not mistaken for it', () => {
    const tag = { dataDir: '/x/.data/dev', pid: process.pid, startTime: startTimeOf(process.pid) ?? '' };
    expect(tag.startTime).toMatch(/^\d+$/);
    expect(parseTag(formatTag(tag))).toEqual(tag);
    expect(parseTag('not json')).toBeUndefined();
    expect(parseTag(JSON.stringify({ dataDir: '/x', pid: '1', startTime: '2' }))).toBeUndefined();
  });
});
