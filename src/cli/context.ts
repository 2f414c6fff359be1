import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { ConfigError, loadTemporalConfig, loadWorkerConfig, type ConnectorConfig, type WorkerConfig } from '../config';
import { connectClient } from '../temporal/connection';
import { TASK_QUEUES } from '../workflows/task-queues';
import type { QueueNames } from '../workflows/backfill/catalogue';

/** Exit codes scripts can rely on (documented in the README and in `hub --help`). */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** An error that ends the command with a message and a known exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface CliContext {
  client: Client;
  config: WorkerConfig;
  /** Task queues the flows run on; HUB_TASK_QUEUE_PREFIX moves them all (a second hub on one cluster). */
  queues: QueueNames;
  workflowQueue: string;
}

const prefixSchema = z.string().regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only').optional();

/** The worker's own configuration (src/config), so the CLI reaches exactly what the worker reaches. */
export async function connect(): Promise<CliContext> {
  let config: WorkerConfig;
  let prefix: string | undefined;
  try {
    config = loadWorkerConfig();
    prefix = prefixSchema.parse(process.env.HUB_TASK_QUEUE_PREFIX) || undefined;
  } catch (err) {
    throw new CliError(err instanceof ConfigError ? err.message : `Invalid HUB_TASK_QUEUE_PREFIX: ${String(err)}`, EXIT.usage);
  }
  let temporal;
  try {
    temporal = loadTemporalConfig();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), EXIT.usage);
  }
  let client: Client;
  try {
    client = await connectClient(temporal, config.HUB_CODEC_KEY);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), EXIT.unreachable);
  }
  const queues: QueueNames = prefix
    ? Object.fromEntries(Object.entries(TASK_QUEUES).map(([k, q]) => [k, `${prefix}${q}`]))
    : {};
  return { client, config, queues, workflowQueue: queues.workflows ?? TASK_QUEUES.workflows };
}

/**
 * Checks that each system answers at all before a run is started, so "the ERP is down" is said
 * here in one line instead of as retries deep in a run. Any HTTP answer counts: only whether the
 * host is reachable matters, not what a base URL serves.
 */
export async function checkReachable(config: WorkerConfig, systems: Array<'medusa' | 'erp' | 'wms' | 'cms'>): Promise<void> {
  const connectorUrl = (c: ConnectorConfig): string => (c.kind === 'rest' ? c.baseUrl : c.url);
  const urls = { medusa: config.MEDUSA_BACKEND_URL, erp: connectorUrl(config.connectors.erp), wms: connectorUrl(config.connectors.wms), cms: config.CMS_BASE_URL };
  const down: string[] = [];
  await Promise.all(
    systems.map(async (s) => {
      try {
        await fetch(urls[s], { method: 'GET', signal: AbortSignal.timeout(5_000) });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
        down.push(`${s.toUpperCase()} at ${urls[s]} does not answer (${cause})`);
      }
    }),
  );
  if (down.length > 0) throw new CliError(`Cannot reach ${down.join('; ')}. Is it up, and is its *_BASE_URL / *_BACKEND_URL / TRYTON_URL right?`, EXIT.unreachable);
}

/** Parses validated flags once; a bad flag is a usage error (exit 2) naming the flag. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new CliError(`Invalid options:\n${z.prettifyError(result.error)}`, EXIT.usage);
  return result.data;
}

export const systemList = <T extends string>(allowed: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(allowed)).min(1));

export const shortId = (): string => Math.random().toString(36).slice(2, 8);
