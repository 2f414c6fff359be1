import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CmsActivities } from '../../activities/cms/products';
import type { MedusaActivities } from '../../activities/medusa/products';
import type { CmsProductChangeActivities } from '../../activities/cms/product-changes';
import type { ErpProductChangeActivities } from '../../activities/erp/product-changes';
import type { MedusaProductChangeActivities, MedusaProductFieldsResult, MedusaProductPatch, MedusaVariantRef } from '../../activities/medusa/product-changes';
import type { WmsProductChangeActivities } from '../../activities/wms/product-changes';
import { SA } from '../search-attributes';
import { doOptions, localDoOptions } from '../activity-options';
import { parseSyncedMarker, SYNCED_MARKER_KEY, syncedMarker } from './synced-marker';
import { changedFields, ownedBy, ownerOf, skuOf, targetsOf, type FieldKey, type Money, type ProductFields } from './ownership';

/**
 * One long-lived run per product, the only place that changes it after creation: every change,
 * from whichever system, is a signal to `product/<medusa product id>` (signal-with-start from
 * the bridge). The run takes changes one batch at a time, so two systems changing the product at
 * once cannot interleave their writes; applies of each change only the fields its source owns
 * (ownership.ts); writes what actually changed to the systems holding a copy; and ends when the
 * product is deleted or after a quiet spell (the next change starts it afresh).
 *
 * Echoes: our own write into a system comes back as that system's webhook. It carries values
 * equal to what the entity already holds, so the diff is empty and nothing is written (and the
 * ERP/WMS echoes are already dropped at the bridge by their X-Origin tag).
 */
export const PRODUCT_ENTITY_FLOW = 'product-entity';

export const productEntityWorkflowId = (productId: string): string => `product/${productId}`;

/** The origin tag (X-Origin) of every write the entity makes; the bridge drops events carrying it. */
export const HUB_ORIGIN_PREFIX = 'hub:';

export type ProductChange =
  /** An ERP item changed; `sequence` is the ERP's per-item event number. */
  | { messageId: string; source: 'erp'; sku: string; sequence: number; fields: ProductFields }
  /** A CMS entry changed; Strapi sends the whole entry, so these are all its content fields. */
  | { messageId: string; source: 'cms'; fields: ProductFields }
  /** Medusa's events carry ids only: the entity reads the product back itself. */
  | { messageId: string; source: 'medusa'; kind: 'updated' | 'deleted' };

export const productChangeSignal = defineSignal<[ProductChange]>('productChange');

export type ChangeOutcome = 'applied' | 'no-change' | 'duplicate' | 'stale' | 'deleted';

export interface ProductEntityState {
  /** What every system should hold, field by field; null until the first run has read it. */
  fields: ProductFields | null;
  variants: MedusaVariantRef[];
  /** Highest ERP event sequence applied per SKU: an older event delivered late is stale. */
  erpSequences: Record<string, number>;
  /** Recent delivery ids, to drop re-deliveries (bounded; see SEEN_LIMIT). */
  seen: string[];
  /** Batches applied over the product's life (continue-as-new included); part of idempotency keys. */
  batches: number;
  writes: Record<'medusa' | 'erp' | 'wms' | 'cms', number>;
  /** The latest changes and what became of them, for operators and tests. */
  log: Array<{ messageId: string; source: ProductChange['source']; outcome: ChangeOutcome; changed: string[] }>;
  continuedAsNew: number;
}

export interface ProductEntityInput {
  productId: string;
  /** Carried over by continue-as-new. */
  state?: ProductEntityState;
  pending?: ProductChange[];
  /** How long to gather a burst before applying it (default 1 s). */
  debounceMs?: number;
  /** The run ends after this long without changes (default 10 min). */
  idleTimeoutMs?: number;
  /** Continue-as-new past this many history events, or when Temporal suggests it (default 5 000). */
  maxHistoryEvents?: number;
}

export type ProductEntityView = ProductEntityState & { productId: string; pending: number };

export const productEntityQuery = defineQuery<ProductEntityView>('productEntity');

export interface ProductEntityResult {
  productId: string;
  ended: 'idle' | 'deleted' | 'gone';
  writes: ProductEntityState['writes'];
}

const SEEN_LIMIT = 1_000;
const LOG_LIMIT = 100;

const medusa = proxyActivities<MedusaProductChangeActivities>(doOptions('medusa'));
const erp = proxyActivities<ErpProductChangeActivities>(doOptions('erp'));
const wms = proxyActivities<WmsProductChangeActivities>(doOptions('wms'));
const cms = proxyActivities<CmsProductChangeActivities & Pick<CmsActivities, 'cmsGetProductEntry' | 'cmsDeleteProductEntry'>>(doOptions('cms'));

