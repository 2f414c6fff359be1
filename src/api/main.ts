import { loadBridgeConfig, loadTemporalConfig } from '../config';
import { listen } from '../http/listen';
import { connectClient } from '../temporal/connection';
import { createBridgeApp } from './app';

/** The webhook/event bridge: verified events in, idempotent workflow starts out. */
async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const temporal = loadTemporalConfig();
  const client = await connectClient(temporal, config.HUB_CODEC_KEY);
  const server = await listen(createBridgeApp(client, config), config.BRIDGE_PORT, config.BRIDGE_HOST);
  console.log(`bridge listening on http://${config.BRIDGE_HOST}:${config.BRIDGE_PORT} (Temporal ${temporal.connectionOptions.address}, namespace ${temporal.namespace})`);
  const shutdown = (): void => {
    server.close(() => {
      void client.connection.close().finally(() => process.exit(0));
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
