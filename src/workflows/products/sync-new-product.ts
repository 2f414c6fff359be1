import {
  ApplicationFailure,
  CancellationScope,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CmsActivities } from '../../activities/strapi/products';
import type { ErpActivities } from '../../activities/erp/products';
import type { MedusaActivities } from '../../activities/medusa/products';
import type { WmsActivities } from '../../activities/wms/products';
import { runSaga, type StepOutcome } from '../saga';
import { SA } from '../search-attributes';
import { doOptions, localDoOptions, SETTLE_BEFORE_UNDO_PATCH, settleBeforeUndo, undoOptions } from '../activity-options';
import { SYNCED_MARKER_KEY, syncedMarker } from '../../domain/synced-marker';

/**
 * A product created in Medusa reaches the ERP (one item per variant), the WMS (one SKU per
 * variant) and the CMS (one entry), then the external ids are written back onto the Medusa
 * product. Any failure undoes every earlier effect, in every system.
 */
export const SYNC_NEW_PRODUCT_FLOW = 'product-created';

/** Medusa emits product.created once per product, so the product id alone names the run. */
export const syncNewProductWorkflowId = (productId: string): string => `${SYNC_NEW_PRODUCT_FLOW}/${productId}`;

export interface SyncNewProductInput {
  productId: string;
}

export interface SyncNewProductResult {
  productId: string;
  skus: string[];
  erpItemIds: Record<string, string>;
  wmsSkuIds: Record<string, string>;
  cmsDocumentId: string;
}

/** The metadata keys this flow owns on the Medusa product. */
export const METADATA_KEYS = ['erp_item_ids', 'wms_sku_ids', 'cms_document_id', SYNCED_MARKER_KEY] as const;

/**
 * The external ids as Medusa metadata: `SKU=id` pairs sorted by SKU, so the value says which id
 * belongs to which variant whatever order Medusa lists the variants in.
 */
export function externalIdsMetadata(ids: Pick<SyncNewProductResult, 'erpItemIds' | 'wmsSkuIds' | 'cmsDocumentId'>): Record<'erp_item_ids' | 'wms_sku_ids' | 'cms_document_id', string> {
  const pairs = (bySku: Record<string, string>): string =>
    Object.keys(bySku)
      .sort()
      .map((sku) => `${sku}=${bySku[sku]}`)
      .join(',');
  return { erp_item_ids: pairs(ids.erpItemIds), wms_sku_ids: pairs(ids.wmsSkuIds), cms_document_id: ids.cmsDocumentId };
}

/**
 * Medusa metadata writes wait in the worker's micro-batcher for one batch call shared with other
 * runs; under a burst that wait is part of the attempt, so the attempt gets longer to finish.
 */
const remote = {
  medusa: proxyActivities<MedusaActivities>({ ...doOptions('medusa'), startToCloseTimeout: '2 minutes' }),
  erp: proxyActivities<ErpActivities>(doOptions('erp')),
  wms: proxyActivities<WmsActivities>(doOptions('wms')),
  cms: proxyActivities<CmsActivities>(doOptions('cms')),
};
/**
 * The forward steps as local activities: a bulk import starts one run per product, and as
 * ordinary activities those steps cost Temporal about three times the work (bench/).
 */
const local = {
  medusa: proxyLocalActivities<MedusaActivities>({ ...localDoOptions, startToCloseTimeout: '2 minutes' }),
  erp: proxyLocalActivities<ErpActivities>(localDoOptions),
  wms: proxyLocalActivities<WmsActivities>(localDoOptions),
  cms: proxyLocalActivities<CmsActivities>(localDoOptions),
};
/**
 * The same, but a cancelled step is awaited until it has really ended, so its undo cannot
 * overtake it (activity-options.ts, settleBeforeUndo). Runs started before issue 9 replay on
 * `local`.
 */
