import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchResult } from '../../activities/catalog/batch';
import type { CmsCatalogActivities } from '../../activities/strapi/catalog';
import type { ErpCatalogActivities, ErpImportItem } from '../../activities/erp/catalog';
import type { CatalogProduct, MedusaCatalogActivities, MedusaImportActivities } from '../../activities/medusa/catalog';
import type { WmsCatalogActivities } from '../../activities/wms/catalog';
import { HUB_ORIGIN_PREFIX } from '../../domain/origin';
import { batchOptions, cmsEntryFor, expectedSkuRecords, type QueueNames, type TargetSystem } from './catalogue';

/**
 * Backfill: loads a catalogue that already exists in Medusa into the ERP, WMS and CMS (or, with
 * `from: 'erp'`, imports the ERP's items into Medusa: see importPage below). It pages
 * through Medusa by offset, writes each page to every target in one batched activity per system
 * (on that system's task queue, so its server-side rate limit applies), and checkpoints by
 * continuing as new with its cursor and counters every few pages. Every write is an upsert keyed
 * by SKU (ERP, WMS) or Medusa id (CMS), so a crash, a retried batch or a second backfill of the
 * same catalogue creates nothing twice. A product that fails is recorded and the run goes on.
 */
export const BACKFILL_FLOW = 'backfill-products';

/** One id per start; the CLI prints it and every other command takes it. */
export const backfillWorkflowId = (from: string, startedAt: Date, suffix: string): string =>
  `${BACKFILL_FLOW}/${from}/${startedAt.toISOString().replace(/[-:]|\.\d+/g, '')}-${suffix}`;

export interface BackfillInput {
  /** From Medusa to some of erp, wms, cms; or from the ERP to Medusa (the initial import, see importPage). */
  from: 'medusa' | 'erp';
  to: Array<TargetSystem | 'medusa'>;
  /** Only products updated at or after this instant (ISO 8601). */
  since?: string;
  /** Only products with a SKU starting with this. */
  skuPrefix?: string;
  /** Only these products (retrying the failures of an earlier run): Medusa ids, or SKUs from the ERP. */
  productIds?: string[];
  batchSize: number;
  /** Writes in flight per system within a batch. */
  concurrency: number;
  /** Read and count, write nothing. */
  dryRun: boolean;
  queues?: QueueNames;
  /** Carried across continue-as-new; absent on the first run. */
  checkpoint?: BackfillCheckpoint;
}

export interface FailedItem {
  /** The Medusa product id; the SKU in an import from the ERP. */
  productId: string;
  system: TargetSystem | 'medusa';
  /** The SKU (ERP, WMS, an import into Medusa) or Medusa id (CMS) that failed. */
  key: string;
  error: string;
}

export interface BackfillCheckpoint {
  /** Where the next page starts: an offset into Medusa, or the ERP's cursor ('' for its first page); null at the end. */
  cursor: number | string | null;
  scanned: number;
  total: number;
  done: number;
  failed: FailedItem[];
  startedAt: string;
  paused: boolean;
  retryRequested: boolean;
}

export type BackfillState = 'running' | 'paused' | 'retrying' | 'completed' | 'cancelled';

export interface BackfillProgress {
  state: BackfillState;
  scanned: number;
  total: number;
  done: number;
  failed: number;
  dryRun: boolean;
  startedAt: string;
}

