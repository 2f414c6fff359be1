import type { TrytonRpcConfig } from '../../src/activities/tryton/rpc';
import { TrytonRpc } from '../../src/activities/tryton/rpc';
import { loadStackSecrets } from '../../src/stack/secrets';
import { requireEnv, testProfile } from './env';

/**
 * Test-side access to the Tryton the stack started (src/stack/tryton.ts, HUB_TEST_SERVICES=tryton):
 * the hub's own connection, and Tryton's `admin` as "another user" (a person in a Tryton client),
 * whose writes the hub must not take for its own echoes.
 */
export type TrytonRole = 'erp' | 'wms';

/** The hub user's connection to one database, as the worker builds it from stack.env. */
export function trytonConnection(role: TrytonRole, overrides: Partial<TrytonRpcConfig> = {}): TrytonRpcConfig {
  const db = role === 'erp' ? 'TRYTON_ERP_DATABASE' : 'TRYTON_WMS_DATABASE';
  const env = requireEnv('TRYTON_URL', 'TRYTON_USER', 'TRYTON_PASSWORD', db);
  return { url: env.TRYTON_URL!, database: env[db]!, user: env.TRYTON_USER!, password: env.TRYTON_PASSWORD!, system: `Tryton ${role.toUpperCase()}`, ...overrides };
}

/**
 * Tryton's admin: its password is in the profile's stack secrets (TRYTON_ADMIN_PASSWORD when the
 * tests run against an existing Tryton, TRYTON_URL).
 */
export function trytonAdmin(role: TrytonRole): TrytonRpc {
  const password = process.env.TRYTON_ADMIN_PASSWORD ?? loadStackSecrets(testProfile()).trytonAdminPassword;
  return new TrytonRpc(trytonConnection(role, { user: 'admin', password, system: `Tryton ${role.toUpperCase()} (admin)` }));
}
