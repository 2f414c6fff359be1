import type { Change, ChangePage, CreateResult, Page, TransitionResult, WriteOptions } from '../ports/common';
import type { CreateFulfillmentOrderInput, CreateSkuInput, WmsChangeFeed, WmsFulfillmentOrder, WmsPort, WmsSku, WmsStockLevel } from '../ports/wms';
import type { MicroBatcher } from '../batcher';
import { trytonCreateBatcher } from './create-batcher';
import type { ChangeCursorOptions } from './change-cursor';
import type { TrytonRpc } from './rpc';
import { wmsSetup } from './wms-setup';
import { TrytonShipments } from './wms-shipments';
import { TrytonSkus } from './wms-skus';
import { TrytonStockLevels } from './wms-stock';

/**
 * The WMS port on Tryton's stock module (the `wms` database): SKU records are products
 * (wms-skus.ts), stock levels are Tryton's quantities per warehouse (wms-stock.ts), fulfilment
 * orders are customer shipments (wms-shipments.ts). Tryton pushes nothing, so this is also the
 * change feed the inbound pollers read.
 *
 * Tryton has no Idempotency-Key: every create finds-or-creates by its natural key (the SKU's
 * code, the shipment's reference) and the idempotency key is stored only where an undo needs
 * it as proof (the SKU's creation_key).
 */
export interface TrytonWmsOptions {
  /** stock.location code of the warehouse fulfilment orders ship from. */
  warehouse: string;
  /** party.party name shipments go to (the WMS database knows no customers); created when missing. */
  customer?: string;
  /** How far behind Tryton's clock the change feeds read (change-cursor.ts). */
  settleMs?: number;
}

const DEFAULT_SETTLE_MS = 3_000;

export class TrytonWms implements WmsPort, WmsChangeFeed {
  private readonly skus: TrytonSkus;
  private readonly stock: TrytonStockLevels;
  private readonly shipments: TrytonShipments;
  private readonly creates: MicroBatcher<{ input: CreateSkuInput; opts: WriteOptions }, CreateResult<WmsSku>>;

  constructor(rpc: TrytonRpc, opts: TrytonWmsOptions) {
    const setup = wmsSetup(rpc, { warehouse: opts.warehouse, customer: opts.customer ?? 'Medusa customer' });
    const cursor: ChangeCursorOptions = { settleMs: opts.settleMs ?? DEFAULT_SETTLE_MS, clock: () => rpc.serverTime() };
    this.skus = new TrytonSkus(rpc, setup);
    this.stock = new TrytonStockLevels(rpc, () => rpc.uid(), cursor);
    this.shipments = new TrytonShipments(rpc, setup, cursor);
    this.creates = trytonCreateBatcher({
      createMany: (requests) => this.skus.createMany(requests),
      createOne: (request) => this.skus.create(request.input, request.opts),
    });
  }

  /** Gathered with concurrent creates into one Tryton call (create-batcher.ts). */
  createSku(input: CreateSkuInput, opts: WriteOptions): Promise<CreateResult<WmsSku>> {
    return this.creates.submit({ input, opts });
  }

  findSkuBySku(sku: string): Promise<WmsSku | null> {
    return this.skus.findBySku(sku);
  }

  listSkusByExternalRef(externalRef: string): Promise<WmsSku[]> {
    return this.skus.listByExternalRef(externalRef);
  }

  listSkus(query: { limit: number; cursor?: string }): Promise<Page<WmsSku>> {
    return this.skus.list(query);
  }

  updateSku(id: string, patch: { description?: string; external_ref?: string | null }): Promise<WmsSku> {
    return this.skus.update(id, patch);
  }

  deleteSku(id: string): Promise<boolean> {
    return this.skus.delete(id);
  }

  getStock(sku: string, warehouseCode: string): Promise<WmsStockLevel | null> {
    return this.stock.get(sku, warehouseCode);
  }

  createFulfillmentOrder(input: CreateFulfillmentOrderInput): Promise<CreateResult<WmsFulfillmentOrder>> {
    return this.shipments.create(input);
  }

  findFulfillmentOrderByExternalRef(externalRef: string): Promise<WmsFulfillmentOrder | null> {
    return this.shipments.find(externalRef);
  }

  cancelFulfillmentOrder(id: string): Promise<TransitionResult<WmsFulfillmentOrder>> {
    return this.shipments.cancel(id);
  }

  shipmentChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsFulfillmentOrder>>> {
    return this.shipments.changesSince(cursor, limit);
  }

  stockChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsStockLevel>>> {
    return this.stock.changesSince(cursor, limit);
  }
}
