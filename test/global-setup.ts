import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { stackProfile } from '../src/stack/profile';
import { stopOnSignals } from '../src/stack/supervision';
import { STACK_SERVICES, startStack, type Stack, type StackService } from '../src/stack/stack';

/**
 * Starts the real services once for the whole test run, on the `test` profile's ports, and
 * hands their addresses and credentials to the tests through process.env.
 * HUB_TEST_SERVICES=temporal,erp (say) starts only those, to run one suite quickly; `none` starts
 * nothing, for suites that need no service.
 */
export default async function globalSetup(): Promise<void> {
  // HUB_TEST_PROFILE (with HUB_PORT_OFFSET) runs a second suite beside the first on one machine.
  const profile = stackProfile(process.env.HUB_TEST_PROFILE ?? 'test');
  const requested = process.env.HUB_TEST_SERVICES?.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  const unknown = requested?.filter((s) => !(STACK_SERVICES as readonly string[]).includes(s));
  if (unknown?.length) throw new Error(`HUB_TEST_SERVICES: unknown service(s) ${unknown.join(', ')}; known: ${STACK_SERVICES.join(', ')}`);
  // Simulators and the CMS start empty so counts in tests mean what they say. Medusa keeps its
  // database (migrating it takes half a minute); tests create uniquely named products instead.
  // Tryton needs nothing here: a test profile's databases are cloned afresh on every start.
  for (const dir of ['erp', 'wms', 'strapi']) rmSync(join(profile.dataDir, dir), { recursive: true, force: true });
  const started = Date.now();
  // Jest neither runs the global teardown on Ctrl-C nor exits while the Temporal SDK holds its
  // own signal handlers, so without this an interrupted run would hang and leave services up.
  let stack: Stack | undefined;
  stopOnSignals(() => stack);
  // The stack's hub speaks REST to the simulators, whose controls (faults, paused webhooks) the
  // flow suites use; the Tryton connectors are tested beside it (src/activities/tryton, and a
  // second hub on them in src/workflows/tryton-hub.test.ts).
  stack = await startStack(profile, { services: requested as StackService[] | undefined, persistTemporal: false, connectors: 'rest' });
  process.stdout.write(`\n[global-setup] stack up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${stack.services.map((s) => s.name).join(', ')}\n`);
  Object.assign(process.env, stack.env, { HUB_TEST_SERVICES_STARTED: stack.services.map((s) => s.name).join(',') });
  (globalThis as { __hubStack?: Stack }).__hubStack = stack;
}
