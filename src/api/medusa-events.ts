import { TypedSearchAttributes } from '@temporalio/common';
import { z } from 'zod';
import { syncNewProduct, syncNewProductWorkflowId, SYNC_NEW_PRODUCT_FLOW } from '../workflows/products/sync-new-product';
import { SA } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';
import { signalProduct } from './entity-signals';
import { medusaIdSchema } from './ids';
import { orderCanceledRoute, orderPlacedRoute } from './order-events';
import { ignore, route, type EventRoute } from './routes';
import { startOnce } from './start-once';

/**
 * What the Medusa subscriber (apps/medusa/src/subscribers/hub-forwarder.ts) sends. Medusa's
 * event data carries ids only, so each flow reads the entity back itself.
 */
export const medusaEnvelopeSchema = z.object({
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type MedusaEnvelope = z.infer<typeof medusaEnvelopeSchema>;

const idOnly = (prefix: string) => z.object({ id: medusaIdSchema(prefix) });

const NOT_YET = 'no flow consumes this event yet';

export const medusaEventRoutes: Record<string, EventRoute> = {
  'product.created': route({
    data: idOnly('prod'),
    async handle({ id }, { client }) {
      return startOnce(client, syncNewProduct, {
        workflowId: syncNewProductWorkflowId(id),
        taskQueue: TASK_QUEUES.workflows,
        args: [{ productId: id }],
        staticSummary: `Product ${id} → ERP, WMS, CMS`,
        staticDetails: `Started by Medusa's product.created for ${id}. Creates one ERP item and one WMS SKU per variant and one CMS entry, then writes their ids to the product's metadata; any failure undoes all of it.`,
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SA.flow, value: SYNC_NEW_PRODUCT_FLOW },
          { key: SA.source, value: 'medusa' },
          { key: SA.medusaProductId, value: id },
        ]),
      });
    },
  }),
  'product.updated': route({
    data: idOnly('prod'),
    async handle({ id }, { client, messageId }) {
      return signalProduct(client, id, { messageId, source: 'medusa', kind: 'updated' });
    },
  }),
  'product.deleted': route({
    data: idOnly('prod'),
    async handle({ id }, { client, messageId }) {
      return signalProduct(client, id, { messageId, source: 'medusa', kind: 'deleted' });
    },
  }),
  'order.placed': orderPlacedRoute,
  'order.canceled': orderCanceledRoute,
  'inventory-item.created': ignore(idOnly('iitem'), NOT_YET),
  'inventory-item.updated': ignore(idOnly('iitem'), NOT_YET),
  'inventory-level.created': ignore(idOnly('ilev'), NOT_YET),
  'inventory-level.updated': ignore(idOnly('ilev'), NOT_YET),
};
