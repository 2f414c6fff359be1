import { Webhook } from 'standardwebhooks';
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/ });

/** "whsec_<base64>", checked by constructing the signer so a bad secret fails at start, not on first delivery. */
export const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be "whsec_" followed by base64')
  .refine((s) => {
    try {
      new Webhook(s);
      return true;
    } catch {
      return false;
    }
  }, 'is not a usable Standard Webhooks secret');

/**
 * An event type as the simulators name them, `<entity>.<change>` (`item.created`,
 * `sales_order.updated`): lower-case words joined by dots. Checked because a subscription to a
 * misspelt type is not an error anywhere else, it just silently receives nothing.
 */
export const webhookEventTypeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/, 'must be an event type like "item.created" (lower-case words joined by dots)');

export const simulatorOptionsSchema = z.strictObject({
  /** 0 = any free port (tests). */
  port: z.number().int().min(0).max(65535),
  /** Loopback by default: the simulators are local stand-ins, not services to expose. */
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1),
  apiKeys: z.array(z.string().min(1)).min(1),
  controlKey: z.string().min(1),
  webhook: z
    .strictObject({
      url: httpUrl,
      secret: webhookSecretSchema,
      retry: z
        .strictObject({
          baseMs: z.number().int().positive(),
          maxMs: z.number().int().positive(),
          maxAttempts: z.number().int().positive(),
        })
        .partial()
        .optional(),
      concurrency: z.number().int().positive().optional(),
      /**
       * The event types this subscriber wants (absent: all of them), as Stripe or Shopify let a
       * webhook endpoint choose its topics. Others are never queued, so a receiver that has no
       * use for them costs neither side a signature, a request or a retry.
       */
      events: z.array(webhookEventTypeSchema).min(1, 'needs at least one event type; leave it out for all').optional(),
    })
    .optional(),
  rateLimit: z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().positive() }).optional(),
  bodyLimitBytes: z.number().int().positive().default(1_000_000),
});

export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;
export type ResolvedSimulatorOptions = z.output<typeof simulatorOptionsSchema>;

/** "a, b,,c" → ["a", "b", "c"], then each checked by `item`; a list left empty is `emptyMessage`. */
const commaList = (item: z.ZodString, emptyMessage: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(item).min(1, emptyMessage));

/** Environment variables an entry point reads; empty strings count as unset (docker/compose habit). */
const blank = (v: unknown) => (v === '' ? undefined : v);
export const simulatorEnvSchema = z
  .object({
    SIM_PORT: z.preprocess(blank, z.coerce.number().int().min(0).max(65535)),
    SIM_DATA_DIR: z.preprocess(blank, z.string()),
    SIM_API_KEYS: z.preprocess(blank, commaList(z.string(), 'needs at least one key')),
    SIM_CONTROL_KEY: z.preprocess(blank, z.string()),
    SIM_WEBHOOK_URL: z.preprocess(blank, httpUrl.optional()),
    SIM_WEBHOOK_SECRET: z.preprocess(blank, webhookSecretSchema.optional()),
    /** Comma-separated event types to deliver; empty or unset: all. */
    SIM_WEBHOOK_EVENTS: z.preprocess(blank, commaList(webhookEventTypeSchema, 'lists no event type; leave it empty for all').optional()),
    SIM_RATE_LIMIT_PER_SECOND: z.preprocess(blank, z.coerce.number().positive().optional()),
    SIM_RATE_LIMIT_BURST: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  })
  .superRefine((env, ctx) => {
    if ((env.SIM_WEBHOOK_URL === undefined) !== (env.SIM_WEBHOOK_SECRET === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'SIM_WEBHOOK_URL and SIM_WEBHOOK_SECRET go together', path: ['SIM_WEBHOOK_SECRET'] });
    }
    if (env.SIM_WEBHOOK_EVENTS !== undefined && env.SIM_WEBHOOK_URL === undefined) {
      ctx.addIssue({ code: 'custom', message: 'SIM_WEBHOOK_EVENTS needs SIM_WEBHOOK_URL', path: ['SIM_WEBHOOK_EVENTS'] });
    }
    if (env.SIM_RATE_LIMIT_BURST !== undefined && env.SIM_RATE_LIMIT_PER_SECOND === undefined) {
      ctx.addIssue({ code: 'custom', message: 'SIM_RATE_LIMIT_BURST needs SIM_RATE_LIMIT_PER_SECOND', path: ['SIM_RATE_LIMIT_BURST'] });
    }
  });

/** Maps validated env to factory options. Burst defaults to one second's worth of requests. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): SimulatorOptions {
  const e = simulatorEnvSchema.parse(env);
  return {
    port: e.SIM_PORT,
    dataDir: e.SIM_DATA_DIR,
    apiKeys: e.SIM_API_KEYS,
    controlKey: e.SIM_CONTROL_KEY,
    webhook:
      e.SIM_WEBHOOK_URL && e.SIM_WEBHOOK_SECRET
        ? { url: e.SIM_WEBHOOK_URL, secret: e.SIM_WEBHOOK_SECRET, ...(e.SIM_WEBHOOK_EVENTS && { events: e.SIM_WEBHOOK_EVENTS }) }
        : undefined,
    rateLimit:
      e.SIM_RATE_LIMIT_PER_SECOND !== undefined
        ? { perSecond: e.SIM_RATE_LIMIT_PER_SECOND, burst: e.SIM_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(e.SIM_RATE_LIMIT_PER_SECOND)) }
        : undefined,
  };
}
