import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { StackProfile } from './profile';

/**
 * Secrets the local stack shares between its parts (webhook signing secrets, simulator API
 * keys, the payload codec key). Generated on first start and kept in the profile's data dir, so
 * a restart keeps signatures, tokens and encrypted histories valid. A real deployment gets all
 * of these from its own secret store through the same environment variables.
 */
const stackSecretsSchema = z.object({
  medusaWebhookSecret: z.string(),
  erpWebhookSecret: z.string(),
  wmsWebhookSecret: z.string(),
  cmsWebhookSecret: z.string(),
  erpApiKey: z.string(),
  wmsApiKey: z.string(),
  simulatorControlKey: z.string(),
  codecKey: z.string(),
  /** The hub's own Tryton user (login `hub`), in the ERP and the WMS database alike. */
  trytonHubPassword: z.string(),
  /** Tryton's `admin`, for a person looking at the data in a Tryton client; the hub never uses it. */
  trytonAdminPassword: z.string(),
});
export type StackSecrets = z.infer<typeof stackSecretsSchema>;

const whsec = (): string => `whsec_${randomBytes(24).toString('base64')}`;
const token = (prefix: string): string => `${prefix}_${randomBytes(18).toString('base64url')}`;

/**
 * A file from an older version that lacks a secret gets only that one added: replacing the others
 * would invalidate what was set up with them (signed webhooks, encrypted histories).
 */
export function loadStackSecrets(profile: StackProfile): StackSecrets {
  const file = join(profile.dataDir, 'hub-secrets.json');
  const stored = existsSync(file) ? stackSecretsSchema.partial().parse(JSON.parse(readFileSync(file, 'utf8'))) : {};
  const secrets = { ...generateSecrets(), ...stored };
  if (Object.keys(secrets).some((k) => !(k in stored))) {
    mkdirSync(dirname(file), { recursive: true });
    // Write-then-rename: a crash mid-write must not leave a truncated file in place of the secrets.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    renameSync(tmp, file);
  }
  return secrets;
}

function generateSecrets(): StackSecrets {
  return {
    medusaWebhookSecret: whsec(),
    erpWebhookSecret: whsec(),
    wmsWebhookSecret: whsec(),
    cmsWebhookSecret: token('cmswh'),
    erpApiKey: token('erp'),
    wmsApiKey: token('wms'),
    simulatorControlKey: token('ctl'),
    codecKey: randomBytes(32).toString('base64'),
    // base64url: nothing in it needs quoting in stack.env or a shell.
    trytonHubPassword: randomBytes(24).toString('base64url'),
    trytonAdminPassword: randomBytes(24).toString('base64url'),
  };
}
