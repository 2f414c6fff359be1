import { productRecordWrites, type SetProductTextsInput } from '../saas/product-records';
import type { ErpClient } from './client';

/**
 * ERP activities of the product entity: copy the Medusa-owned name onto the product's items,
 * and deactivate them when the product is deleted (an ERP keeps items that have history).
 */
export function createErpProductChangeActivities(client: ErpClient) {
  const items = productRecordWrites({
    findBySku: (sku) => client.findItemBySku(sku),
    listByExternalRef: (ref) => client.listAllItems({ external_ref: ref }),
    text: (item) => item.name,
    setText: (id, name, opts) => client.updateItem(id, { name }, opts),
  });
  return {
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
