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
import type { CmsActivities } from '../../activities/strapi/products';
import type { MedusaActivities } from '../../activities/medusa/products';
import type { CmsProductChangeActivities } from '../../activities/strapi/product-changes';
import type { ErpProductChangeActivities } from '../../activities/erp/product-changes';
import type { MedusaProductChangeActivities, MedusaProductFieldsResult, MedusaProductPatch, MedusaVariantRef } from '../../activities/medusa/product-changes';
import type { WmsProductChangeActivities } from '../../activities/wms/product-changes';
import type { ErpActivities } from '../../activities/erp/products';
import type { WmsActivities } from '../../activities/wms/products';
import { SA } from '../search-attributes';
import { HUB_ORIGIN_PREFIX } from '../../domain/origin';
import { doOptions, localDoOptions } from '../activity-options';
import { parseSyncedMarker, SYNCED_MARKER_KEY, syncedMarker } from '../../domain/synced-marker';
import { changedFields, ownedBy, ownerOf, skuOf, targetsOf, type FieldKey, type Money, type ProductFields } from '../../domain/ownership';

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

export type ProductChange =
  /**
   * An ERP item changed; `sequence` is the ERP's per-item event number. `itemId` is the item it
   * counts for (a recreated item counts from 1 again); changes signalled before it existed lack it.
   */
  | { messageId: string; source: 'erp'; sku: string; sequence: number; fields: ProductFields; itemId?: string }
  /**
   * A CMS entry changed; Strapi sends the whole entry, so these are all its content fields.
   * `updatedAt` is the entry version's own timestamp, which orders them; absent from changes
   * signalled before it existed (and from tests'), which then apply in arrival order.
   */
  | { messageId: string; source: 'cms'; fields: ProductFields; updatedAt?: string }
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
  // The fields below came with ENTITY_DURABLE_SYNC_PATCH. Optional: the state of a run started
  // before it (carried by continue-as-new into a run that takes the patch) lacks them, and
  // `syncedSkus` missing is what makes such a run read the owners' records first.
  /**
   * Highest ERP item version applied, per ERP item id. Seeded from the items themselves when a
   * run starts, so an older change delivered after a run boundary is still recognised as stale.
   */
  erpVersions?: Record<string, number>;
  /** updatedAt of the newest CMS entry version applied (seeded from the entry, like erpVersions). */
  cmsUpdatedAt?: string;
  /** The synced marker as this entity last read or wrote it; null when Medusa holds none. */
  syncedMarker?: string | null;
  /** SKUs that exist in both the ERP and the WMS; undefined until this state has read them. */
  syncedSkus?: string[];
  /** The product-created flow has handed the product over (its links are in Medusa). */
  linked?: boolean;
  /** Copy writes that failed for good and are owed, per system: the fields still to write there. */
  unsynced?: Partial<Record<CopySystem, FieldKey[]>>;
  /** Failed retries of the owed writes in a row; sets the backoff of the next one. */
  retries?: number;
}

type CopySystem = 'medusa' | 'erp' | 'wms' | 'cms';

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
  /** First retry of an owed copy write (default 1 min), doubling up to an hour. */
  writeRetryMs?: number;
}

/**
 * `owed`: copy writes not done yet, each owed field per system plus each variant still to be
 * created in the ERP and the WMS. The run does not end while any is owed.
 */
export type ProductEntityView = ProductEntityState & { productId: string; pending: number; owed: number };

export const productEntityQuery = defineQuery<ProductEntityView>('productEntity');

export interface ProductEntityResult {
  productId: string;
  ended: 'idle' | 'deleted' | 'gone';
  writes: ProductEntityState['writes'];
}

const SEEN_LIMIT = 1_000;
const LOG_LIMIT = 100;
const HOUR_MS = 60 * 60_000;
/** In the order their writes are started (the order a replay expects). */
const COPY_SYSTEMS: readonly CopySystem[] = ['medusa', 'erp', 'wms', 'cms'];
const union = <T>(a: readonly T[] | undefined, b: readonly T[]): T[] => [...new Set([...(a ?? []), ...b])];

