import { z } from 'zod';

/**
 * What the Tryton connector needs to reach its system, validated once (src/config wires it to
 * TRYTON_* variables). One trytond serves both roles, each from its own database. The web shop,
 * customer and warehouse are names (or codes) as a person sets them up in Tryton, looked up once
 * per process; a number is taken as the record id.
 */
export const trytonConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  erpDatabase: z.string().min(1),
  wmsDatabase: z.string().min(1),
  /** The hub's own integration user: writes made as it are recognised as the hub's echoes. */
  user: z.string().min(1),
  password: z.string().min(1),
  /** web.shop name whose web_id is the Medusa order id. */
  webShop: z.string().min(1).default('Medusa'),
  /** party.party name every Medusa order is sold to (the shop's customers are Medusa's to know). */
  customer: z.string().min(1).default('Medusa customer'),
  /** stock.location code of the warehouse (type warehouse). */
  warehouse: z.string().min(1).default('WH'),
  timeoutMs: z.coerce.number().int().positive().optional(),
  maxRequestsPerSecond: z.coerce.number().positive().optional(),
  /**
   * How far behind Tryton's clock a change feed reads (see item-changes.ts): a write whose
   * transaction runs longer than this may be missed by a poll.
   */
  changeSettleMs: z.coerce.number().int().min(0).optional(),
});

export type TrytonConfig = z.infer<typeof trytonConfigSchema>;

/** The variables the stack writes to stack.env (src/stack/tryton.ts), for tests and scripts. */
export function trytonConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TrytonConfig {
  return trytonConfigSchema.parse({
    url: env.TRYTON_URL,
    erpDatabase: env.TRYTON_ERP_DATABASE,
    wmsDatabase: env.TRYTON_WMS_DATABASE,
    user: env.TRYTON_USER,
    password: env.TRYTON_PASSWORD,
    webShop: env.TRYTON_WEB_SHOP || undefined,
    customer: env.TRYTON_CUSTOMER || undefined,
    warehouse: env.TRYTON_WAREHOUSE || undefined,
  });
}
