import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { CONNECTOR_KINDS, type ConnectorKind } from '../activities/ports/common';

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
/** Payload encryption keys, comma-separated: the first encrypts, all decrypt (rotation). */
const codecKeys = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'each key must be 32 random bytes in base64')).min(1))
  .optional();

const connectorKind = z.enum(CONNECTOR_KINDS);

const systemsSchema = z.object({
  MEDUSA_BACKEND_URL: url,
  MEDUSA_API_KEY: z.string().min(1),
  /** Which connector speaks for the ERP and for the WMS (README "Add a connector"). */
  ERP_CONNECTOR: connectorKind.default('tryton'),
  WMS_CONNECTOR: connectorKind.default('tryton'),
  /** The generic REST connector (docs/connectors/rest-openapi.yaml): required for a role that uses it. */
  ERP_BASE_URL: url.optional(),
  ERP_API_KEY: z.string().min(1).optional(),
  WMS_BASE_URL: url.optional(),
  WMS_API_KEY: z.string().min(1).optional(),
  /** Tryton: one server, a database per role, the hub's own integration user (its writes are recognised as echoes). */
  TRYTON_URL: url.optional(),
  TRYTON_USER: z.string().min(1).optional(),
  TRYTON_PASSWORD: z.string().min(1).optional(),
  TRYTON_ERP_DATABASE: z.string().min(1).optional(),
  TRYTON_WMS_DATABASE: z.string().min(1).optional(),
  /** The web shop whose web_id is the Medusa order id, and the party sales are booked to. */
  TRYTON_WEB_SHOP: z.string().min(1).default('Medusa'),
  TRYTON_CUSTOMER: z.string().min(1).default('Medusa customer'),
  /** The WMS warehouse (stock.location code) fulfilment orders ship from. */
  TRYTON_WAREHOUSE: z.string().min(1).default('WH'),
  /** Pause between polls of a Tryton change feed that found nothing more: the lag of an inbound change. */
  TRYTON_POLL_EVERY_MS: positiveInt.default(5_000),
  CMS_BASE_URL: url,
  CMS_API_TOKEN: z.string().min(1),
});

/** The variables each connector needs, named so a missing one reads as the variable to set. */
const CONNECTOR_NEEDS: Record<'ERP' | 'WMS', Record<ConnectorKind, readonly (keyof z.infer<typeof systemsSchema>)[]>> = {
  ERP: { rest: ['ERP_BASE_URL', 'ERP_API_KEY'], tryton: ['TRYTON_URL', 'TRYTON_USER', 'TRYTON_PASSWORD', 'TRYTON_ERP_DATABASE'] },
  WMS: { rest: ['WMS_BASE_URL', 'WMS_API_KEY'], tryton: ['TRYTON_URL', 'TRYTON_USER', 'TRYTON_PASSWORD', 'TRYTON_WMS_DATABASE'] },
};

function requireConnectorVariables(c: z.infer<typeof systemsSchema>, ctx: z.RefinementCtx): void {
  for (const role of ['ERP', 'WMS'] as const) {
    const kind = c[`${role}_CONNECTOR`];
    for (const name of CONNECTOR_NEEDS[role][kind]) {
      if (c[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `required with ${role}_CONNECTOR=${kind}` });
    }
  }
}

export interface RestConnectorConfig {
  kind: 'rest';
  baseUrl: string;
  apiKey: string;
  maxRequestsPerSecond?: number;
}

export interface TrytonConnectorConfig {
  kind: 'tryton';
  url: string;
  user: string;
  password: string;
  /** The role's database on the Tryton server. */
  database: string;
  webShop: string;
  customer: string;
  warehouse: string;
  pollEveryMs: number;
  maxRequestsPerSecond?: number;
}

export type ConnectorConfig = RestConnectorConfig | TrytonConnectorConfig;

type SystemsAndPacing = z.infer<typeof systemsSchema> & { ERP_MAX_REQUESTS_PER_SECOND?: number; WMS_MAX_REQUESTS_PER_SECOND?: number };

/** One role's connector from the validated variables (requireConnectorVariables has checked they are there). */
function connectorConfig(c: SystemsAndPacing, role: 'ERP' | 'WMS'): ConnectorConfig {
  const present = (name: keyof SystemsAndPacing): string => {
    const v = c[name];
    if (typeof v !== 'string') throw new Error(`${name} missing after validation`);
    return v;
  };
  const maxRequestsPerSecond = c[`${role}_MAX_REQUESTS_PER_SECOND`];
  const pacing = maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond };
  if (c[`${role}_CONNECTOR`] === 'rest') return { kind: 'rest', baseUrl: present(`${role}_BASE_URL`), apiKey: present(`${role}_API_KEY`), ...pacing };
  return {
    kind: 'tryton',
    url: present('TRYTON_URL'),
    user: present('TRYTON_USER'),
    password: present('TRYTON_PASSWORD'),
    database: present(`TRYTON_${role}_DATABASE`),
    webShop: c.TRYTON_WEB_SHOP,
    customer: c.TRYTON_CUSTOMER,
    warehouse: c.TRYTON_WAREHOUSE,
    pollEveryMs: c.TRYTON_POLL_EVERY_MS,
    ...pacing,
  };
}

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
  HUB_CODEC_KEY: codecKeys,
})
  .superRefine(requireConnectorVariables)
  .transform((c) => ({ ...c, connectors: { erp: connectorConfig(c, 'ERP'), wms: connectorConfig(c, 'WMS') } }));

const bridgeSchema = z.object({
  BRIDGE_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BRIDGE_HOST: z.string().default('127.0.0.1'),
  /** Accepted Standard Webhooks secrets per source, comma-separated; several at once for rotation. */
  WEBHOOK_SECRETS_MEDUSA: secretList,
  WEBHOOK_SECRETS_ERP: secretList.optional(),
  WEBHOOK_SECRETS_WMS: secretList.optional(),
  /** Strapi cannot sign its webhooks; it sends this shared secret in a header instead. */
  CMS_WEBHOOK_SECRET: z.string().min(16).optional(),
  HUB_CODEC_KEY: codecKeys,
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
