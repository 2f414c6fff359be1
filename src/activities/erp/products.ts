import { skuRecordSaga, type CreateSkuRecordInput, type DeleteSkuRecordInput, type DeleteSkuRecordResult } from '../records/sku-records';
import type { ErpPort } from '../ports/erp';
import { toMinorUnits, type Money } from '../../domain/money';

/** Failure type when the SKU already belongs to another product: a data problem no retry fixes. */
export const ERP_SKU_OWNED_ELSEWHERE = 'ErpSkuOwnedElsewhere';

export interface ErpCreateItemInput extends CreateSkuRecordInput {
  name: string;
  /** In Medusa's major units; the ERP stores minor units. */
  price: Money | null;
}

export type ErpDeleteItemInput = DeleteSkuRecordInput;

export type ErpDeleteItemResult = DeleteSkuRecordResult;

/**
 * ERP product activities, each "do" next to its "undo". Closures over the client rather than
 * methods, so Temporal can register them as plain functions and workflows can `import type`.
 * The saga logic is shared with the WMS (records/sku-records); this supplies the ERP's items.
 */
export function createErpActivities(client: ErpPort) {
  const items = skuRecordSaga({
    system: 'ERP',
    noun: 'item',
    describeExisting: (id) => `belongs to item ${id}`,
    deleteKey: (id) => `erp-delete-item:${id}`,
    failureTypes: { conflict: 'ErpConflict', race: 'ErpSkuRace', ownedElsewhere: ERP_SKU_OWNED_ELSEWHERE },
    create: (input: ErpCreateItemInput, opts) =>
      client.createItem({ sku: input.sku, name: input.name, price: input.price && toMinorUnits(input.price), external_ref: input.externalRef }, opts),
    findBySku: (sku) => client.findItemBySku(sku),
    delete: (id, opts) => client.deleteItem(id, opts),
  });
  return {
    /** Creates the item for one variant; a 409 for an item already carrying our external_ref is success. */
    async erpCreateItem(input: ErpCreateItemInput): Promise<{ itemId: string; adopted?: boolean }> {
      const { id, adopted } = await items.create(input);
      // `adopted` is new (issue 9) and optional: results recorded before it read as "created".
      return { itemId: id, adopted };
    },

    /** Undo of erpCreateItem: deletes the SKU's item only if this step made it (see sku-records); "not there" is done. */
    async erpDeleteItem(input: ErpDeleteItemInput): Promise<ErpDeleteItemResult> {
      return items.delete(input);
    },
  };
}

export type ErpActivities = ReturnType<typeof createErpActivities>;
