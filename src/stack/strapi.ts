import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { httpAnswers, spawnProcess, waitUntil, type RunningService } from './process';
import type { StackProfile } from './profile';

export interface StartStrapiOptions {
  /** Copy Strapi's output to our stdout (the interactive stack). */
  echo?: boolean;
  /** Where Strapi posts its webhook events; without it, no webhook is configured. */
  webhookUrl?: string;
  /** Sent as `x-hub-webhook-secret` with every delivery: Strapi cannot sign its webhooks. */
  webhookSecret: string;
  /**
   * Strapi webhook events to subscribe to (`entry.update`, …); absent: the entry.* defaults of
   * apps/strapi/src/index.js. Checked there against the events this Strapi knows.
   */
  webhookEvents?: readonly string[];
}

/**
 * Everything Strapi needs to stay the same across restarts. The API-token salt matters most:
 * Strapi stores HMAC(token, salt), so a new salt would silently invalidate the hub's token, and
 * a new encryption key would make stored token copies unreadable.
 */
const strapiSecretsSchema = z.object({
  appKeys: z.array(z.string().min(1)).min(1),
  apiTokenSalt: z.string().min(1),
  adminJwtSecret: z.string().min(1),
  transferTokenSalt: z.string().min(1),
  jwtSecret: z.string().min(1),
  encryptionKey: z.string().min(1),
  /** The hub's full-access API token; bootstrap() in apps/strapi/src/index.js provisions it. */
  apiToken: z.string().min(1),
});
type StrapiSecrets = z.infer<typeof strapiSecretsSchema>;

const random = (bytes = 32): string => randomBytes(bytes).toString('base64');

function generateSecrets(): StrapiSecrets {
  return {
    appKeys: [random(16), random(16), random(16), random(16)],
    apiTokenSalt: random(),
    adminJwtSecret: random(),
    transferTokenSalt: random(),
    jwtSecret: random(),
    encryptionKey: random(),
    // hex: the token travels in an Authorization header and in env files, where base64's
    // `+/=` only invite quoting mistakes.
    apiToken: randomBytes(32).toString('hex'),
  };
}

/**
 * Reads the profile's Strapi secrets, creating them on first use. A file from an older version
 * that lacks a field gets only that field added: replacing the rest would break the existing
 * database's tokens.
 */
export function loadStrapiSecrets(dir: string): StrapiSecrets {
  const file = join(dir, 'secrets.json');
  const fresh = generateSecrets();
  let stored: Partial<StrapiSecrets> = {};
  if (existsSync(file)) {
    const parsed = strapiSecretsSchema.partial().safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is invalid (delete it together with data.db to start over):\n${z.prettifyError(parsed.error)}`);
    stored = parsed.data;
  }
  const secrets = strapiSecretsSchema.parse({ ...fresh, ...stored });
  const complete = Object.keys(fresh).every((k) => k in stored);
  if (!complete) {
    mkdirSync(dir, { recursive: true });
    // Write-then-rename, so a crash mid-write cannot leave a truncated file that would lose the
    // salt for a database that already holds tokens hashed with it.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
  return secrets;
}

/**
 * Starts the Strapi 5 project in apps/strapi for the local stack and the tests, on the profile's
 * port with its database under `<dataDir>/strapi`. If CMS_BASE_URL and CMS_API_TOKEN are already
 * set, that CMS is used as it is and nothing starts (its webhook is then its own business).
 */
export async function startStrapi(profile: StackProfile, opts: StartStrapiOptions): Promise<RunningService> {
  const existingUrl = process.env.CMS_BASE_URL;
  const existingToken = process.env.CMS_API_TOKEN;
  if (existingUrl && existingToken) {
    return { name: 'strapi', env: { CMS_BASE_URL: existingUrl, CMS_API_TOKEN: existingToken }, stop: async () => {} };
  }
  if (opts.webhookUrl && !opts.webhookSecret) {
    throw new Error('startStrapi: a webhookUrl needs a webhookSecret (Strapi does not sign deliveries)');
  }
  if (opts.webhookUrl && opts.webhookEvents?.length === 0) {
    // Passed on as an empty CMS_WEBHOOK_EVENTS, it would read as "the defaults", not "none".
    throw new Error('startStrapi: webhookEvents is empty; leave it out for the defaults, or the webhookUrl for no webhook');
  }

  const appDir = join(profile.repoRoot, 'apps', 'strapi');
  const strapiBin = join(appDir, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');
  if (!existsSync(strapiBin)) {
    throw new Error(`Strapi is not installed: run \`npm ci\` in ${appDir}`);
  }
  const dataDir = join(profile.dataDir, 'strapi');
  const secrets = loadStrapiSecrets(dataDir);
  // The upload plugin refuses to start without its target directory; git keeps only a .gitkeep,
  // which a fresh clone or a cleaned tree may lack.
  mkdirSync(join(appDir, 'public', 'uploads'), { recursive: true });

  const port = profile.ports.strapi;
  const baseUrl = `http://127.0.0.1:${port}`;
  const healthUrl = `${baseUrl}/_health`;
  // A Strapi left over from an earlier run would answer the health check below and the tests
  // would talk to a server holding other secrets; better to say so now.
  if (await httpAnswers(healthUrl).catch(() => false)) {
    throw new Error(
      `something already answers on ${baseUrl}: stop it, or set CMS_BASE_URL and CMS_API_TOKEN to use it as the CMS`,
    );
  }

  const proc = spawnProcess({
    name: 'strapi',
    command: process.execPath,
    args: [strapiBin, 'start'],
    cwd: appDir,
    logFile: join(profile.logDir, 'strapi.log'),
    echo: opts.echo,
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_FILENAME: join(dataDir, 'data.db'),
      APP_KEYS: secrets.appKeys.join(','),
      API_TOKEN_SALT: secrets.apiTokenSalt,
      ADMIN_JWT_SECRET: secrets.adminJwtSecret,
      TRANSFER_TOKEN_SALT: secrets.transferTokenSalt,
      JWT_SECRET: secrets.jwtSecret,
      ENCRYPTION_KEY: secrets.encryptionKey,
      CMS_API_TOKEN: secrets.apiToken,
      // Empty rather than absent: a value inherited from our own environment must not leak in.
      CMS_WEBHOOK_URL: opts.webhookUrl ?? '',
      CMS_WEBHOOK_SECRET: opts.webhookSecret,
      CMS_WEBHOOK_EVENTS: opts.webhookEvents?.join(',') ?? '',
      // Start offline: no usage analytics (the update check is off in config/server.js).
      STRAPI_TELEMETRY_DISABLED: 'true',
    },
  });

  try {
    await waitUntil('strapi', () => httpAnswers(healthUrl, [204]), { timeoutMs: 120_000, process: proc });
    // bootstrap() provisions the token before the server listens, so this only fails when the
    // project is misconfigured; better here, with the log's path, than in the first activity.
    const probe = await fetch(`${baseUrl}/api/products?pagination[pageSize]=1`, {
      headers: { authorization: `Bearer ${secrets.apiToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      throw new Error(`strapi: the API token was refused (HTTP ${probe.status}); see ${proc.logFile}`);
    }
  } catch (err) {
    await proc.stop();
    throw err;
  }

  return {
    name: 'strapi',
    env: { CMS_BASE_URL: baseUrl, CMS_API_TOKEN: secrets.apiToken },
    stop: () => proc.stop(),
  };
}
