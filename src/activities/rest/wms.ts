import { z } from 'zod';
import type { CreateResult, Page, TransitionResult, WriteOptions } from '../ports/common';
import type { CreateFulfillmentOrderInput, CreateSkuInput, WmsFulfillmentOrder, WmsPort, WmsSku, WmsStockLevel } from '../ports/wms';
import { SaasApi, type SaasClientConfig, type SaasResource } from './api';

/**
 * The generic REST connector's WMS (docs/connectors/rest-openapi.yaml): the simulator, or a real
 * WMS behind the same contract (swap by baseUrl + apiKey). Responses are validated at the boundary.
 */
export type WmsClientConfig = SaasClientConfig;

export const wmsSkuSchema: z.ZodType<WmsSku> = z.object({
  id: z.string(),
  sku: z.string(),
  description: z.string(),
  external_ref: z.string().nullable(),
  // Which create made the record (its Idempotency-Key); optional so systems without it still parse.
  creation_key: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const wmsStockLevelSchema: z.ZodType<WmsStockLevel> = z.object({
  sku: z.string(),
  warehouse_code: z.string(),
  on_hand: z.number().int(),
  sequence: z.number().int(),
  updated_at: z.string(),
});

export const wmsFulfillmentOrderSchema: z.ZodType<WmsFulfillmentOrder> = z.object({
  id: z.string(),
  external_ref: z.string(),
  status: z.enum(['pending', 'shipped', 'canceled']),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  tracking_number: z.string().nullable(),
  carrier: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  shipped_at: z.string().nullable(),
  canceled_at: z.string().nullable(),
});

export interface ListSkusQuery {
  sku?: string;
  external_ref?: string;
  limit?: number;
  cursor?: string;
}

export interface ListStockQuery {
  sku?: string;
  warehouse_code?: string;
  limit?: number;
  cursor?: string;
}

export interface ListFulfillmentOrdersQuery {
  external_ref?: string;
  status?: 'pending' | 'shipped' | 'canceled';
  limit?: number;
  cursor?: string;
}

export const WMS_CONTRACT_VIOLATION = 'WmsContractViolation';

export class WmsRestClient implements WmsPort {
  private readonly api: SaasApi;
  private readonly skus: SaasResource<WmsSku>;
  private readonly fulfillmentOrders: SaasResource<WmsFulfillmentOrder>;

  constructor(config: WmsClientConfig) {
    this.api = new SaasApi({ system: 'WMS', contractViolationType: WMS_CONTRACT_VIOLATION }, config);
    this.skus = this.api.resource('/v1/skus', wmsSkuSchema);
    this.fulfillmentOrders = this.api.resource('/v1/fulfillment-orders', wmsFulfillmentOrderSchema);
  }

  /** 409 is returned as `conflict` rather than thrown, because the caller can resolve it. */
  createSku(input: CreateSkuInput, opts: WriteOptions): Promise<CreateResult<WmsSku>> {
    return this.skus.create(input, opts);
  }

  getSku(id: string): Promise<WmsSku | null> {
    return this.skus.get(id);
  }

  listSkus(query: ListSkusQuery = {}): Promise<Page<WmsSku>> {
    return this.skus.list({ ...query });
  }

  /** Every SKU record matching the filter, across all pages. */
  listAllSkus(query: Omit<ListSkusQuery, 'cursor'> = {}): Promise<WmsSku[]> {
    return this.skus.listAll({ limit: 200, ...query });
  }

  listSkusByExternalRef(externalRef: string): Promise<WmsSku[]> {
    return this.listAllSkus({ external_ref: externalRef });
  }

  /** SKUs are unique in the WMS, so this is the record or null. */
  findSkuBySku(sku: string): Promise<WmsSku | null> {
    return this.skus.findOne({ sku });
  }

  updateSku(id: string, patch: { description?: string; external_ref?: string | null }, opts: WriteOptions): Promise<WmsSku> {
    return this.skus.update(id, patch, opts);
  }

  /** true when deleted (now or by the earlier attempt with the same key); false when it was not there. */
  deleteSku(id: string, opts: WriteOptions): Promise<boolean> {
    return this.skus.delete(id, opts);
  }

  // Stock levels are keyed by sku + warehouse rather than an id, so they use the path-level calls.
  setStock(sku: string, warehouseCode: string, onHand: number, opts: WriteOptions): Promise<WmsStockLevel> {
    return this.api.write('PUT', stockPath(sku, warehouseCode), wmsStockLevelSchema, { on_hand: onHand }, opts);
  }

  getStock(sku: string, warehouseCode: string): Promise<WmsStockLevel | null> {
    return this.api.getOrNull(stockPath(sku, warehouseCode), wmsStockLevelSchema);
  }

  listStock(query: ListStockQuery = {}): Promise<Page<WmsStockLevel>> {
    return this.api.list('/v1/stock', wmsStockLevelSchema, { ...query });
  }

  createFulfillmentOrder(input: CreateFulfillmentOrderInput, opts: WriteOptions): Promise<CreateResult<WmsFulfillmentOrder>> {
    return this.fulfillmentOrders.create(input, opts);
  }

  getFulfillmentOrder(id: string): Promise<WmsFulfillmentOrder | null> {
    return this.fulfillmentOrders.get(id);
  }

  listFulfillmentOrders(query: ListFulfillmentOrdersQuery = {}): Promise<Page<WmsFulfillmentOrder>> {
    return this.fulfillmentOrders.list({ ...query });
  }

  /** external_ref is unique for fulfillment orders, so this is the order or null. */
  findFulfillmentOrderByExternalRef(externalRef: string): Promise<WmsFulfillmentOrder | null> {
    return this.fulfillmentOrders.findOne({ external_ref: externalRef });
  }

  /** `refused` when the order has already shipped (409). */
  cancelFulfillmentOrder(id: string, opts: WriteOptions): Promise<TransitionResult<WmsFulfillmentOrder>> {
    return this.fulfillmentOrders.action(id, 'cancel', undefined, opts);
  }

  /** `refused` when the order is canceled or shipped with other tracking (409). */
  shipFulfillmentOrder(
    id: string,
    shipment: { tracking_number: string; carrier: string },
    opts: WriteOptions,
  ): Promise<TransitionResult<WmsFulfillmentOrder>> {
    return this.fulfillmentOrders.action(id, 'ship', shipment, opts);
  }
}

function stockPath(sku: string, warehouseCode: string): string {
  return `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouseCode)}`;
}
