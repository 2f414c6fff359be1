/**
 * Record shapes of the ERP simulator's API. Types only, so adapters and tests can share them
 * without pulling in server code.
 */
export interface Money {
  /** Integer minor units (cents), never floats: rounding errors in prices are real bugs. */
  amount: number;
  currency_code: string;
}

export interface ErpItem {
  id: string;
  sku: string;
  name: string;
  price: Money | null;
  status: 'active' | 'inactive';
  external_ref: string | null;
  /** The Idempotency-Key of the request that created this record, null without one (see RouteContext). */
  creation_key: string | null;
  /** Bumped on every change; PATCH accepts expected_version for optimistic concurrency. */
  version: number;
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
  external_ref: string;
  status: 'open' | 'shipped' | 'canceled';
  lines: ErpSalesOrderLine[];
  currency_code: string;
  /** Sum of quantity × unit_price, minor units. */
  total: number;
  version: number;
  created_at: string;
  updated_at: string;
}
