import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { hubDataConverter } from '../../src/temporal/connection';
import { repoRoot } from '../../src/stack/profile';
import { requireEnv } from './env';

/**
 * A second hub on the Tryton connectors, beside the stack's (which speaks REST to the
 * simulators): the real worker process (src/workers/main.ts) in its own Temporal namespace
 * (temporal-dev.yml extraNamespaces), so its runs, pollers and task queues are its own. Medusa
 * and Strapi are shared. Events reach it through the bridge's own routes, run with a client of
 * that namespace (api/routes.ts deliverEvent), since Medusa's subscriber forwards to one bridge.
 */
export const TRYTON_HUB_NAMESPACE = 'hub-tryton';

export interface TrytonHub {
  client: Client;
  /** Everything the worker printed, for a failure message. */
  output(): string;
  /** Throws with the worker's output if it has exited: a dead worker would otherwise read as a run that hangs. */
  assertRunning(): void;
  stop(): Promise<void>;
}

export async function startTrytonHub(opts: { pollEveryMs?: number } = {}): Promise<TrytonHub> {
  const { TEMPORAL_ADDRESS, HUB_CODEC_KEY } = requireEnv('TEMPORAL_ADDRESS', 'HUB_CODEC_KEY', 'TRYTON_URL', 'TRYTON_ERP_DATABASE', 'TRYTON_WMS_DATABASE');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_NAMESPACE: TRYTON_HUB_NAMESPACE,
    ERP_CONNECTOR: 'tryton',
    WMS_CONNECTOR: 'tryton',
    TRYTON_POLL_EVERY_MS: String(opts.pollEveryMs ?? 1_000),
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/workers/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Tryton hub's worker did not start in 90 s:\n${out}`)), 90_000);
    const check = (): void => {
      if (out.includes('inbound pollers running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Tryton hub's worker exited with ${code}:\n${out}`));
    });
  });
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: TRYTON_HUB_NAMESPACE, dataConverter: hubDataConverter(HUB_CODEC_KEY.split(',')) });
  return {
    client,
    output: () => out,
    assertRunning() {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Tryton hub's worker exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-5000)}`);
    },
    async stop() {
      await connection.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
