import type { ActivityOptions } from '@temporalio/workflow';
import type { CatalogProduct } from '../../activities/medusa/catalog';
import { TASK_QUEUES, type SystemTaskQueue } from '../task-queues';

/**
 * What the ERP, WMS and CMS should hold for a Medusa product (Medusa is the source of truth),
 * shared by the backfill and the reconciliation so both write and compare the same thing.
 * Pure functions only: this is imported by workflow code.
 */

export type TargetSystem = 'erp' | 'wms' | 'cms';
export const TARGET_SYSTEMS: readonly TargetSystem[] = ['erp', 'wms', 'cms'];

/** Task queue names; a test (or a second hub on one cluster) may run the flows on queues of its own. */
export type QueueNames = Partial<Record<keyof typeof TASK_QUEUES, string>>;

export const queueOf = (queues: QueueNames | undefined, system: SystemTaskQueue): string => queues?.[system] ?? TASK_QUEUES[system];

/**
 * Batched catalogue calls: each is one activity over many records, so it heartbeats per record;
 * a worker that dies mid-batch is noticed after the heartbeat timeout and the batch is retried on
 * another worker (every write is an upsert, so the retry creates nothing twice).
 */
export const batchOptions = (queues: QueueNames | undefined, system: SystemTaskQueue): ActivityOptions => ({
  taskQueue: queueOf(queues, system),
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Same naming as the product-created flow, so a backfilled record looks like a synced one. */
export const variantText = (product: CatalogProduct, variantTitle: string): string =>
  product.variants.length > 1 ? `${product.title} / ${variantTitle}` : product.title;

export interface ExpectedSkuRecord {
  sku: string;
  productId: string;
  text: string;
  price: { amount: number; currency_code: string } | null;
}

/** One record per variant with a SKU; variants without one cannot be matched in the ERP or WMS. */
export function expectedSkuRecords(product: CatalogProduct): ExpectedSkuRecord[] {
  return product.variants.flatMap((v) => (v.sku ? [{ sku: v.sku, productId: product.id, text: variantText(product, v.title), price: v.price }] : []));
}

export const productSkus = (product: CatalogProduct): string[] => product.variants.flatMap((v) => (v.sku ? [v.sku] : []));

export const cmsEntryFor = (product: CatalogProduct) => ({
  medusaId: product.id,
  title: product.title,
  handle: product.handle,
  description: product.description,
  skus: productSkus(product),
});

/** Records whose external_ref is a Medusa product id were written by the hub: only those may be removed. */
export const isHubOwned = (externalRef: string | null): externalRef is string => externalRef !== null && externalRef.startsWith('prod_');