export interface BackfillResult extends Omit<BackfillProgress, 'failed'> {
  failed: FailedItem[];
  /** What the run was asked to do, so `retry-failed` can start the same backfill for the failures. */
  input: Omit<BackfillInput, 'checkpoint'>;
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('progress');
export const backfillFailedQuery = defineQuery<FailedItem[]>('failed');
export const pauseBackfillSignal = defineSignal('pause');
export const resumeBackfillSignal = defineSignal('resume');
/** Writes the failed products again once the pass is over (or at once if it already is). */
export const retryFailedSignal = defineSignal('retryFailed');

/** Pages per run before continuing as new: keeps each history a few hundred events long. */
const PAGES_PER_RUN = 10;

export async function backfillProducts(input: BackfillInput): Promise<BackfillResult> {
  const { workflowId } = workflowInfo();
  const medusa = proxyActivities<MedusaCatalogActivities & MedusaImportActivities>(batchOptions(input.queues, 'medusa'));
  const erp = proxyActivities<ErpCatalogActivities>(batchOptions(input.queues, 'erp'));
  const wms = proxyActivities<WmsCatalogActivities>(batchOptions(input.queues, 'wms'));
  const cms = proxyActivities<CmsCatalogActivities>(batchOptions(input.queues, 'cms'));

  const cp: BackfillCheckpoint = input.checkpoint ?? {
    cursor: input.from === 'erp' ? '' : 0,
    scanned: 0,
    total: 0,
    done: 0,
    failed: [],
    startedAt: new Date().toISOString(),
    paused: false,
    retryRequested: false,
  };
  let state: BackfillState = cp.paused ? 'paused' : 'running';
  const progress = (): BackfillProgress => ({
    state,
    scanned: cp.scanned,
    total: cp.total,
    done: cp.done,
    failed: cp.failed.length,
    dryRun: input.dryRun,
    startedAt: cp.startedAt,
  });
  const report = (): void =>
    setCurrentDetails(
      `**${state}**${input.dryRun ? ' (dry run)' : ''}: ${cp.scanned}/${cp.total} products scanned, ${cp.done} in ${input.to.join(', ')}, ${cp.failed.length} failed`,
    );
  setHandler(backfillProgressQuery, progress);
  setHandler(backfillFailedQuery, () => cp.failed);
  setHandler(pauseBackfillSignal, () => {
    cp.paused = true;
    if (state === 'running') state = 'paused';
    report();
  });
  setHandler(resumeBackfillSignal, () => {
    cp.paused = false;
    if (state === 'paused') state = 'running';
    report();
  });
  setHandler(retryFailedSignal, () => {
    cp.retryRequested = true;
  });

  /** Writes one page to every target; a product counts as done once every target has it. */
  const writePage = async (products: CatalogProduct[]): Promise<void> => {
    const failures: FailedItem[] = [];
    const skuRecords = products.flatMap(expectedSkuRecords);
    const productOfSku = new Map(skuRecords.map((r) => [r.sku, r.productId]));
    for (const p of products) {
      if (p.variants.some((v) => !v.sku)) failures.push({ productId: p.id, system: 'medusa', key: p.id, error: 'a variant has no SKU; the ERP and WMS key records by SKU' });
    }
    const collect = (system: TargetSystem, productOf: (key: string) => string) => (r: BatchResult) => {
      for (const f of r.failed) failures.push({ productId: productOf(f.key), system, key: f.key, error: f.error });
    };
    /** A batch whose activity gave up (e.g. the system was down for half an hour): each of its products fails. */
    const batchFailed = (system: TargetSystem, keys: Array<[string, string]>) => (err: unknown) => {
      if (isCancellation(err)) throw err;
      const msg = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
      for (const [key, productId] of keys) failures.push({ productId, system, key, error: msg });
    };
    if (!input.dryRun) {
      const writes: Array<Promise<void>> = [];
      const skuKeys = skuRecords.map((r): [string, string] => [r.sku, r.productId]);
      const bySku = (sku: string): string => productOfSku.get(sku) ?? sku;
      if (input.to.includes('erp')) {
        const items = skuRecords.map((r) => ({ idempotencyKey: `${workflowId}/erp-item/${r.sku}`, sku: r.sku, name: r.text, price: r.price, externalRef: r.productId }));
        writes.push(erp.erpUpsertItems({ items, concurrency: input.concurrency }).then(collect('erp', bySku), batchFailed('erp', skuKeys)));
      }
      if (input.to.includes('wms')) {
        const items = skuRecords.map((r) => ({ idempotencyKey: `${workflowId}/wms-sku/${r.sku}`, sku: r.sku, description: r.text, externalRef: r.productId }));
        writes.push(wms.wmsUpsertSkus({ items, concurrency: input.concurrency }).then(collect('wms', bySku), batchFailed('wms', skuKeys)));
      }
      if (input.to.includes('cms')) {
        const entries = products.map(cmsEntryFor);
        const ids = products.map((p): [string, string] => [p.id, p.id]);
        writes.push(cms.cmsUpsertEntries({ entries, concurrency: input.concurrency }).then(collect('cms', (id) => id), batchFailed('cms', ids)));
      }
      await Promise.all(writes);
    }
    const failedProducts = new Set(failures.map((f) => f.productId));
    cp.done += products.filter((p) => !failedProducts.has(p.id)).length;
    cp.failed.push(...failures);
  };

  /**
   * The ERP's items into Medusa, one product (one variant, its SKU) per item: the ERP has no
   * notion of a product grouping several SKUs, and guessing one from names would merge what the
   * ERP keeps apart. Upsert by SKU: only SKUs Medusa lacks are created. The order is what lets
   * the product-created flow that Medusa starts for each new product succeed: the items are
   * marked "being imported" first, the products created, then each item's external_ref set to
   * its product's id, which is the link the rest of the hub follows. That flow, finding the
   * marker, retries until the link is there, then counts the item as its own (409, same ref).
   */
  const importPage = async (items: ErpImportItem[]): Promise<void> => {
    const failures: FailedItem[] = [];
    const fail = (system: 'erp' | 'medusa', skus: string[]) => (err: unknown) => {
      if (isCancellation(err)) throw err;
      const msg = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
      for (const sku of skus) failures.push({ productId: sku, system, key: sku, error: msg });
      return null;
    };
    const collect = (system: 'erp' | 'medusa', failed: BatchResult['failed']): Set<string> => {
      for (const f of failed) failures.push({ productId: f.key, system, key: f.key, error: f.error });
      return new Set(failed.map((f) => f.key));
    };
    if (!input.dryRun && items.length > 0) {
      const origin = `${HUB_ORIGIN_PREFIX}${workflowId}`;
      const skus = items.map((i) => i.sku);
      const productOf = await medusa.medusaFindProductsBySku({ skus }).catch(fail('medusa', skus));
      if (productOf) {
        const fresh = items.filter((i) => !productOf[i.sku]);
        if (fresh.length > 0) {
          const marked = await erp
            .erpMarkItemsImporting({ items: fresh.map((i) => ({ id: i.id, sku: i.sku })), importId: workflowId, concurrency: input.concurrency, origin })
            .catch(fail('erp', fresh.map((i) => i.sku)));
          const markFailed = marked ? collect('erp', marked.failed) : new Set(fresh.map((i) => i.sku));
          const toCreate = fresh.filter((i) => !markFailed.has(i.sku));
          const created = await medusa
            .medusaCreateProducts({ products: toCreate.map((i) => ({ sku: i.sku, title: i.name, price: i.price, published: i.active })), concurrency: input.concurrency })
            .catch(fail('medusa', toCreate.map((i) => i.sku)));
          if (created) {
            collect('medusa', created.failed);
            Object.assign(productOf, created.created);
          }
        }
        const links = items.flatMap((i) => {
          const productId = productOf[i.sku];
          return productId && i.externalRef !== productId ? [{ id: i.id, sku: i.sku, externalRef: productId }] : [];
        });
        if (links.length > 0) {
          const linked = await erp.erpSetItemRefs({ items: links, concurrency: input.concurrency, origin }).catch(fail('erp', links.map((l) => l.sku)));
          if (linked) collect('erp', linked.failed);
        }
      }
    }
    const failed = new Set(failures.map((f) => f.key));
    cp.done += items.filter((i) => !failed.has(i.sku)).length;
    cp.failed.push(...failures);
  };

  interface SourcePage {
    scanned: number;
    next: number | string | null;
    /** Records in the source, when it can say (Medusa can, the ERP's cursor cannot). */
    total: number | null;
    write(): Promise<void>;
  }
  /** One page of the source, read by cursor or (a retry of failed items) by keys. */
  const readPage = async (cursor: number | string, keys?: string[]): Promise<SourcePage> => {
    if (input.from === 'erp') {
      const page = await erp.erpListImportPage({ cursor: typeof cursor === 'string' && cursor !== '' ? cursor : null, limit: input.batchSize, skuPrefix: input.skuPrefix, skus: keys ?? input.productIds });
      return { scanned: page.scanned, next: page.nextCursor, total: null, write: () => importPage(page.items) };
    }
    const page = await medusa.medusaListProductsPage({ offset: typeof cursor === 'number' ? cursor : 0, limit: input.batchSize, since: input.since, skuPrefix: input.skuPrefix, ids: keys ?? input.productIds });
    return { scanned: page.scanned, next: page.nextOffset, total: page.total, write: () => writePage(page.products) };
  };
  const listPage = (cursor: number | string, keys?: string[]): Promise<SourcePage> => {
    const page = readPage(cursor, keys);
    // A prefetched page may never be awaited (the run is cancelled while it is in flight); its
    // rejection must not count as unhandled, which would fail the workflow task.
    page.catch(() => undefined);
    return page;
  };

  try {
    report();
    let pages = 0;
    // The next page is read while the current one is written: Medusa reads and target writes
    // overlap, so the targets (the slow part) are never idle waiting for a read.
    let next = cp.cursor !== null ? listPage(cp.cursor) : undefined;
    while (next) {
      await condition(() => !cp.paused);
      const page = await next;
      // A source that cannot count (the ERP) shows what it has read plus the page under way.
      cp.total = page.total ?? cp.scanned + page.scanned + (page.next !== null ? input.batchSize : 0);
      const last = page.next === null || pages + 1 >= PAGES_PER_RUN;
      next = page.next !== null && !last ? listPage(page.next) : undefined;
      await page.write();
      cp.scanned += page.scanned;
      cp.cursor = page.next;
      pages++;
      report();
      if (cp.cursor !== null && last) {
        // Checkpoint: a fresh history carrying the cursor, counters and failures.
        await condition(allHandlersFinished);
        await continueAsNew<typeof backfillProducts>({ ...input, checkpoint: cp });
      }
    }

    // A retry asked for during the pass (or now, before the run ends) writes the failed products again.
    while (cp.retryRequested && cp.failed.length > 0) {
      cp.retryRequested = false;
      state = 'retrying';
      const ids = [...new Set(cp.failed.map((f) => f.productId))];
      cp.failed = [];
      report();
      for (let i = 0; i < ids.length; i += input.batchSize) {
        const chunk = ids.slice(i, i + input.batchSize);
        const page = await listPage(0, chunk);
        await page.write();
      }
    }
    state = 'completed';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    state = 'cancelled';
    // The run stops here: record where it stopped, visibly, even though the run is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      report();
      upsertMemo({ backfill: { ...progress(), failedItems: cp.failed.slice(0, 100) } });
    });
    throw err;
  }
  report();
  upsertMemo({ backfill: { ...progress(), failedItems: cp.failed.slice(0, 100) } });
  await condition(allHandlersFinished);
  const { checkpoint: _, ...asked } = input;
  return { ...progress(), failed: cp.failed, input: asked };
}
