import type { Change, ChangePage, CreateResult, Page, TransitionResult, WriteOptions } from './common';

/** The WMS port: what the product, order and stock flows need of a warehouse system. */

export interface WmsSku {
  id: string;
  sku: string;
  description: string;
  /** The Medusa variant or product id the SKU is linked to; what proves a record is the hub's. */
  external_ref: string | null;
  /** The idempotency key of the create that made the record (null without one); proof for an undo. */
  creation_key?: string | null;
  created_at: string;
  updated_at: string;
}

export interface WmsStockLevel {
  sku: string;
  warehouse_code: string;
  on_hand: number;
  /** Grows with every change of this SKU's level at this warehouse: an older level never overwrites a newer one. */
  sequence: number;
  updated_at: string;
}

export interface WmsFulfillmentOrder {
  id: string;
  /** The Medusa order id; the WMS has one fulfilment order per Medusa order. */
  external_ref: string;
  status: 'pending' | 'shipped' | 'canceled';
  lines: Array<{ sku: string; quantity: number }>;
  tracking_number: string | null;
  carrier: string | null;
  created_at: string;
  updated_at: string;
  shipped_at: string | null;
  canceled_at: string | null;
}

export interface CreateSkuInput {
  sku: string;
  description?: string;
  external_ref?: string | null;
}

export interface CreateFulfillmentOrderInput {
  external_ref: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export interface WmsPort {
  /** 'sku_conflict' when the SKU exists: returned, not thrown. */
  createSku(input: CreateSkuInput, opts: WriteOptions): Promise<CreateResult<WmsSku>>;
  findSkuBySku(sku: string): Promise<WmsSku | null>;
  listSkusByExternalRef(externalRef: string): Promise<WmsSku[]>;
  listSkus(query: { limit: number; cursor?: string }): Promise<Page<WmsSku>>;
  updateSku(id: string, patch: { description?: string; external_ref?: string | null }, opts: WriteOptions): Promise<WmsSku>;
  /** true when removed (now or by an earlier attempt); false when it was not there. */
  deleteSku(id: string, opts: WriteOptions): Promise<boolean>;

  /** null when the WMS holds no level for the SKU at that warehouse. */
  getStock(sku: string, warehouseCode: string): Promise<WmsStockLevel | null>;

  /** 'external_ref_conflict' when the order already has one. */
  createFulfillmentOrder(input: CreateFulfillmentOrderInput, opts: WriteOptions): Promise<CreateResult<WmsFulfillmentOrder>>;
  findFulfillmentOrderByExternalRef(externalRef: string): Promise<WmsFulfillmentOrder | null>;
  /** `refused` (code already_shipped) once the warehouse has shipped it; canceling twice is ok. */
  cancelFulfillmentOrder(id: string, opts: WriteOptions): Promise<TransitionResult<WmsFulfillmentOrder>>;
}

/** A WMS whose changes are polled rather than pushed; `null` cursor = from the beginning of time. */
export interface WmsChangeFeed {
  /** Fulfilment orders that shipped (or were canceled in the warehouse) after the cursor. */
  shipmentChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsFulfillmentOrder>>>;
  /** Stock levels whose quantity may have changed after the cursor (one entry per SKU and warehouse). */
  stockChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsStockLevel>>>;
}