/** Reads change nothing, so they run as local activities: no activity tasks for Temporal. */
interface EntityReads {
  medusa: Pick<MedusaProductChangeActivities, 'medusaReadProductFields'>;
  cms: Pick<CmsActivities, 'cmsGetProductEntry'>;
}
const localReads: EntityReads = {
  medusa: proxyLocalActivities<MedusaProductChangeActivities>(localDoOptions),
  cms: proxyLocalActivities<CmsActivities>(localDoOptions),
};
/** Keeps Medusa's synced marker current, so the subscriber can drop echoes (synced-marker.ts). */
const medusaMarker = proxyActivities<Pick<MedusaActivities, 'medusaSetProductMetadata'>>({ ...doOptions('medusa'), startToCloseTimeout: '2 minutes' });

/**
 * Runs that started before this patch replay as they ran: reads as ordinary activities, a first
 * batch that always waited out the debounce and read Medusa again, and no synced marker.
 */
export const ENTITY_LOCAL_READS_PATCH = 'product-entity-local-reads-and-marker';

export const initialEntityState = (): ProductEntityState => ({
  fields: null,
  variants: [],
  erpSequences: {},
  seen: [],
  batches: 0,
  writes: { medusa: 0, erp: 0, wms: 0, cms: 0 },
  log: [],
  continuedAsNew: 0,
});

