import { skuCatalogue } from '../saas/catalog';
import type { ErpClient } from './client';
import { createErpActivities, type ErpCreateItemInput } from './products';

/**
 * The ERP's catalogue in pages and in batches, for backfills and reconciliation. Writes go
 * through the saga's own do/undo activities, so "409 with our external_ref" means "already
 * there" exactly as in a single product sync.
 */
export function createErpCatalogActivities(client: ErpClient) {
  const items = createErpActivities(client);
  const catalogue = skuCatalogue({
    system: 'ERP',
    list: (q) => client.listItems(q),
    text: (item) => item.name,
    create: (i: ErpCreateItemInput) => items.erpCreateItem(i),
    delete: (i) => items.erpDeleteItem(i),
    findBySku: (sku) => client.findItemBySku(sku),
    updateText: (item, name) => client.updateItem(item.id, { name }, { idempotencyKey: `erp-rename:${item.id}:${item.version}` }),
  });
  return {
    erpListItemsPage: catalogue.listPage,
    erpUpsertItems: catalogue.upsert,
    erpUpdateItemNames: catalogue.updateTexts,
    erpDeleteItems: catalogue.delete,
  };
}

export type ErpCatalogActivities = ReturnType<typeof createErpCatalogActivities>;
