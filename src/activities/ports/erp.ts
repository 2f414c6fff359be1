import type { Change, ChangePage, CreateResult, Page, WriteOptions } from './common';

/**
 * The ERP port: what the product, order, backfill and reconcile flows need of an ERP. Amounts
 * are integers in minor units (1999 = 19.99 EUR); domain/money.ts is the one place they meet
 * Medusa's major units.
 */

export interface ErpMoney {
  amount: number;
  currency_code: string;
}

export interface ErpItem {
  id: string;
  sku: string;
  name: string;
  price: ErpMoney | null;
  status: 'active' | 'inactive';
  /** The Medusa variant or product id the item is linked to; what proves an item is the hub's. */
  external_ref: string | null;
  /**
   * Grows with every change of the item, so a change event whose version is at most this is
   * already in it (the REST contract counts writes; Tryton uses its write timestamps).
   */
  version: number;
  /** The idempotency key of the create that made the item (null without one); proof for an undo. */
  creation_key?: string | null;
  created_at: string;
  updated_at: string;
}

export interface ErpSalesOrderLine {
  sku: string;
  quantity: number;
  unit_price: number;
}

export interface ErpSalesOrder {
  id: string;
  /** The Medusa order id; unique in the ERP, so a retried create cannot book an order twice. */
  external_ref: string;
  status: 'open' | 'shipped' | 'canceled';
  lines: ErpSalesOrderLine[];
  currency_code: string;
  total: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CreateItemInput {
  sku: string;
  name: string;
  price?: ErpMoney | null;
  status?: 'active' | 'inactive';
  external_ref?: string | null;
}

export interface UpdateItemInput {
  name?: string;
  price?: ErpMoney | null;
  status?: 'active' | 'inactive';
  external_ref?: string | null;
}

export interface CreateSalesOrderInput {
  external_ref: string;
  currency_code: string;
  lines: ErpSalesOrderLine[];
}

export interface ErpPort {
  /** 'sku_conflict' when an active item has the SKU: returned, not thrown, because the caller resolves it. */
  createItem(input: CreateItemInput, opts: WriteOptions): Promise<CreateResult<ErpItem>>;
  /** SKUs are unique among active items, so this is the item or null. */
  findItemBySku(sku: string): Promise<ErpItem | null>;
  /** Every item linked to this external_ref (one per variant of a product), all pages. */
  listItemsByExternalRef(externalRef: string): Promise<ErpItem[]>;
  /** The catalogue in a stable order, page by page (backfills, reconciliation). */
  listItems(query: { limit: number; cursor?: string }): Promise<Page<ErpItem>>;
  updateItem(id: string, patch: UpdateItemInput, opts: WriteOptions): Promise<ErpItem>;
  /**
   * Removes the item for an undo; true when this call (or an earlier attempt) removed it, false
   * when it was not there. An ERP that keeps history may archive rather than delete, as long as
   * the SKU is free again and findItemBySku no longer returns it.
   */
  deleteItem(id: string, opts: WriteOptions): Promise<boolean>;

  /** 'external_ref_conflict' when the order is already booked. */
  createSalesOrder(input: CreateSalesOrderInput, opts: WriteOptions): Promise<CreateResult<ErpSalesOrder>>;
  findSalesOrderByExternalRef(externalRef: string): Promise<ErpSalesOrder | null>;
  /** Only open → shipped and open → canceled are asked for; the activities check the state first. */
  updateSalesOrderStatus(id: string, status: 'shipped' | 'canceled', opts: WriteOptions): Promise<ErpSalesOrder>;
}

/** An ERP whose item changes are polled rather than pushed; `null` cursor = from the beginning of time. */
export interface ErpChangeFeed {
  itemChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<ErpItem>>>;
}
