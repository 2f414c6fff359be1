import { loadTemporalConfig, loadWorkerConfig } from '../config';
import { createHubWorkers } from './workers';

/**
 * The hub's worker process. Run as many as the load needs, on as many machines: Temporal spreads
 * the task queues' work across them.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const temporal = loadTemporalConfig();
  const workers = await createHubWorkers(temporal, config);
  console.log(`worker polling ${temporal.connectionOptions.address}, namespace ${temporal.namespace}`);
  // The SDK's runtime already shuts workers down on SIGINT/SIGTERM; run() resolves once they drain.
  await workers.run();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
