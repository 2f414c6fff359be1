/** Record shapes of the WMS simulator's API (types only, shared with adapters and tests). */
export interface WmsSku {
  id: string;
  sku: string;
  description: string;
  external_ref: string | null;
  /** The Idempotency-Key of the request that created this record, null without one (see RouteContext). */
  creation_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface WmsStockLevel {
  sku: string;
  warehouse_code: string;
  on_hand: number;
  /** Monotonic per sku+warehouse; stock.changed events carry it so receivers can drop stale ones. */
  sequence: number;
  updated_at: string;
}

export interface WmsFulfillmentOrder {
  id: string;
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
