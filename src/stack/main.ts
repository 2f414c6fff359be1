import { writeFileSync } from 'node:fs';
import Medusa from '@medusajs/js-sdk';
import { mapStockLocationToWarehouse } from './medusa-commerce';
import { stackProfile, type StackProfile } from './profile';
import { startStack, type Stack } from './stack';
import { stopOnSignals } from './supervision';

/**
 * `scripts/start.sh` ends here: the whole stack in one terminal, Ctrl-C stops all of it.
 */
async function main(): Promise<void> {
  const profile = stackProfile('dev');
  console.log(`Starting the hub's local stack (data in ${profile.dataDir}, logs in ${profile.logDir})…`);
  let stack: Stack | undefined;
  // Before the start, so Ctrl-C during Medusa's first migration stops what did start.
  const signals = stopOnSignals(() => stack);
  try {
    stack = await startStack(profile, { echo: process.env.HUB_STACK_QUIET !== 'true', persistTemporal: true });
  } catch (err) {
    // Interrupted: the signal handler is stopping what started and will exit.
    if (signals.stopping) return;
    throw err;
  }
  const { env } = stack;
  await mapTrytonWarehouse(env);
  console.log(`
The stack is up.
  Temporal Web UI   ${env.TEMPORAL_UI_URL}
  Temporal gRPC     ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})
  Medusa            ${env.MEDUSA_BACKEND_URL}  (admin ${env.MEDUSA_ADMIN_EMAIL ?? ''})
  Strapi (CMS)      ${env.CMS_BASE_URL}
  ERP               ${env.ERP_CONNECTOR === 'rest' ? `REST simulator ${env.ERP_BASE_URL}` : `Tryton ${env.TRYTON_URL} (database ${env.TRYTON_ERP_DATABASE})`}
  WMS               ${env.WMS_CONNECTOR === 'rest' ? `REST simulator ${env.WMS_BASE_URL}` : `Tryton ${env.TRYTON_URL} (database ${env.TRYTON_WMS_DATABASE}, warehouse ${env.TRYTON_WAREHOUSE})`}
${trytonLogin(env, profile)}  Bridge            ${env.BRIDGE_URL}
  Codec server      ${env.CODEC_URL}  (the Web UI decrypts payloads through it)
Credentials for scripts: ${profile.dataDir}/stack.env
Press Ctrl-C to stop everything.`);
  writeEnvFile(`${profile.dataDir}/stack.env`, env);
}

/** Who a person is in the Tryton the stack started, over JSON-RPC or the scripts (no Tryton client is installed). */
function trytonLogin(env: Record<string, string>, profile: StackProfile): string {
  if (!env.TRYTON_URL || (env.ERP_CONNECTOR !== 'tryton' && env.WMS_CONNECTOR !== 'tryton')) return '';
  if (process.env.TRYTON_URL) return '  Tryton login      your own Tryton (TRYTON_URL): its users as they are\n';
  return `  Tryton login      admin, password "trytonAdminPassword" in ${profile.dataDir}/hub-secrets.json (the hub is the user ${env.TRYTON_USER})\n`;
}

/**
 * Tryton's stock counts reach Medusa only at a location mapped to its warehouse: in our own
 * Medusa that is the hub's stock location, which the orders ship from. Someone else's store
 * (MEDUSA_BACKEND_URL) is left alone. A failure is reported, not fatal: the stack is up, and
 * only the stock levels wait for the mapping.
 */
async function mapTrytonWarehouse(env: Record<string, string>): Promise<void> {
  const { WMS_CONNECTOR, TRYTON_WAREHOUSE, MEDUSA_STOCK_LOCATION_ID, MEDUSA_BACKEND_URL, MEDUSA_API_KEY } = env;
  if (WMS_CONNECTOR !== 'tryton' || process.env.MEDUSA_BACKEND_URL || !TRYTON_WAREHOUSE || !MEDUSA_STOCK_LOCATION_ID || !MEDUSA_BACKEND_URL || !MEDUSA_API_KEY) return;
  try {
    const sdk = new Medusa({ baseUrl: MEDUSA_BACKEND_URL, apiKey: MEDUSA_API_KEY });
    if (await mapStockLocationToWarehouse(sdk, MEDUSA_STOCK_LOCATION_ID, TRYTON_WAREHOUSE)) {
      console.log(`[stack] Medusa's stock location ${MEDUSA_STOCK_LOCATION_ID} now takes the stock of Tryton's warehouse ${TRYTON_WAREHOUSE} (metadata.wms_warehouse_code)`);
    }
  } catch (err) {
    console.error(`[stack] could not map Tryton's warehouse ${TRYTON_WAREHOUSE} to Medusa's stock location: ${String(err)}; set metadata.wms_warehouse_code on it by hand`);
  }
}

function writeEnvFile(path: string, env: Record<string, string>): void {
  // Quoted, so `. stack.env` in a shell keeps values with spaces whole.
  const lines = Object.entries(env).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`);
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

main().catch((err: unknown) => {
  console.error(`The stack did not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
