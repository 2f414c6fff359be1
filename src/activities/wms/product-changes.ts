import { productRecordWrites, type SetProductTextsInput } from '../records/product-records';
import type { WmsPort } from '../ports/wms';

/**
 * WMS activities of the product entity: copy the product name onto the SKUs' descriptions, and
 * remove the SKUs when the product is deleted (a warehouse should not pick what is not sold).
 */
export function createWmsProductChangeActivities(client: WmsPort) {
  const skus = productRecordWrites({
    findBySku: (sku) => client.findSkuBySku(sku),
    listByExternalRef: (ref) => client.listSkusByExternalRef(ref),
    text: (record) => record.description,
    setText: (id, description, opts) => client.updateSku(id, { description }, opts),
  });
  return {
    /** The SKU codes the WMS holds for the product (external_ref = the Medusa product id). */
    async wmsReadProductSkus(input: { productId: string }): Promise<string[]> {
      return (await skus.ofProduct(input.productId)).map((r) => r.sku);
    },

    async wmsSetSkuDescriptions(input: SetProductTextsInput): Promise<{ written: number }> {
      return skus.setTexts(input);
    },

    /** Idempotent: a SKU already gone is simply not listed any more. */
    async wmsRemoveProductSkus(input: { productId: string; origin: string }): Promise<{ removed: string[] }> {
      const removed: string[] = [];
      for (const record of await skus.ofProduct(input.productId)) {
        if (await client.deleteSku(record.id, { idempotencyKey: `wms-delete-sku:${record.id}`, origin: input.origin })) removed.push(record.sku);
      }
      return { removed };
    },
  };
}

export type WmsProductChangeActivities = ReturnType<typeof createWmsProductChangeActivities>;
