import { skuCatalogue } from '../records/catalogue';
import type { WmsPort } from '../ports/wms';
import { createWmsActivities, type WmsCreateSkuInput } from './products';

/**
 * The WMS's SKU records in pages and in batches, for backfills and reconciliation; writes go
 * through the saga's own do/undo activities, as for the ERP.
 */
export function createWmsCatalogActivities(client: WmsPort) {
  const skus = createWmsActivities(client);
  const catalogue = skuCatalogue({
    system: 'WMS',
    list: (q) => client.listSkus(q),
    text: (record) => record.description,
    create: (i: WmsCreateSkuInput) => skus.wmsCreateSku(i),
    delete: (i) => skus.wmsDeleteSku(i),
    findBySku: (sku) => client.findSkuBySku(sku),
    // The WMS record has no version; its updated_at names the state being overwritten.
    updateText: (record, description) => client.updateSku(record.id, { description }, { idempotencyKey: `wms-describe:${record.id}:${record.updated_at}` }),
  });
  return {
    wmsListSkusPage: catalogue.listPage,
    wmsUpsertSkus: catalogue.upsert,
    wmsUpdateSkuDescriptions: catalogue.updateTexts,
    wmsDeleteSkus: catalogue.delete,
  };
}

export type WmsCatalogActivities = ReturnType<typeof createWmsCatalogActivities>;
