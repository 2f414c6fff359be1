import { writeFileSync } from 'node:fs';
import { stackProfile } from './profile';
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
  console.log(`
The stack is up.
  Temporal Web UI   ${env.TEMPORAL_UI_URL}
  Temporal gRPC     ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})
  Medusa            ${env.MEDUSA_BACKEND_URL}  (admin ${env.MEDUSA_ADMIN_EMAIL ?? ''})
  Strapi (CMS)      ${env.CMS_BASE_URL}
  ERP               ${env.ERP_CONNECTOR === 'rest' ? `REST simulator ${env.ERP_BASE_URL}` : `Tryton ${env.TRYTON_URL} (database ${env.TRYTON_ERP_DATABASE})`}
  WMS               ${env.WMS_CONNECTOR === 'rest' ? `REST simulator ${env.WMS_BASE_URL}` : `Tryton ${env.TRYTON_URL} (database ${env.TRYTON_WMS_DATABASE})`}
  Bridge            ${env.BRIDGE_URL}
  Codec server      ${env.CODEC_URL}  (the Web UI decrypts payloads through it)
Credentials for scripts: ${profile.dataDir}/stack.env
Press Ctrl-C to stop everything.`);
  writeEnvFile(`${profile.dataDir}/stack.env`, env);

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
