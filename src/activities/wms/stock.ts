import type { WmsPort } from '../ports/wms';

/** WMS stock reads for the stock-level flow (workflows/inventory/stock-level.ts). */
export function createWmsStockActivities(client: WmsPort) {
  return {
    /** The WMS's current level and its sequence, or null when it holds none for this SKU there. */
    async wmsGetStockLevel(input: { sku: string; warehouseCode: string }): Promise<{ onHand: number; sequence: number } | null> {
      const level = await client.getStock(input.sku, input.warehouseCode);
      return level ? { onHand: level.on_hand, sequence: level.sequence } : null;
    },
  };
}

export type WmsStockActivities = ReturnType<typeof createWmsStockActivities>;
