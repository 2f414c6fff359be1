import { forEachItem, type BatchResult } from '../catalog/batch';
import { skuCatalogue } from '../records/catalogue';
import { PENDING_IMPORT_REF_PREFIX } from '../records/sku-records';
import type { ErpItem, ErpPort } from '../ports/erp';
import { fromMinorUnits, type Money } from '../../domain/money';
import { createErpActivities, type ErpCreateItemInput } from './products';

/**
 * The ERP's catalogue in pages and in batches, for backfills and reconciliation. Writes go
 * through the saga's own do/undo activities, so "409 with our external_ref" means "already
 * there" exactly as in a single product sync.
 */
export function createErpCatalogActivities(client: ErpPort) {
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
    ...createErpImportActivities(client),
  };
}

export type ErpCatalogActivities = ReturnType<typeof createErpCatalogActivities>;

/** An ERP item as the import into Medusa needs it; the price already in Medusa's major units. */
export interface ErpImportItem {
  id: string;
  sku: string;
  name: string;
  price: Money | null;
  active: boolean;
  externalRef: string | null;
}

export interface ErpImportPage {
  items: ErpImportItem[];
  /** Items this page looked at, including those the SKU prefix left out (for progress). */
  scanned: number;
  nextCursor: string | null;
}

export interface ErpItemRef {
  id: string;
  sku: string;
  externalRef: string;
}

const importItem = (item: ErpItem): ErpImportItem => ({
  id: item.id,
  sku: item.sku,
  name: item.name,
  // The one place an ERP amount enters Medusa's units (money.ts).
  price: item.price && fromMinorUnits(item.price),
  active: item.status === 'active',
  externalRef: item.external_ref,
});

/** Reading the ERP's items for an import into Medusa, and linking them to what the import created. */
export function createErpImportActivities(client: ErpPort) {
  const setRefs = (items: ErpItemRef[], concurrency: number, origin: string): Promise<BatchResult> =>
    forEachItem(items, { concurrency, key: (i) => i.sku }, async (i) => {
      await client.updateItem(i.id, { external_ref: i.externalRef }, { idempotencyKey: `erp-set-ref:${i.id}:${i.externalRef}`, origin });
    });
  return {
    /** One page by cursor, or (a retry of failed items) exactly the items of these SKUs. */
    async erpListImportPage(input: { cursor: string | null; limit: number; skuPrefix?: string; skus?: string[] }): Promise<ErpImportPage> {
      if (input.skus) {
        const found = await Promise.all(input.skus.map((sku) => client.findItemBySku(sku)));
        const items = found.flatMap((i) => (i ? [importItem(i)] : []));
        return { items, scanned: input.skus.length, nextCursor: null };
      }
      const page = await client.listItems({ limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) });
      const prefix = input.skuPrefix;
      return {
        items: page.data.filter((i) => !prefix || i.sku.startsWith(prefix)).map(importItem),
        scanned: page.data.length,
        nextCursor: page.next_cursor,
      };
    },

    /**
     * Marks items as being imported into Medusa (records/sku-records.ts), before their products are
     * created: the product-created flow Medusa starts for each then waits for the link.
     */
    erpMarkItemsImporting(input: { items: Array<{ id: string; sku: string }>; importId: string; concurrency: number; origin: string }): Promise<BatchResult> {
      const externalRef = `${PENDING_IMPORT_REF_PREFIX}${input.importId}`;
      return setRefs(input.items.map((i) => ({ ...i, externalRef })), input.concurrency, input.origin);
    },

    /**
     * Sets each item's external_ref to its Medusa product id.
     * Keyed by item and value, so a retried batch repeats nothing; `origin` marks the ERP's
     * item.updated webhooks as the hub's own echo, so they start nothing.
     */
    erpSetItemRefs(input: { items: ErpItemRef[]; concurrency: number; origin: string }): Promise<BatchResult> {
      return setRefs(input.items, input.concurrency, input.origin);
    },
  };
}

export type ErpImportActivities = ReturnType<typeof createErpImportActivities>;