const medusa = proxyActivities<MedusaProductChangeActivities>(doOptions('medusa'));
const erp = proxyActivities<ErpProductChangeActivities & Pick<ErpActivities, 'erpCreateItem'>>(doOptions('erp'));
const wms = proxyActivities<WmsProductChangeActivities & Pick<WmsActivities, 'wmsCreateSku'>>(doOptions('wms'));
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
/** The owners' own records of the product, read when a state does not know them yet. */
const ownerReads = {
  erp: proxyLocalActivities<ErpProductChangeActivities>(localDoOptions),
  wms: proxyLocalActivities<WmsProductChangeActivities>(localDoOptions),
};
/** Keeps Medusa's synced marker current, so the subscriber can drop echoes (synced-marker.ts). */
const medusaMarker = proxyActivities<Pick<MedusaActivities, 'medusaSetProductMetadata'>>({ ...doOptions('medusa'), startToCloseTimeout: '2 minutes' });

/**
 * Shipped patch ids, never to be renamed or reused (README "Changing a workflow"); runs of three
 * eras are in flight. Before both: reads as ordinary activities, a first batch that waited out the
 * debounce and read Medusa again, no synced marker. `product-entity-local-reads` (f2d380e): local
 * reads and the prompt first batch. `product-entity-local-reads-and-marker` (3b888c1): both, plus
 * the synced marker; a new run records only this one.
 */
export const ENTITY_LOCAL_READS_PATCH = 'product-entity-local-reads';
export const ENTITY_SYNCED_MARKER_PATCH = 'product-entity-local-reads-and-marker';
/**
 * Issue 9: ordering that outlives a run (the owners' record versions), a baseline that is what
 * the copies hold, owed writes retried, and variants added later created in the ERP and WMS.
 */
