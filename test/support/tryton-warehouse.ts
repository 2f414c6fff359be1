import { z } from 'zod';
import type { TrytonRpc } from '../../src/activities/tryton/rpc';
import { findWarehouse } from '../../src/activities/tryton/wms-setup';
import { trytonAdmin } from './tryton';

/**
 * The warehouse staff of the Tryton WMS, for tests and the walkthrough scripts: what a person
 * does in the Tryton client, done over JSON-RPC as Tryton's `admin`, another user than the
 * hub's, so the change feeds see it as the warehouse's work and not as the hub's echo.
 */
export class TrytonWarehouseStaff {
  constructor(readonly rpc: TrytonRpc) {}

  /** As `admin` on the stack's WMS database (test/support/tryton.ts); a script passes its own connection. */
  static fromEnv(): TrytonWarehouseStaff {
    return new TrytonWarehouseStaff(trytonAdmin('wms'));
  }

  /**
   * Counts `quantity` of the SKU in the warehouse's storage zone: a stock inventory, confirmed,
   * which books the difference to what Tryton expected there (none when it matches).
   */
  async putStock(sku: string, warehouseCode: string, quantity: number): Promise<void> {
    const warehouse = await findWarehouse(this.rpc, warehouseCode);
    if (!warehouse) throw new Error(`no warehouse ${warehouseCode} in the WMS`);
    const [product] = await this.rpc.model('product.product').search([['code', '=', sku]], { limit: 1 });
    if (product === undefined) throw new Error(`no product ${sku} in the WMS`);
    const inventories = this.rpc.model('stock.inventory');
    const [inventory] = await inventories.create([{ location: warehouse.storage_location, lines: [['create', [{ product, quantity }]]] }]);
    await inventories.button('confirm', [inventory!]);
  }

  /** The shipment of a Medusa order (the lowest id, as the connector converges them). */
  async shipmentOf(externalRef: string): Promise<number> {
    const [id] = await this.rpc.model('stock.shipment.out').search([['reference', '=', externalRef]], { limit: 1, order: [['id', 'ASC']] });
    if (id === undefined) throw new Error(`no shipment with reference ${externalRef} in the WMS`);
    return id;
  }

  /**
   * Ships it as a warehouse does: assign (forced when the stock is short, as a person who has
   * the goods in hand would), pick, pack, done. Returns what the connector reports as the
   * tracking: the shipment's number and the warehouse's name.
   */
  async ship(shipmentId: number): Promise<{ trackingNumber: string; carrier: string }> {
    const shipments = this.rpc.model('stock.shipment.out');
    await shipments.button('assign_try', [shipmentId]);
    if ((await this.state(shipmentId)) === 'waiting') await shipments.button('assign_force', [shipmentId]);
    for (const step of ['pick', 'pack', 'do']) await shipments.button(step, [shipmentId]);
    const [row] = await shipments.read(z.object({ state: z.string(), number: z.string(), 'warehouse.': z.object({ name: z.string() }) }), [shipmentId], ['state', 'number', 'warehouse.name']);
    if (row?.state !== 'done') throw new Error(`shipment ${shipmentId} is ${String(row?.state)} after shipping`);
    return { trackingNumber: row.number, carrier: row['warehouse.'].name };
  }

  /** Cancels it as the warehouse would (Tryton allows that even once done: the stock goes back). */
  async cancel(shipmentId: number): Promise<void> {
    await this.rpc.model('stock.shipment.out').button('cancel', [shipmentId]);
  }

  async state(shipmentId: number): Promise<string> {
    const [row] = await this.rpc.model('stock.shipment.out').read(z.object({ state: z.string() }), [shipmentId], ['state']);
    return row?.state ?? 'missing';
  }
}
