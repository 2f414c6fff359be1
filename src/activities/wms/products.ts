import { skuRecordSaga, type CreateSkuRecordInput, type DeleteSkuRecordInput, type DeleteSkuRecordResult } from '../records/sku-records';
import type { WmsPort } from '../ports/wms';

/** Failure type when the SKU already belongs to another product: a data problem no retry fixes. */
export const WMS_SKU_OWNED_ELSEWHERE = 'WmsSkuOwnedElsewhere';

export interface WmsCreateSkuInput extends CreateSkuRecordInput {
  description: string;
}

export type WmsDeleteSkuInput = DeleteSkuRecordInput;

export type WmsDeleteSkuResult = DeleteSkuRecordResult;

/**
 * WMS product activities, "do" next to "undo"; plain closures so workflows can `import type`
 * them and the worker registers them as ordinary functions. The saga logic is shared with the
 * ERP (records/sku-records); this supplies the WMS's SKU records.
 */
export function createWmsActivities(client: WmsPort) {
  const skus = skuRecordSaga({
    system: 'WMS',
    noun: 'sku',
    describeExisting: (id) => `exists as ${id}`,
    deleteKey: (id) => `wms-delete-sku:${id}`,
    failureTypes: { conflict: 'WmsConflict', race: 'WmsSkuRace', ownedElsewhere: WMS_SKU_OWNED_ELSEWHERE },
    create: (input: WmsCreateSkuInput, opts) =>
      client.createSku({ sku: input.sku, description: input.description, external_ref: input.externalRef }, opts),
    findBySku: (sku) => client.findSkuBySku(sku),
    delete: (id, opts) => client.deleteSku(id, opts),
  });
  return {
    /** Registers the SKU in the WMS; a 409 for a SKU already carrying our external_ref is success. */
    async wmsCreateSku(input: WmsCreateSkuInput): Promise<{ skuId: string; adopted?: boolean }> {
      const { id, adopted } = await skus.create(input);
      // `adopted` is new (issue 9) and optional: results recorded before it read as "created".
      return { skuId: id, adopted };
    },

    /** Undo of wmsCreateSku: deletes the SKU record only if this step made it (see sku-records); "not there" is done. */
    async wmsDeleteSku(input: WmsDeleteSkuInput): Promise<WmsDeleteSkuResult> {
      return skus.delete(input);
    },
  };
}

export type WmsActivities = ReturnType<typeof createWmsActivities>;
