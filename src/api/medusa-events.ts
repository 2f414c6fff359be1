import { TypedSearchAttributes } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { syncNewProduct, syncNewProductWorkflowId, SYNC_NEW_PRODUCT_FLOW } from '../workflows/products/sync-new-product';
import { SA } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';
import { startOnce, type StartOutcome } from './start-once';

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

export type EventOutcome = ({ status: 'started' } & StartOutcome) | { status: 'ignored'; reason: string };

export interface EventRoute {
  data: z.ZodType;
  handle(client: Client, data: unknown, messageId: string): Promise<EventOutcome>;
}

const idOnly = (prefix: string) => z.object({ id: z.string().startsWith(prefix) });

/**
 * Events the subscriber forwards but no flow consumes yet. They are acknowledged (so Medusa's
 * side does not retry) and reported as ignored, never silently dropped: the response says so,
 * and reconciliation (a later flow) catches any drift they leave.
 */
const notYetHandled = (data: z.ZodType): EventRoute => ({
  data,
  handle: async () => ({ status: 'ignored', reason: 'no flow consumes this event yet' }),
});

export const medusaEventRoutes: Record<string, EventRoute> = {
  'product.created': {
    data: idOnly('prod_'),
    async handle(client, data) {
      const { id } = idOnly('prod_').parse(data);
      const outcome = await startOnce(client, syncNewProduct, {
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
      return { status: 'started', ...outcome };
    },
  },
  'product.updated': notYetHandled(idOnly('prod_')),
  'product.deleted': notYetHandled(idOnly('prod_')),
  'order.placed': notYetHandled(idOnly('order_')),
  'order.canceled': notYetHandled(idOnly('order_')),
  'inventory-item.created': notYetHandled(idOnly('iitem_')),
  'inventory-item.updated': notYetHandled(idOnly('iitem_')),
  'inventory-level.created': notYetHandled(idOnly('ilev_')),
  'inventory-level.updated': notYetHandled(idOnly('ilev_')),
};
