import { z } from 'zod';
import type { CreateResult, Page, WriteOptions } from '../ports/common';
import type { CreateItemInput, CreateSalesOrderInput, ErpItem, ErpPort, ErpSalesOrder, UpdateItemInput } from '../ports/erp';
import { SaasApi, type SaasClientConfig, type SaasResource } from './api';

/**
 * The generic REST connector's ERP: the contract in docs/connectors/rest-openapi.yaml, spoken by
 * the simulator and by any ERP a team puts behind it (only baseUrl and apiKey change). Responses
 * are validated, so a contract drift shows up as a clear failure at the boundary instead of
 * `undefined` deep inside a workflow.
 */
export type ErpClientConfig = SaasClientConfig;

const money = z.object({ amount: z.number().int(), currency_code: z.string() });

export const erpItemSchema: z.ZodType<ErpItem> = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  price: money.nullable(),
  status: z.enum(['active', 'inactive']),
  external_ref: z.string().nullable(),
  version: z.number().int(),
  // Which create made the record (its Idempotency-Key); optional so systems without it still parse.
  creation_key: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const erpSalesOrderSchema: z.ZodType<ErpSalesOrder> = z.object({
  id: z.string(),
  external_ref: z.string(),
  status: z.enum(['open', 'shipped', 'canceled']),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unit_price: z.number().int() })),
  currency_code: z.string(),
  total: z.number().int(),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

export interface ListItemsQuery {
  sku?: string;
  external_ref?: string;
  status?: 'active' | 'inactive';
  updated_since?: string;
  limit?: number;
  cursor?: string;
}

export interface ListSalesOrdersQuery {
  external_ref?: string;
  status?: 'open' | 'shipped' | 'canceled';
  updated_since?: string;
  limit?: number;
  cursor?: string;
}

export const ERP_CONTRACT_VIOLATION = 'ErpContractViolation';

export class ErpRestClient implements ErpPort {
  private readonly items: SaasResource<ErpItem>;
  private readonly salesOrders: SaasResource<ErpSalesOrder>;

  constructor(config: ErpClientConfig) {
    const api = new SaasApi({ system: 'ERP', contractViolationType: ERP_CONTRACT_VIOLATION }, config);
    this.items = api.resource('/v1/items', erpItemSchema);
    this.salesOrders = api.resource('/v1/sales-orders', erpSalesOrderSchema);
  }

  /** 409 is returned as `conflict` (sku_conflict) rather than thrown, because the caller can resolve it. */
  createItem(input: CreateItemInput, opts: WriteOptions): Promise<CreateResult<ErpItem>> {
    return this.items.create(input, opts);
  }

  /** null when the item does not exist. */
  getItem(id: string): Promise<ErpItem | null> {
    return this.items.get(id);
  }

  listItems(query: ListItemsQuery = {}): Promise<Page<ErpItem>> {
    return this.items.list({ ...query });
  }

  /** Every item matching the filter, across all pages. */
  listAllItems(query: Omit<ListItemsQuery, 'cursor'> = {}): Promise<ErpItem[]> {
    return this.items.listAll({ limit: 200, ...query });
  }

  listItemsByExternalRef(externalRef: string): Promise<ErpItem[]> {
    return this.listAllItems({ external_ref: externalRef });
  }

  /** SKUs are unique in the ERP, so this is the item or null. */
  findItemBySku(sku: string): Promise<ErpItem | null> {
    return this.items.findOne({ sku });
  }

  updateItem(id: string, patch: UpdateItemInput & { sku?: string; expected_version?: number }, opts: WriteOptions): Promise<ErpItem> {
    return this.items.update(id, patch, opts);
  }

  /** true when this call (or the earlier attempt with the same key) deleted it; false when it was not there. */
  deleteItem(id: string, opts: WriteOptions): Promise<boolean> {
    return this.items.delete(id, opts);
  }

  createSalesOrder(input: CreateSalesOrderInput, opts: WriteOptions): Promise<CreateResult<ErpSalesOrder>> {
    return this.salesOrders.create(input, opts);
  }

  getSalesOrder(id: string): Promise<ErpSalesOrder | null> {
    return this.salesOrders.get(id);
  }

  listSalesOrders(query: ListSalesOrdersQuery = {}): Promise<Page<ErpSalesOrder>> {
    return this.salesOrders.list({ ...query });
  }

  /** external_ref is unique for sales orders, so this is the order or null. */
  findSalesOrderByExternalRef(externalRef: string): Promise<ErpSalesOrder | null> {
    return this.salesOrders.findOne({ external_ref: externalRef });
  }

  updateSalesOrderStatus(id: string, status: ErpSalesOrder['status'], opts: WriteOptions): Promise<ErpSalesOrder> {
    return this.salesOrders.update(id, { status }, opts);
  }

  deleteSalesOrder(id: string, opts: WriteOptions): Promise<boolean> {
    return this.salesOrders.delete(id, opts);
  }
}
