import { z } from 'zod';
import { signalProduct } from './entity-signals';
import { medusaIdSchema, recordIdSchema } from './ids';
import { route, type EventRoute } from './routes';

/**
 * Strapi's webhook body: { event: 'entry.update', model: 'product', createdAt, entry: {...} }.
 * Routed as `<model>.<event>`, e.g. `product.entry.update`.
 */
export const strapiEnvelopeSchema = z
  .object({ event: z.string().min(1), model: z.string().min(1), createdAt: z.string(), entry: z.record(z.string(), z.unknown()) })
  .transform((b) => ({ ...b, type: `${b.model}.${b.event}`, data: b.entry }));

/**
 * Strapi sends no delivery id; this one names the entry version (its documentId and updatedAt)
 * and the event, so it is stable across Strapi's retries of one change and differs for every
 * other change. A body without both is refused by the route's schema (422) before this id is
 * used, so 'cms:unparseable' never reaches a run.
 */
export function strapiMessageId(raw: Buffer): string {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'cms:unparseable';
  }
  const parsed = z.object({ event: z.string(), entry: z.object({ documentId: z.string(), updatedAt: z.string() }) }).safeParse(body);
  return parsed.success ? `cms:${parsed.data.event}:${parsed.data.entry.documentId}:${parsed.data.entry.updatedAt}` : 'cms:unparseable';
}

const text = z.string().nullable().default(null);

/** CMS events that start or signal workflows. */
export const cmsEventRoutes: Record<string, EventRoute> = {
  'product.entry.update': route({
    data: z.object({
      medusa_id: medusaIdSchema('prod'),
      // The entry version: names the delivery (strapiMessageId) and orders changes in the entity.
      documentId: recordIdSchema,
      updatedAt: z.iso.datetime(),
      title: text,
      handle: text,
      description: text,
      subtitle: text,
      seo_title: text,
      seo_description: text,
    }),
    async handle(entry, { client, messageId }) {
      // The whole entry goes to the entity, which keeps the CMS-owned fields and compares them
      // with what it holds: an echo of the hub's own title/handle write changes nothing there.
      const { medusa_id, documentId: _documentId, updatedAt, ...fields } = entry;
      return signalProduct(client, medusa_id, { messageId, source: 'cms', fields, updatedAt });
    },
  }),
};

/**
 * The Strapi webhook events the routes above need: a route `<model>.<event>` needs Strapi's
 * `<event>` (`product.entry.update` → `entry.update`). A Strapi webhook subscribes to events, not
 * to models, so each event is listed once whatever the models. The stack subscribes the hub's
 * webhook to exactly these, so Strapi does not post (and the bridge does not check and refuse)
 * events no route consumes, and a new route cannot be forgotten in the subscription.
 */
export const cmsWebhookEvents: readonly string[] = [...new Set(Object.keys(cmsEventRoutes).map((type) => type.slice(type.indexOf('.') + 1)))];
