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
import type { CmsCatalogActivities } from '../../activities/cms/catalog';
import type { ErpCatalogActivities } from '../../activities/erp/catalog';
import type { CatalogProduct, MedusaCatalogActivities } from '../../activities/medusa/catalog';
import type { WmsCatalogActivities } from '../../activities/wms/catalog';
import { batchOptions, cmsEntryFor, expectedSkuRecords, type QueueNames, type TargetSystem } from './catalogue';

/**
 * Backfill: loads a catalogue that already exists in Medusa into the ERP, WMS and CMS. It pages
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
  from: 'medusa';
  to: TargetSystem[];
  /** Only products updated at or after this instant (ISO 8601). */
  since?: string;
  /** Only products with a SKU starting with this. */
  skuPrefix?: string;
  /** Only these products (retrying the failures of an earlier run). */
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
  productId: string;
  system: TargetSystem | 'medusa';
  /** The SKU (ERP, WMS) or Medusa id (CMS) that failed. */
  key: string;
  error: string;
}

export interface BackfillCheckpoint {
  offset: number | null;
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
  const medusa = proxyActivities<MedusaCatalogActivities>(batchOptions(input.queues, 'medusa'));
  const erp = proxyActivities<ErpCatalogActivities>(batchOptions(input.queues, 'erp'));
  const wms = proxyActivities<WmsCatalogActivities>(batchOptions(input.queues, 'wms'));
  const cms = proxyActivities<CmsCatalogActivities>(batchOptions(input.queues, 'cms'));

  const cp: BackfillCheckpoint = input.checkpoint ?? {
    offset: 0,
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

  const listPage = (offset: number, ids?: string[]) => {
    const page = medusa.medusaListProductsPage({ offset, limit: input.batchSize, since: input.since, skuPrefix: input.skuPrefix, ids: ids ?? input.productIds });
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
    let next = cp.offset !== null ? listPage(cp.offset) : undefined;
    while (next) {
      await condition(() => !cp.paused);
      const page = await next;
      cp.total = page.total;
      const last = page.nextOffset === null || pages + 1 >= PAGES_PER_RUN;
      next = page.nextOffset !== null && !last ? listPage(page.nextOffset) : undefined;
      await writePage(page.products);
      cp.scanned += page.scanned;
      cp.offset = page.nextOffset;
      pages++;
      report();
      if (cp.offset !== null && last) {
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
        await writePage(page.products);
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