export async function productEntity(input: ProductEntityInput): Promise<ProductEntityResult> {
  const { productId } = input;
  const state = input.state ?? initialEntityState();
  const pending: ProductChange[] = [...(input.pending ?? [])];
  const seen = new Set(state.seen);
  const info = workflowInfo();
  const origin = `${HUB_ORIGIN_PREFIX}${info.workflowId}`;

  const record = (c: ProductChange, outcome: ChangeOutcome, changed: string[]): void => {
    state.log.push({ messageId: c.messageId, source: c.source, outcome, changed });
    if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
  };
  setHandler(productChangeSignal, (change) => {
    // At-least-once delivery from every source: a delivery id seen before is the same change.
    if (seen.has(change.messageId)) {
      record(change, 'duplicate', []);
      return;
    }
    seen.add(change.messageId);
    state.seen.push(change.messageId);
    if (state.seen.length > SEEN_LIMIT) seen.delete(state.seen.shift() ?? '');
    pending.push(change);
  });
  setHandler(productEntityQuery, () => ({ ...state, productId, pending: pending.length }));

  // One decision per run, kept for its whole life: local reads, the prompt first batch and the
  // synced marker came together, and a run replays on whichever side of the patch it began.
  const current = patched(ENTITY_LOCAL_READS_PATCH);
  const reads: EntityReads = current ? localReads : { medusa, cms };
  if (state.fields === null) {
    // The changes that started this run arrived before the baseline read began, so that read
    // already shows what they did to Medusa.
    const covered = pending.length;
    const baseline = await readBaseline(productId, reads, current);
    if (!baseline) {
      if (pending.some(isDeletion)) return retire();
      return { productId, ended: 'gone', writes: state.writes };
    }
    state.fields = baseline.fields;
    state.variants = baseline.product.variants;
    upsertSearchAttributes([{ key: SA.sku, value: baseline.product.variants.map((v) => v.sku) }]);
    // Applied at once against that read: waiting out the debounce and reading Medusa again would
    // only delay the change that started the run, and double Medusa's reads under a bulk change.
    const first = pending.slice(0, covered);
    if (current && first.length > 0 && !first.some(isDeletion)) {
      pending.splice(0, covered);
      await applyBatch(first, baseline.product);
    }
  }

  for (;;) {
    setCurrentDetails(`Product ${productId}: in sync; ${state.batches} change batch(es) applied, writes ${JSON.stringify(state.writes)}`);
    if (!(await condition(() => pending.length > 0, input.idleTimeoutMs ?? 10 * 60_000))) {
      return { productId, ended: 'idle', writes: state.writes };
    }
    // A burst (an editor saving twice, an ERP import) becomes one write per system.
    await sleep(input.debounceMs ?? 1_000);
    const batch = pending.splice(0);
    if (batch.some(isDeletion)) {
      for (const c of batch) record(c, 'deleted', []);
      return retire();
    }
    await applyBatch(batch);

    const { historyLength, continueAsNewSuggested } = workflowInfo();
    if (continueAsNewSuggested || historyLength > (input.maxHistoryEvents ?? 5_000)) {
      await condition(allHandlersFinished);
      state.continuedAsNew++;
      await continueAsNew<typeof productEntity>({ ...input, state, pending: pending.splice(0) });
    }
  }

  /** `medusaNow`: a read of the product made after every Medusa event of the batch arrived. */
  async function applyBatch(batch: ProductChange[], medusaNow?: MedusaProductFieldsResult): Promise<void> {
    const current = state.fields ?? {};
    const incoming: ProductFields = {};
    const accepted: ProductChange[] = [];
    // Fields of different owners never overlap, so only the order within one source matters:
    // arrival order for the CMS and Medusa, the ERP's own sequence per item.
    for (const c of batch) {
      if (c.source === 'erp') {
        if (c.sequence <= (state.erpSequences[c.sku] ?? 0)) {
          record(c, 'stale', []);
          continue;
        }
        state.erpSequences[c.sku] = c.sequence;
        Object.assign(incoming, ownedBy('erp', c.fields));
      } else if (c.source === 'cms') {
        Object.assign(incoming, ownedBy('cms', c.fields));
      }
      accepted.push(c);
    }
    // One read covers every Medusa event of the batch: they carry no values anyway.
    let medusaRead: MedusaProductFieldsResult | null = null;
    if (accepted.some((c) => c.source === 'medusa')) {
      medusaRead = medusaNow ?? (await reads.medusa.medusaReadProductFields({ productId }));
      if (medusaRead) {
        Object.assign(incoming, ownedBy('medusa', medusaRead.fields));
        state.variants = medusaRead.variants;
      }
    }
    const changed = changedFields(current, incoming);
    const keys = Object.keys(changed);
    let failedWrites = 0;
    if (keys.length > 0) {
      state.fields = { ...current, ...changed };
      state.batches++;
      setCurrentDetails(`Product ${productId}: writing ${keys.join(', ')}`);
      failedWrites = await writeCopies(changed, state.fields);
    }
    // Only once every copy holds Medusa's fields: the marker must never claim a sync that failed,
    // or the subscriber would drop the next change of them as an echo.
    if (medusaRead && failedWrites === 0 && current) await refreshSyncedMarker(medusaRead);
    // Logged once the copies are written, so "applied" means the other systems have it.
    for (const c of accepted) record(c, keys.length > 0 ? 'applied' : 'no-change', keys.filter((k) => ownerOf(k) === c.source));
  }

  /** Writes the marker of what the copies now hold, when Medusa's differs from it. */
  async function refreshSyncedMarker(medusaNow: MedusaProductFieldsResult): Promise<void> {
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const marker = syncedMarker({ title: text(state.fields?.title), handle: text(state.fields?.handle), skus: medusaNow.variants.map((v) => v.sku) });
    if (medusaNow.syncedMarker === marker) return;
    // Bookkeeping, not a copy of a field: not counted in state.writes. Failing it for good costs
    // only efficiency (Medusa's next updates are sent to the hub after all), so like a failed
    // copy it is reported and the entity carries on.
    try {
      await medusaMarker.medusaSetProductMetadata({ productId, values: { [SYNCED_MARKER_KEY]: marker } });
    } catch (err) {
      log.error('product entity could not refresh the synced marker', { productId, error: String(err) });
      setCurrentDetails(`Product ${productId}: could not refresh the synced marker in Medusa: ${String(err)}`);
    }
  }

  /**
   * Writes changed fields to every system holding a copy, each system once, in parallel; returns
   * how many writes failed for good.
   */
  async function writeCopies(changed: ProductFields, all: ProductFields): Promise<number> {
    const key = (step: string): string => `${info.workflowId}/${info.firstExecutionRunId}/${state.batches}/${step}`;
    const touches = (system: 'medusa' | 'erp' | 'wms' | 'cms'): boolean => Object.keys(changed).some((k) => targetsOf(k).includes(system));
    const names = (): Record<string, string> => {
      const title = typeof all.title === 'string' ? all.title : '';
      // The same naming the product-created flow uses, so both write the same thing.
      return Object.fromEntries(state.variants.map((v) => [v.sku, state.variants.length > 1 ? `${title} / ${v.title}` : title]));
    };
    const writes: Array<Promise<void>> = [];
    if (touches('medusa')) {
      writes.push(
        medusa.medusaApplyProductFields(medusaPatch(productId, changed, all, state.variants)).then((r) => {
          if (r.written) state.writes.medusa++;
        }),
      );
    }
    if (touches('erp')) {
      writes.push(
        erp.erpSetItemNames({ productId, texts: names(), idempotencyKey: key('erp-name'), origin }).then((r) => {
          state.writes.erp += r.written;
        }),
      );
    }
    if (touches('wms')) {
      writes.push(
        wms.wmsSetSkuDescriptions({ productId, texts: names(), idempotencyKey: key('wms-description'), origin }).then((r) => {
          state.writes.wms += r.written;
        }),
      );
    }
    if (touches('cms')) {
      const fields: { title?: string; handle?: string } = {};
      if (typeof changed.title === 'string') fields.title = changed.title;
      if (typeof changed.handle === 'string') fields.handle = changed.handle;
      writes.push(
        cms.cmsSetProductFields({ medusaId: productId, fields }).then((r) => {
          if (r.written) state.writes.cms++;
        }),
      );
    }
    const failures = (await Promise.allSettled(writes)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // A write that failed for good is reported, not fatal: the entity must keep taking changes.
    for (const f of failures) log.error('product entity write failed', { productId, error: String(f.reason) });
    if (failures.length > 0) setCurrentDetails(`Product ${productId}: ${failures.length} write(s) failed: ${failures.map((f) => String(f.reason)).join('; ')}`);
    return failures.length;
  }

  /** Product deleted in Medusa: retire it everywhere. Every step is idempotent. */
  async function retire(): Promise<ProductEntityResult> {
    setCurrentDetails(`Product ${productId}: deleted in Medusa; retiring it in ERP, WMS and CMS`);
    const [items, skus, entry] = await Promise.all([
      erp.erpDeactivateProductItems({ productId, origin }),
      wms.wmsRemoveProductSkus({ productId, origin }),
      cms.cmsDeleteProductEntry({ medusaId: productId }),
    ]);
    state.writes.erp += items.deactivated.length;
    state.writes.wms += skus.removed.length;
    if (entry.deleted) state.writes.cms++;
    setCurrentDetails(`Product ${productId}: retired (ERP items deactivated: ${items.deactivated.length}, WMS SKUs removed: ${skus.removed.length}, CMS entry deleted: ${entry.deleted})`);
    return { productId, ended: 'deleted', writes: state.writes };
  }
}

const isDeletion = (c: ProductChange): boolean => c.source === 'medusa' && c.kind === 'deleted';

/**
 * Where a fresh run starts from: each field's value as last copied to a system that does not own
 * it, i.e. what was last synced. Medusa holds the copies of the ERP's and CMS's fields. For
 * Medusa's own title and handle, the synced marker in Medusa's metadata says what was last sent
 * out (synced-marker.ts); without one, the CMS entry's copy stands in, as it did before the
 * marker existed. So a Medusa change that starts a fresh run still differs from the baseline and
 * is passed on, and an edit of a copy by a system that does not own the field (a CMS rename)
 * cannot pose as what was synced. `withMarker` is false only for runs that began before the
 * marker: they replay as they ran, reading both at once.
 */
async function readBaseline(
  productId: string,
  reads: EntityReads,
  withMarker: boolean,
): Promise<{ fields: ProductFields; product: MedusaProductFieldsResult } | null> {
  if (withMarker) {
    const product = await reads.medusa.medusaReadProductFields({ productId });
    if (!product) return null;
    const synced = parseSyncedMarker(product.syncedMarker);
    if (synced) return { fields: { ...product.fields, title: synced.title, handle: synced.handle }, product };
    return { fields: withCmsCopies(product.fields, await reads.cms.cmsGetProductEntry({ medusaId: productId })), product };
  }
  const [product, entry] = await Promise.all([reads.medusa.medusaReadProductFields({ productId }), reads.cms.cmsGetProductEntry({ medusaId: productId })]);
  if (!product) return null;
  return { fields: withCmsCopies(product.fields, entry), product };
}

function withCmsCopies(fields: ProductFields, entry: { title: string | null; handle: string | null } | null): ProductFields {
  const out: ProductFields = { ...fields };
  if (entry?.title) out.title = entry.title;
  if (entry?.handle) out.handle = entry.handle;
  return out;
}

/** The Medusa update for the changed fields Medusa holds a copy of. */
function medusaPatch(productId: string, changed: ProductFields, all: ProductFields, variants: MedusaVariantRef[]): MedusaProductPatch {
  const product: MedusaProductPatch['product'] = {};
  // The bridge's schemas only let text through for these fields.
  const text = (k: FieldKey): string | null => {
    const v = changed[k];
    return typeof v === 'string' ? v : null;
  };
  if ('description' in changed) product.description = text('description');
  if ('subtitle' in changed) product.subtitle = text('subtitle');
  // '' removes a metadata key in Medusa; null copy means "no SEO text".
  if ('seo_title' in changed || 'seo_description' in changed) {
    product.metadata = {};
    if ('seo_title' in changed) product.metadata.seo_title = text('seo_title') ?? '';
    if ('seo_description' in changed) product.metadata.seo_description = text('seo_description') ?? '';
  }
  // Medusa's status is per product: sold while any of its ERP items is active.
  if (Object.keys(changed).some((k) => k.startsWith('status:'))) {
    product.status = Object.entries(all).some(([k, v]) => k.startsWith('status:') && v === 'active') ? 'published' : 'draft';
  }
  const prices: MedusaProductPatch['prices'] = [];
  for (const [k, v] of Object.entries(changed)) {
    if (!k.startsWith('price:') || v === null || typeof v !== 'object') continue;
    const variant = variants.find((x) => x.sku === skuOf(k));
    if (variant) prices.push({ variantId: variant.id, ...(v as Money) });
  }
  return { productId, product, prices };
}
