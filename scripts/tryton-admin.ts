/**
 * Tryton's `admin` on the dev stack, for the walkthrough scripts: what a person does in a Tryton
 * client, done over JSON-RPC. Not the hub's user (`hub`, TRYTON_USER), so the inbound pollers
 * take these writes for a person's changes and not for the hub's own echoes.
 */
import { z } from 'zod';
import { TrytonRpc } from '../src/activities/tryton/rpc';
import { stackProfile } from '../src/stack/profile';
import { loadStackSecrets } from '../src/stack/secrets';

const zEnv = z.object({ TRYTON_URL: z.url(), TRYTON_ERP_DATABASE: z.string().min(1), TRYTON_WMS_DATABASE: z.string().min(1), TRYTON_ADMIN_PASSWORD: z.string().min(1).optional() });

/** Throws a usage hint when stack.env is not loaded; TRYTON_ADMIN_PASSWORD overrides the dev stack's own (a Tryton of one's own). */
export function trytonAdmin(role: 'erp' | 'wms'): TrytonRpc {
  const env = zEnv.safeParse(process.env);
  if (!env.success) throw new Error(`no Tryton in the environment: load the stack's settings (set -a; . .data/dev/stack.env; set +a) of a stack on Tryton (not ERP_CONNECTOR=rest WMS_CONNECTOR=rest):\n${z.prettifyError(env.error)}`);
  const e = env.data;
  const password = e.TRYTON_ADMIN_PASSWORD ?? loadStackSecrets(stackProfile('dev')).trytonAdminPassword;
  return new TrytonRpc({ url: e.TRYTON_URL, database: role === 'erp' ? e.TRYTON_ERP_DATABASE : e.TRYTON_WMS_DATABASE, user: 'admin', password, system: `Tryton ${role.toUpperCase()} (admin)` });
}
