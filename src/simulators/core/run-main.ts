import { z } from 'zod';
import { optionsFromEnv, type SimulatorOptions } from './options';
import type { RunningSimulator } from './server';

/**
 * Shared entry point of the simulator processes: validate env, start, stop cleanly on
 * SIGTERM/SIGINT (the stack supervisor sends SIGTERM and waits) so the journal is closed and
 * in-flight webhook deliveries are abandoned rather than cut mid-write.
 */
export async function runSimulatorMain(label: string, start: (opts: SimulatorOptions) => Promise<RunningSimulator>): Promise<void> {
  let opts: SimulatorOptions;
  try {
    opts = optionsFromEnv(process.env);
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : String(err);
    console.error(`${label} simulator: invalid configuration\n${detail}`);
    process.exit(1);
  }
  let sim: RunningSimulator;
  try {
    sim = await start(opts);
  } catch (err) {
    console.error(`${label} simulator: failed to start:`, err instanceof Error ? err.message : err);
    process.exit(1);
  }
  const webhooks = opts.webhook ? `${opts.webhook.url} (${opts.webhook.events?.join(', ') ?? 'all events'})` : 'off';
  console.log(
    `${label} simulator listening on ${sim.url} (data: ${opts.dataDir}; webhooks: ${webhooks}; ` +
      `rate limit: ${opts.rateLimit ? `${opts.rateLimit.perSecond}/s burst ${opts.rateLimit.burst}` : 'off'})`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${label} simulator: ${signal}, shutting down`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`${label} simulator: shutdown failed:`, err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
