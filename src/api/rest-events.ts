import { z } from 'zod';
import { HUB_ORIGIN_PREFIX } from '../domain/origin';
import { signalProduct, signalStock } from './entity-signals';
import { externalRefSchema, recordIdSchema, sequenceSchema, skuSchema, warehouseCodeSchema } from './ids';
import { erpOrderEchoRoutes, fulfillmentShippedRoute, wmsOrderEchoRoutes } from './order-events';
import { route, type EventRoute } from './routes';
import { fromMinorUnits } from '../domain/money';

/**
 * The envelope the ERP and WMS send (Standard Webhooks, body as the simulators emit it; a real
 * system's adapter maps its own shape here). `sequence` orders events per entity; `origin` is the
 * X-Origin the hub set on its own write, so the hub can recognise the echo of its own change.
 */
export const saasEnvelopeSchema = z.object({
  type: z.string().min(1),
  id: recordIdSchema,
  occurred_at: z.string(),
  data: z.unknown(),
  // The entity drops a sequence at or below the last it applied, so a 0 could never apply.
  sequence: sequenceSchema,
  origin: z.string().max(256).nullable(),
});
export type SaasEnvelope = z.infer<typeof saasEnvelopeSchema>;

const money = z.object({ amount: z.number().int().min(0), currency_code: z.string().min(1) });

/** The envelope's origin, when it is the echo of a write the hub made itself. */
const hubEcho = (envelope: Record<string, unknown>): boolean => typeof envelope.origin === 'string' && envelope.origin.startsWith(HUB_ORIGIN_PREFIX);

/** ERP events that start or signal workflows. */
export const erpEventRoutes: Record<string, EventRoute> = {
  'item.updated': route({
    data: z.object({ id: recordIdSchema, sku: skuSchema, price: money.nullable(), status: z.enum(['active', 'inactive']), external_ref: externalRefSchema('prod').nullable() }),
    async handle(item, { client, messageId, envelope }) {
      // Our own write coming back: passing it on would bounce it between the systems.
      if (hubEcho(envelope)) return { status: 'ignored', reason: 'echo of a write the hub made' };
      if (!item.external_ref?.startsWith('prod_')) return { status: 'ignored', reason: 'item is not linked to a Medusa product' };
      // Validated with the envelope; parsed again for its type.
      const sequence = sequenceSchema.parse(envelope.sequence);
      // Only what the ERP owns (ownership.ts); the item's name is Medusa's title, not the ERP's.
      return signalProduct(client, item.external_ref, {
        messageId,
        source: 'erp',
        // The ERP numbers events per item, so its id (not the SKU, which a recreated item keeps) keys the order.
        itemId: item.id,
        sku: item.sku,
        sequence,
        fields: { [`price:${item.sku}`]: item.price && fromMinorUnits(item.price), [`status:${item.sku}`]: item.status },
      });
    },
  }),
  ...erpOrderEchoRoutes,
};

/** WMS events that start or signal workflows. */
export const wmsEventRoutes: Record<string, EventRoute> = {
  'stock.changed': route({
    data: z.object({ sku: skuSchema, warehouse_code: warehouseCodeSchema, on_hand: z.number().int().min(0), sequence: sequenceSchema }),
    async handle(level, { client, messageId }) {
      return signalStock(client, { messageId, sku: level.sku, warehouseCode: level.warehouse_code, onHand: level.on_hand, sequence: level.sequence });
    },
  }),
  'fulfillment.shipped': fulfillmentShippedRoute,
  ...wmsOrderEchoRoutes,
};