const localSettled = {
  medusa: proxyLocalActivities<MedusaActivities>(settleBeforeUndo({ ...localDoOptions, startToCloseTimeout: '2 minutes' })),
  erp: proxyLocalActivities<ErpActivities>(settleBeforeUndo(localDoOptions)),
  wms: proxyLocalActivities<WmsActivities>(settleBeforeUndo(localDoOptions)),
  cms: proxyLocalActivities<CmsActivities>(settleBeforeUndo(localDoOptions)),
};
/** Runs started before the forward steps became local activities replay on ordinary ones. */
export const LOCAL_FORWARD_STEPS_PATCH = 'product-created-local-activities';
const undoMedusa = proxyActivities<MedusaActivities>({ ...undoOptions('medusa'), startToCloseTimeout: '2 minutes' });
const undoErp = proxyActivities<ErpActivities>(undoOptions('erp'));
const undoWms = proxyActivities<WmsActivities>(undoOptions('wms'));
const undoCms = proxyActivities<CmsActivities>(undoOptions('cms'));

export async function syncNewProduct({ productId }: SyncNewProductInput): Promise<SyncNewProductResult> {
  // Idempotency keys come from the run's id plus the step, so a retried activity (or a replayed
  // webhook that reaches the same run) never creates a second record.
  const { workflowId } = workflowInfo();
  const key = (step: string): string => `${workflowId}/${step}`;
  const progress = (step: string): void => setCurrentDetails(`Product ${productId}: ${step}`);
  const localForward = patched(LOCAL_FORWARD_STEPS_PATCH);
  const settleFirst = localForward && patched(SETTLE_BEFORE_UNDO_PATCH);
  const { medusa, erp, wms, cms } = localForward ? (settleFirst ? localSettled : local) : remote;

  progress('reading the product from Medusa');
  // Not cancellable under the patch: a run that sees a cancel at once (an earlier attempt of its
  // first workflow task may have run steps and been lost, see Saga.plan) still needs the product
  // to know which steps to undo. A read changes nothing, so letting it finish costs nothing.
  const read = (): ReturnType<typeof medusa.medusaGetProduct> => medusa.medusaGetProduct({ productId });
  const product = await (settleFirst ? CancellationScope.nonCancellable(read) : read());
  // In SKU order: Medusa lists variants in no guaranteed order, and runs of one product should
  // read the same (search attributes, step order) whatever order it answered in.
  const variants = product.variants.map((v) => ({ ...v, sku: v.sku ?? '' })).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const missing = variants.filter((v) => !v.sku);
  if (missing.length > 0) {
    // ERP and WMS key everything by SKU; guessing one would create records nobody can match.
    throw ApplicationFailure.nonRetryable(
      `Product ${productId} has variants without a SKU (${missing.map((v) => v.id).join(', ')}); give every variant a SKU and re-run`,
      'MissingSku',
    );
  }
  const skus = variants.map((v) => v.sku);
  upsertSearchAttributes([{ key: SA.sku, value: skus }]);
  upsertMemo({ product: { id: productId, handle: product.handle, skus } });

  return runSaga({ continueWithError: true }, async (saga) => {
    // Each undo gets its do's outcome and the do's key, so it removes only what this run made: an
    // ERP master item the run adopted, say after `hub backfill --from erp`, stays. Under the patch
    // every step's undo is on the stack before the first do runs (Saga.plan: a lost workflow task
    // may have run later steps as local activities); earlier runs registered each just before
    // its do, and replay that way.
    const stepOf = <T>(name: string, undo: (outcome: StepOutcome<T>) => Promise<unknown>): ((run: () => Promise<T>) => Promise<T>) =>
      settleFirst ? saga.plan(name, undo) : (run) => saga.step(name, run, undo);
    const nameOf = (variant: (typeof variants)[number]): string => (variants.length > 1 ? `${product.title} / ${variant.title}` : product.title);

    const erpSteps = variants.map((variant) => {
      const idempotencyKey = key(`erp-item/${variant.sku}`);
      const price = variant.prices[0] ?? null;
      const run = stepOf<{ itemId: string; adopted?: boolean }>(`ERP item ${variant.sku}`, (outcome) =>
        undoErp.erpDeleteItem({ sku: variant.sku, externalRef: productId, idempotencyKey, created: createdRecord(outcome, (r) => r.itemId) }),
      );
      return () =>
        run(() =>
          erp.erpCreateItem({
            idempotencyKey,
            sku: variant.sku,
            name: nameOf(variant),
            price: price ? { amount: price.amount, currency_code: price.currency_code } : null,
            externalRef: productId,
          }),
        );
    });
    const wmsSteps = variants.map((variant) => {
      const idempotencyKey = key(`wms-sku/${variant.sku}`);
      const run = stepOf<{ skuId: string; adopted?: boolean }>(`WMS SKU ${variant.sku}`, (outcome) =>
        undoWms.wmsDeleteSku({ sku: variant.sku, externalRef: productId, idempotencyKey, created: createdRecord(outcome, (r) => r.skuId) }),
      );
      return () => run(() => wms.wmsCreateSku({ idempotencyKey, sku: variant.sku, description: nameOf(variant), externalRef: productId }));
    });
    const creationKey = key('cms-entry');
    // An entry that existed before the run gets its fields back; one the run made is deleted.
    const cmsStep = stepOf<Awaited<ReturnType<CmsActivities['cmsUpsertProductEntry']>>>('CMS entry', (outcome) =>
      undoCms.cmsDeleteProductEntry({ medusaId: productId, creationKey, upserted: outcome.status === 'completed' ? outcome.result : undefined }),
    );
    // Keys the product already had (an import or an earlier sync wrote them) get their values back
    // on undo; only the keys this write added are cleared.
    const restore: Record<string, string> = {};
    for (const k of METADATA_KEYS) {
      const was = product.metadata[k];
      if (typeof was === 'string' && was !== '') restore[k] = was;
    }
    const metadataStep = stepOf<void>('Medusa metadata', () => undoMedusa.medusaClearProductMetadata({ productId, keys: [...METADATA_KEYS], restore }));

    const erpItemIds: Record<string, string> = {};
    for (const [i, variant] of variants.entries()) {
      progress(`creating ERP item ${variant.sku}`);
      erpItemIds[variant.sku] = (await erpSteps[i]!()).itemId;
    }
    const wmsSkuIds: Record<string, string> = {};
    for (const [i, variant] of variants.entries()) {
      progress(`creating WMS SKU ${variant.sku}`);
      wmsSkuIds[variant.sku] = (await wmsSteps[i]!()).skuId;
    }

    progress('creating the CMS entry');
    const { documentId: cmsDocumentId } = await cmsStep(() =>
      cms.cmsUpsertProductEntry({ medusaId: productId, title: product.title, handle: product.handle, description: product.description, skus, creationKey }),
    );

    progress('writing external ids back to Medusa');
    // With the ids goes the marker of what was synced, so Medusa's product.updated echo of this
    // very write is recognised by the hub's subscriber as nothing new (synced-marker.ts).
    await metadataStep(() =>
      medusa.medusaSetProductMetadata({
        productId,
        values: {
          ...externalIdsMetadata({ erpItemIds, wmsSkuIds, cmsDocumentId }),
          [SYNCED_MARKER_KEY]: syncedMarker({ title: product.title, handle: product.handle, skus }),
        },
      }),
    );

    progress(`in sync: ${skus.length} SKU(s) in ERP and WMS, CMS entry ${cmsDocumentId}`);
    return { productId, skus, erpItemIds, wmsSkuIds, cmsDocumentId };
  });
}

/**
 * What an ERP/WMS create's undo may rely on: the record it returned and whether it adopted it.
 * A result recorded before `adopted` existed (runs in flight since before issue 9) cannot tell
 * an adopted record from a made one, so it counts as unknown and the idempotency key decides.
 */
function createdRecord<T extends { adopted?: boolean }>(outcome: StepOutcome<T>, idOf: (result: T) => string): { id: string; adopted: boolean } | undefined {
  if (outcome.status !== 'completed' || outcome.result.adopted === undefined) return undefined;
  return { id: idOf(outcome.result), adopted: outcome.result.adopted };
}
