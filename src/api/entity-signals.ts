import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { stockChangeSignal, stockLevel, stockLevelWorkflowId, STOCK_LEVEL_FLOW, type StockChange } from '../workflows/inventory/stock-level';
import { productChangeSignal, productEntity, productEntityWorkflowId, PRODUCT_ENTITY_FLOW, type ProductChange } from '../workflows/products/product-entity';
import { SA } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';
import type { EventOutcome } from './routes';

/**
 * Hands a change to the product's entity run, starting it if none is running (signal-with-start
 * is atomic, so two webhooks at once still reach one run). The entity drops re-deliveries by
 * their messageId, so the bridge needs no state of its own for these either.
 */
export async function signalProduct(client: Client, productId: string, change: ProductChange): Promise<EventOutcome> {
  const handle = await client.workflow.signalWithStart(productEntity, {
    workflowId: productEntityWorkflowId(productId),
    taskQueue: TASK_QUEUES.workflows,
    args: [{ productId }],
    signal: productChangeSignal,
    signalArgs: [change],
    staticSummary: `Product ${productId}: changes from Medusa, ERP and CMS`,
    staticDetails: `Applies every change to product ${productId} one batch at a time, each field only from the system that owns it (see README "Who owns which field"), and copies it to the other systems.`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SA.flow, value: PRODUCT_ENTITY_FLOW },
      { key: SA.source, value: change.source },
      { key: SA.medusaProductId, value: productId },
    ]),
  });
  return { status: 'signaled', workflowId: handle.workflowId, runId: handle.signaledRunId };
}

/** Hands a WMS stock level to the run of its SKU + warehouse, starting it if needed. */
export async function signalStock(client: Client, change: StockChange): Promise<EventOutcome> {
  const handle = await client.workflow.signalWithStart(stockLevel, {
    workflowId: stockLevelWorkflowId(change.sku, change.warehouseCode),
    taskQueue: TASK_QUEUES.workflows,
    args: [{ sku: change.sku, warehouseCode: change.warehouseCode }],
    signal: stockChangeSignal,
    signalArgs: [change],
    staticSummary: `Stock of ${change.sku} at ${change.warehouseCode}: WMS → Medusa`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SA.flow, value: STOCK_LEVEL_FLOW },
      { key: SA.source, value: 'wms' },
      { key: SA.sku, value: [change.sku] },
    ]),
  });
  return { status: 'signaled', workflowId: handle.workflowId, runId: handle.signaledRunId };
}
