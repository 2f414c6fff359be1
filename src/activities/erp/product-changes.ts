import { productRecordWrites, type SetProductTextsInput } from '../records/product-records';
import type { ErpPort } from '../ports/erp';
import { fromMinorUnits, type Money } from '../../domain/money';

/** One ERP item of a product as the entity needs it: what the ERP owns of it, and its version. */
export interface ErpProductItem {
  itemId: string;
  sku: string;
  /**
   * Bumped on every change of the item. The ERP numbers an item's webhooks by the same count
   * (created 1, each update +1), so an event whose sequence is at most this is already in it.
   */
  version: number;
  /** In Medusa's major units. */
  price: Money | null;
  status: 'active' | 'inactive';
}

/**
 * ERP activities of the product entity: copy the Medusa-owned name onto the product's items,
 * and deactivate them when the product is deleted (an ERP keeps items that have history).
 */
export function createErpProductChangeActivities(client: ErpPort) {
  const items = productRecordWrites({
    findBySku: (sku) => client.findItemBySku(sku),
    listByExternalRef: (ref) => client.listItemsByExternalRef(ref),
    text: (item) => item.name,
    setText: (id, name, opts) => client.updateItem(id, { name }, opts),
  });
  return {
    /** The product's items (external_ref = the Medusa product id), every page. */
    async erpReadProductItems(input: { productId: string }): Promise<ErpProductItem[]> {
      return (await items.ofProduct(input.productId)).map((i) => ({
        itemId: i.id,
        sku: i.sku,
        version: i.version,
        price: i.price && fromMinorUnits(i.price),
        status: i.status,
      }));
    },

    async erpSetItemNames(input: SetProductTextsInput): Promise<{ written: number }> {
      return items.setTexts(input);
    },

    /** Idempotent: items already inactive are left alone, so a replayed delete writes nothing. */
    async erpDeactivateProductItems(input: { productId: string; origin: string }): Promise<{ deactivated: string[] }> {
      const deactivated: string[] = [];
      for (const item of await items.ofProduct(input.productId)) {
        if (item.status === 'inactive') continue;
        await client.updateItem(item.id, { status: 'inactive' }, { idempotencyKey: `erp-deactivate-item:${item.id}`, origin: input.origin });
        deactivated.push(item.sku);
      }
      return { deactivated };
    },
  };
}

export type ErpProductChangeActivities = ReturnType<typeof createErpProductChangeActivities>;
