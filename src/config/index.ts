import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';

/**
 * The hub's whole configuration, read from the environment and validated once at start-up by
 * each entry point (worker, bridge, CLI). A bad value stops the process with a message naming
 * the variable, before anything connects anywhere.
 */

const url = z.url({ protocol: /^https?$/ });
const secretList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be whsec_<base64>')).min(1));
const positiveInt = z.coerce.number().int().positive();

const systemsSchema = z.object({
  MEDUSA_BACKEND_URL: url,
  MEDUSA_API_KEY: z.string().min(1),
  ERP_BASE_URL: url,
  ERP_API_KEY: z.string().min(1),
  WMS_BASE_URL: url,
  WMS_API_KEY: z.string().min(1),
  CMS_BASE_URL: url,
  CMS_API_TOKEN: z.string().min(1),
});

const workerSchema = systemsSchema.extend({
  /** Server-side activity rate limit per external system's task queue (maxTaskQueueActivitiesPerSecond). */
  ERP_MAX_ACTIVITIES_PER_SECOND: positiveInt.default(200),
  WMS_MAX_ACTIVITIES_PER_SECOND: positiveInt.default(200),
  CMS_MAX_ACTIVITIES_PER_SECOND: positiveInt.default(200),
  MEDUSA_MAX_ACTIVITIES_PER_SECOND: positiveInt.default(200),
  /**
   * Requests per second this worker process sends the ERP or WMS; unset, they are not paced.
   * Covers what the task-queue limit above cannot: local activities and batched flushes.
   */
  ERP_MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().optional(),
  WMS_MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().optional(),
  /** Sales channel and shipping profile of products imported into Medusa; if unset, the store's defaults. */
  MEDUSA_SALES_CHANNEL_ID: z.string().min(1).optional(),
  MEDUSA_SHIPPING_PROFILE_ID: z.string().min(1).optional(),
  /**
   * WMS warehouse code → Medusa stock location id, as JSON (`{"MAIN":"sloc_…"}`). A warehouse not
   * listed is looked up by the location's metadata.wms_warehouse_code.
   */
  WMS_WAREHOUSE_LOCATIONS: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'must be a JSON object', input: s });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.string().min(1))),
  /** Payload encryption keys, comma-separated: the first encrypts, all decrypt (rotation). */
  HUB_CODEC_KEY: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'each key must be 32 random bytes in base64')).min(1))
    .optional(),
});

const bridgeSchema = z.object({
  BRIDGE_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BRIDGE_HOST: z.string().default('127.0.0.1'),
  /** Accepted Standard Webhooks secrets per source, comma-separated; several at once for rotation. */
  WEBHOOK_SECRETS_MEDUSA: secretList,
  WEBHOOK_SECRETS_ERP: secretList.optional(),
  WEBHOOK_SECRETS_WMS: secretList.optional(),
  /** Strapi cannot sign its webhooks; it sends this shared secret in a header instead. */
  CMS_WEBHOOK_SECRET: z.string().min(16).optional(),
  HUB_CODEC_KEY: workerSchema.shape.HUB_CODEC_KEY,
});

export type WorkerConfig = z.infer<typeof workerSchema>;
export type BridgeConfig = z.infer<typeof bridgeSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(`Invalid ${what} configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export const loadWorkerConfig = (env: NodeJS.ProcessEnv = process.env): WorkerConfig => parseEnv(workerSchema, env, 'worker');
export const loadBridgeConfig = (env: NodeJS.ProcessEnv = process.env): BridgeConfig => parseEnv(bridgeSchema, env, 'bridge');

export interface TemporalConnectConfig {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

/**
 * Temporal's own client configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, or a TOML profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). Using the SDK's
 * loader means a dev server, a self-hosted cluster and Temporal Cloud differ only in config.
 */
export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConnectConfig {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  try {
    const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
    return {
      connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
      namespace: namespace ?? 'default',
    };
  } catch (err) {
    throw new ConfigError(`Invalid Temporal client configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
}
