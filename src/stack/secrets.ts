import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
});
export type StackSecrets = z.infer<typeof stackSecretsSchema>;

const whsec = (): string => `whsec_${randomBytes(24).toString('base64')}`;
const token = (prefix: string): string => `${prefix}_${randomBytes(18).toString('base64url')}`;

export function loadStackSecrets(profile: StackProfile): StackSecrets {
  const file = join(profile.dataDir, 'hub-secrets.json');
  if (existsSync(file)) return stackSecretsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const secrets: StackSecrets = {
    medusaWebhookSecret: whsec(),
    erpWebhookSecret: whsec(),
    wmsWebhookSecret: whsec(),
    cmsWebhookSecret: token('cmswh'),
    erpApiKey: token('erp'),
    wmsApiKey: token('wms'),
    simulatorControlKey: token('ctl'),
    codecKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