export const ENTITY_DURABLE_SYNC_PATCH = 'product-entity-durable-sync';

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
  setHandler(productEntityQuery, () => ({ ...state, productId, pending: pending.length, owed: owedCount() }));

  // One decision per run, kept for its whole life, so a run replays in the era it began: on
  // replay patched() is true only for a marker its history holds. Short-circuit, so a new run
  // records one marker, as runs since 3b888c1 did.
  const withMarker = patched(ENTITY_SYNCED_MARKER_PATCH);
  const withLocalReads = withMarker || patched(ENTITY_LOCAL_READS_PATCH);
  const reads: EntityReads = withLocalReads ? localReads : { medusa, cms };
  // Issue 9, one decision per run like the ones above. A run continued-as-new from a run that
  // began before it takes this side with that run's state, which lacks every field this adds:
  // they are optional, and a state without `syncedSkus` reads the owners' records first.
  const durable = patched(ENTITY_DURABLE_SYNC_PATCH);
  if (state.fields === null) {
    // The changes that started this run arrived before the baseline read began, so that read
    // already shows what they did to Medusa.
    const covered = pending.length;
    const baseline = await readBaseline(productId, reads, withMarker);
    if (!baseline) {
      if (pending.some(isDeletion)) return retire();
      return { productId, ended: 'gone', writes: state.writes };
    }
    state.fields = baseline.fields;
    state.variants = baseline.product.variants;
    if (durable) {
      state.syncedMarker = baseline.product.syncedMarker;
      state.linked = baseline.product.linked === true;
    }
    upsertSearchAttributes([{ key: SA.sku, value: baseline.product.variants.map((v) => v.sku) }]);
    // Applied at once against that read: waiting out the debounce and reading Medusa again would
    // only delay the change that started the run, and double Medusa's reads under a bulk change.
    const first = pending.slice(0, covered);
    if (withLocalReads && first.length > 0 && !first.some(isDeletion)) {
      pending.splice(0, covered);
      await applyBatch(first, baseline.product);
    }
  }

  for (;;) {
    // Owed writes keep the run going: ending it would forget them. They are retried with each
    // batch, and on a durable timer with backoff when no change comes.
    const owed = durable && owedCount() > 0;
    const retryIn = Math.min(HOUR_MS, (input.writeRetryMs ?? 60_000) * 2 ** Math.min(Math.max(0, (state.retries ?? 0) - 1), 6));
    setCurrentDetails(
      owed
        ? `Product ${productId}: ${describeOwed()}; retrying in ${Math.round(retryIn / 1000)} s or with the next change`
        : `Product ${productId}: in sync; ${state.batches} change batch(es) applied, writes ${JSON.stringify(state.writes)}`,
    );
    const woken = await condition(() => pending.length > 0, owed ? retryIn : (input.idleTimeoutMs ?? 10 * 60_000));
    if (!woken && !owed) return { productId, ended: 'idle', writes: state.writes };
    if (woken) {
      // A burst (an editor saving twice, an ERP import) becomes one write per system.
      await sleep(input.debounceMs ?? 1_000);
      const batch = pending.splice(0);
      if (batch.some(isDeletion)) {
        for (const c of batch) record(c, 'deleted', []);
        return retire();
      }
      await applyBatch(batch);
    } else {
      await applyBatch([], undefined, true);
    }

    const { historyLength, continueAsNewSuggested } = workflowInfo();
    if (continueAsNewSuggested || historyLength > (input.maxHistoryEvents ?? 5_000)) {
      await condition(allHandlersFinished);
      state.continuedAsNew++;
      await continueAsNew<typeof productEntity>({ ...input, state, pending: pending.splice(0) });
    }
  }

  /**
   * `medusaNow`: a read of the product made after every Medusa event of the batch arrived.
   * `recheck`: no change came, owed writes are due; Medusa is read again so the marker can
   * follow once they are done.
   */
  async function applyBatch(batch: ProductChange[], medusaNow?: MedusaProductFieldsResult, recheck = false): Promise<void> {
    const current = state.fields ?? {};
    const incoming: ProductFields = {};
    const accepted: ProductChange[] = [];
    // One read covers every Medusa event of the batch: they carry no values anyway. A read made
    // for the run's baseline is current too, so on the durable side it is used whatever came.
    let medusaRead: MedusaProductFieldsResult | null = null;
    if (batch.some((c) => c.source === 'medusa') || (durable && (recheck || medusaNow))) {
      medusaRead = medusaNow ?? (await reads.medusa.medusaReadProductFields({ productId }));
      if (medusaRead) state.variants = medusaRead.variants;
    }
    let base = current;
    if (durable) {
      if (medusaRead) state.linked = state.linked === true || medusaRead.linked === true;
      // The hand-over from the product-created flow, race-free without any signal between the
      // two: that flow creates the copies from the product as it read it, then writes the links
      // and the marker of what it synced in one write-back, its last step. Until then this
      // entity writes no marker and creates no variant (state.linked), so the marker only ever
      // says what the copies hold. The write-back moves the marker under the entity, which then
      // takes the marker's title and handle as its baseline. A rename before the write-back
      // leaves Medusa differing from that marker, so the subscriber forwards the write-back's
      // own product.updated and this read sees the move; a rename after it is an ordinary
      // change against the marker. Either way the rename reaches every copy.
      const markerMoved = medusaRead !== null && medusaRead.syncedMarker !== (state.syncedMarker ?? null);
      if (state.syncedSkus === undefined || markerMoved) await readOwners(incoming);
      const synced = markerMoved && medusaRead ? parseSyncedMarker(medusaRead.syncedMarker) : null;
      if (synced) base = { ...current, title: synced.title, handle: synced.handle };
      if (medusaRead) state.syncedMarker = medusaRead.syncedMarker;
    }
    // Fields of different owners never overlap, so only the order within one source matters:
    // arrival order for Medusa (whose reads are always current), the owner's own version of the
    // record for the ERP (per item) and the CMS (the entry's updatedAt). Those floors start at
    // the records' versions when a state first reads them, so they hold across runs too. A
    // change AT the floor is the same version, carrying the same values: harmless to apply.
    for (const c of batch) {
      if (c.source === 'erp') {
        if (durable && c.itemId !== undefined) {
          const versions = (state.erpVersions ??= {});
          if (c.sequence < (versions[c.itemId] ?? 0)) {
            record(c, 'stale', []);
            continue;
          }
          versions[c.itemId] = c.sequence;
        } else {
          if (c.sequence <= (state.erpSequences[c.sku] ?? 0)) {
            record(c, 'stale', []);
            continue;
          }
          state.erpSequences[c.sku] = c.sequence;
        }
        Object.assign(incoming, ownedBy('erp', c.fields));
      } else if (c.source === 'cms') {
        if (durable && c.updatedAt !== undefined) {
          if (state.cmsUpdatedAt !== undefined && Date.parse(c.updatedAt) < Date.parse(state.cmsUpdatedAt)) {
            record(c, 'stale', []);
            continue;
          }
          state.cmsUpdatedAt = c.updatedAt;
        }
        Object.assign(incoming, ownedBy('cms', c.fields));
      }
      accepted.push(c);
    }
    if (medusaRead) Object.assign(incoming, ownedBy('medusa', medusaRead.fields));
    const changed = changedFields(base, incoming);
    const keys = Object.keys(changed);
    if (durable) {
      state.fields = { ...base, ...changed };
      await syncCopies(changed, medusaRead);
    } else {
      let failedWrites = 0;
      if (keys.length > 0) {
        state.fields = { ...current, ...changed };
        state.batches++;
        setCurrentDetails(`Product ${productId}: writing ${keys.join(', ')}`);
        const touched = COPY_SYSTEMS.filter((system) => keys.some((k) => targetsOf(k).includes(system)));
        failedWrites = (await writeCopies(Object.fromEntries(touched.map((system) => [system, changed])), state.fields)).length;
      }
      // Only once every copy holds Medusa's fields: the marker must never claim a sync that failed,
      // or the subscriber would drop the next change of them as an echo.
      if (medusaRead && failedWrites === 0 && withMarker) await refreshSyncedMarker(medusaRead, medusaRead.variants.map((v) => v.sku));
    }
    // Logged once the copies are written, so "applied" means the other systems have it (or owe it).
    for (const c of accepted) record(c, keys.length > 0 ? 'applied' : 'no-change', keys.filter((k) => ownerOf(k) === c.source));
  }

  /**
   * Reads the owners' own records of the product: the ERP items and the CMS entry, whose values
   * go in like a change (the owner is right, whatever Medusa's copy says) and whose versions
   * become the floors; and which SKUs the ERP and the WMS hold. Like the stock-level run reading
   * the WMS first, this is what lets a fresh run recognise an older change delivered late.
   */
  async function readOwners(incoming: ProductFields): Promise<void> {
    const [items, skus, entry] = await Promise.all([
      ownerReads.erp.erpReadProductItems({ productId }),
      ownerReads.wms.wmsReadProductSkus({ productId }),
      reads.cms.cmsGetProductEntry({ medusaId: productId }),
    ]);
    const versions = (state.erpVersions ??= {});
    const sold = new Set(state.variants.map((v) => v.sku));
    for (const item of items) {
      if (item.version < (versions[item.itemId] ?? 0)) continue;
      versions[item.itemId] = item.version;
      // An item of a variant Medusa no longer has is history, not a field of the product.
      if (sold.has(item.sku)) Object.assign(incoming, { [`price:${item.sku}`]: item.price, [`status:${item.sku}`]: item.status });
    }
    if (entry && (state.cmsUpdatedAt === undefined || Date.parse(entry.updatedAt) >= Date.parse(state.cmsUpdatedAt))) {
      state.cmsUpdatedAt = entry.updatedAt;
      Object.assign(incoming, ownedBy('cms', { description: entry.description, subtitle: entry.subtitle, seo_title: entry.seoTitle, seo_description: entry.seoDescription }));
    }
    const inErp = new Set(items.map((i) => i.sku));
    state.syncedSkus = skus.filter((sku) => inErp.has(sku)).sort();
  }

  /**
   * The durable side's writes: the changed fields plus every owed one, to each system holding a
   * copy; first the ERP item and WMS SKU of each variant that has none yet. What fails stays
   * owed (state.unsynced), and the marker follows only what every system holds.
   */
  async function syncCopies(changed: ProductFields, medusaRead: MedusaProductFieldsResult | null): Promise<void> {
    const all = state.fields ?? {};
    const owe = (state.unsynced ??= {});
    const created = medusaRead ? await createMissingVariants(medusaRead) : [];
    // Item names depend on how many variants there are, as in the product-created flow.
    if (created.length > 0) for (const system of ['erp', 'wms'] as const) owe[system] = union(owe[system], ['title']);
    const bySystem: Partial<Record<CopySystem, ProductFields>> = {};
    for (const system of COPY_SYSTEMS) {
      const keys = union(owe[system], Object.keys(changed).filter((k) => targetsOf(k).includes(system)) as FieldKey[]);
      if (keys.length > 0) bySystem[system] = Object.fromEntries(keys.map((k) => [k, all[k] ?? null])) as ProductFields;
    }
    const systems = Object.keys(bySystem) as CopySystem[];
    let failed: CopySystem[] = [];
    if (systems.length > 0) {
      state.batches++;
      setCurrentDetails(`Product ${productId}: writing ${systems.map((s) => `${s}: ${Object.keys(bySystem[s] ?? {}).join(', ')}`).join('; ')}`);
      failed = await writeCopies(bySystem, all);
      for (const system of systems) {
        if (failed.includes(system)) owe[system] = Object.keys(bySystem[system] ?? {}) as FieldKey[];
        else delete owe[system];
      }
    }
    const stillMissing = missingVariants().length > 0;
    state.retries = failed.length > 0 || stillMissing ? (state.retries ?? 0) + 1 : 0;
    // The marker says what every copy holds: not a title or handle still owed somewhere, and only
    // the SKUs the ERP and the WMS have. Before the product-created flow has handed the product
    // over, that flow's write-back sets it, to what it synced.
    const owedText = COPY_SYSTEMS.some((s) => (owe[s] ?? []).some((k) => k === 'title' || k === 'handle'));
    if (medusaRead && state.linked && !owedText) {
      const synced = new Set(state.syncedSkus ?? []);
      await refreshSyncedMarker(medusaRead, medusaRead.variants.map((v) => v.sku).filter((sku) => synced.has(sku)));
    }
  }

  /**
   * Variants Medusa has and the ERP or the WMS lacks. Only once the product-created flow has
   * handed the product over (until then it creates them itself, and its write-back's echo
   * brings any variant added meanwhile here), and only once this state has read the owners.
   */
  function missingVariants(): MedusaVariantRef[] {
    if (!state.linked || state.syncedSkus === undefined) return [];
    const synced = new Set(state.syncedSkus);
    return state.variants.filter((v) => !synced.has(v.sku));
  }

  /**
   * Creates the ERP item and the WMS SKU of each missing variant with the product-created flow's
   * activities and naming; keyed by this workflow id + step, and a record already ours is
   * adopted, so a retry or a second run creates nothing twice. Returns the SKUs now in both.
   */
  async function createMissingVariants(medusaRead: MedusaProductFieldsResult): Promise<string[]> {
    const done: string[] = [];
    const title = typeof state.fields?.title === 'string' ? state.fields.title : '';
    for (const v of missingVariants()) {
      const name = state.variants.length > 1 ? `${title} / ${v.title}` : title;
      const price = medusaRead.fields[`price:${v.sku}`];
      try {
        await erp.erpCreateItem({
          idempotencyKey: `${info.workflowId}/erp-item/${v.sku}`,
          sku: v.sku,
          name,
          price: price && typeof price === 'object' ? price : null,
          externalRef: productId,
          origin,
        });
        await wms.wmsCreateSku({ idempotencyKey: `${info.workflowId}/wms-sku/${v.sku}`, sku: v.sku, description: name, externalRef: productId, origin });
      } catch (err) {
        log.error('product entity could not create a new variant in the ERP/WMS', { productId, sku: v.sku, error: String(err) });
        continue;
      }
      state.syncedSkus = [...(state.syncedSkus ?? []), v.sku].sort();
      state.writes.erp++;
      state.writes.wms++;
      done.push(v.sku);
    }
    return done;
  }

  function owedCount(): number {
    return COPY_SYSTEMS.reduce((n, s) => n + (state.unsynced?.[s]?.length ?? 0), 0) + missingVariants().length;
  }

  function describeOwed(): string {
    const parts = COPY_SYSTEMS.filter((s) => (state.unsynced?.[s]?.length ?? 0) > 0).map((s) => `${s} owes ${state.unsynced?.[s]?.join(', ')}`);
    const missing = missingVariants().map((v) => v.sku);
    if (missing.length > 0) parts.push(`variants not yet in ERP/WMS: ${missing.join(', ')}`);
    return `${owedCount()} write(s) owed (${parts.join('; ')})`;
  }

  /** Writes the marker of what the copies now hold (`skus`: the SKUs to list), when Medusa's differs from it. */
  async function refreshSyncedMarker(medusaNow: MedusaProductFieldsResult, skus: string[]): Promise<void> {
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const marker = syncedMarker({ title: text(state.fields?.title), handle: text(state.fields?.handle), skus });
    if (medusaNow.syncedMarker === marker) return;
    // Bookkeeping, not a copy of a field: not counted in state.writes. Failing it for good costs
    // only efficiency (Medusa's next updates are sent to the hub after all), so like a failed
    // copy it is reported and the entity carries on.
    try {
      await medusaMarker.medusaSetProductMetadata({ productId, values: { [SYNCED_MARKER_KEY]: marker } });
      if (durable) state.syncedMarker = marker;
    } catch (err) {
      log.error('product entity could not refresh the synced marker', { productId, error: String(err) });
      setCurrentDetails(`Product ${productId}: could not refresh the synced marker in Medusa: ${String(err)}`);
    }
  }

  /**
   * Writes fields to the systems holding a copy, each system once, in parallel: `bySystem` gives
   * each system's fields to write, `all` every field's value. Returns the systems whose write
   * failed for good.
   */
  async function writeCopies(bySystem: Partial<Record<CopySystem, ProductFields>>, all: ProductFields): Promise<CopySystem[]> {
    const key = (step: string): string => `${info.workflowId}/${info.firstExecutionRunId}/${state.batches}/${step}`;
    const names = (): Record<string, string> => {
      const title = typeof all.title === 'string' ? all.title : '';
      // The same naming the product-created flow uses, so both write the same thing.
      return Object.fromEntries(state.variants.map((v) => [v.sku, state.variants.length > 1 ? `${title} / ${v.title}` : title]));
    };
    const writes: Array<{ system: CopySystem; write: Promise<void> }> = [];
    if (bySystem.medusa) {
      const write = medusa.medusaApplyProductFields(medusaPatch(productId, bySystem.medusa, all, state.variants)).then((r) => {
        if (r.written) state.writes.medusa++;
      });
      writes.push({ system: 'medusa', write });
    }
    if (bySystem.erp) {
      const write = erp.erpSetItemNames({ productId, texts: names(), idempotencyKey: key('erp-name'), origin }).then((r) => {
        state.writes.erp += r.written;
      });
      writes.push({ system: 'erp', write });
    }
    if (bySystem.wms) {
      const write = wms.wmsSetSkuDescriptions({ productId, texts: names(), idempotencyKey: key('wms-description'), origin }).then((r) => {
        state.writes.wms += r.written;
      });
      writes.push({ system: 'wms', write });
    }
    if (bySystem.cms) {
      const fields: { title?: string; handle?: string } = {};
      if (typeof bySystem.cms.title === 'string') fields.title = bySystem.cms.title;
      if (typeof bySystem.cms.handle === 'string') fields.handle = bySystem.cms.handle;
      const write = cms.cmsSetProductFields({ medusaId: productId, fields }).then((r) => {
        if (r.written) state.writes.cms++;
      });
      writes.push({ system: 'cms', write });
    }
    const settled = await Promise.allSettled(writes.map((w) => w.write));
    const failures = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ system: writes[i]!.system, reason: String(r.reason) }] : []));
    // A write that failed for good is reported, not fatal: the entity must keep taking changes.
    // On the durable side it also stays owed and is retried (syncCopies).
    for (const f of failures) log.error('product entity write failed', { productId, system: f.system, error: f.reason });
    if (failures.length > 0) setCurrentDetails(`Product ${productId}: ${failures.length} write(s) failed: ${failures.map((f) => `${f.system}: ${f.reason}`).join('; ')}`);
    return failures.map((f) => f.system);
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
