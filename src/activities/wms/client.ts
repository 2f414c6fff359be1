import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { JsonHttpClient } from '../http';

/**
 * Typed client of the WMS's REST API (simulator or a real WMS with the same contract; swap by
 * baseUrl + apiKey). Responses are validated at the boundary.
 */
export interface WmsClientConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** Every write carries an idempotency key; origin marks our own writes so their webhooks can be ignored. */
export interface WriteOptions {
  idempotencyKey: string;
  origin?: string;
}

export const wmsSkuSchema = z.object({
  id: z.string(),
  sku: z.string(),
  description: z.string(),
  external_ref: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WmsSku = z.infer<typeof wmsSkuSchema>;

export const wmsStockLevelSchema = z.object({
  sku: z.string(),
  warehouse_code: z.string(),
  on_hand: z.number().int(),
  sequence: z.number().int(),
  updated_at: z.string(),
});
export type WmsStockLevel = z.infer<typeof wmsStockLevelSchema>;

export const wmsFulfillmentOrderSchema = z.object({
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
export type WmsFulfillmentOrder = z.infer<typeof wmsFulfillmentOrderSchema>;

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A create either made the record or was refused as a conflict the caller may resolve. */
export type CreateResult<T> = { outcome: 'created'; record: T } | { outcome: 'conflict'; code: string; message: string };

/** A state change that the WMS may refuse (409), e.g. canceling a shipped order. */
export type TransitionResult<T> = { outcome: 'ok'; record: T } | { outcome: 'refused'; code: string; message: string };

export interface CreateSkuInput {
  sku: string;
  description?: string;
  external_ref?: string | null;
}

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

export interface CreateFulfillmentOrderInput {
  external_ref: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export interface ListFulfillmentOrdersQuery {
  external_ref?: string;
  status?: 'pending' | 'shipped' | 'canceled';
  limit?: number;
  cursor?: string;
}

export class WmsClient {
  private readonly http: JsonHttpClient;

  constructor(config: WmsClientConfig) {
    this.http = new JsonHttpClient({
      system: 'WMS',
      baseUrl: config.baseUrl,
      headers: { authorization: `Bearer ${config.apiKey}` },
      timeoutMs: config.timeoutMs,
    });
  }

  /** 409 is returned as `conflict` rather than thrown, because the caller can resolve it. */
  async createSku(input: CreateSkuInput, opts: WriteOptions): Promise<CreateResult<WmsSku>> {
    const res = await this.http.request<unknown>('POST', '/v1/skus', { body: input, headers: writeHeaders(opts), accept: [409] });
    return createResult(res, wmsSkuSchema);
  }

  async getSku(id: string): Promise<WmsSku | null> {
    const res = await this.http.request<unknown>('GET', `/v1/skus/${encodeURIComponent(id)}`, { accept: [404] });
    return res.status === 404 ? null : parseBody(wmsSkuSchema, res.body);
  }

  async listSkus(query: ListSkusQuery = {}): Promise<Page<WmsSku>> {
    const res = await this.http.request<unknown>('GET', '/v1/skus', { query: { ...query } });
    return parseBody(pageOf(wmsSkuSchema), res.body);
  }

  /** SKUs are unique in the WMS, so this is the record or null. */
  async findSkuBySku(sku: string): Promise<WmsSku | null> {
    return (await this.listSkus({ sku, limit: 1 })).data[0] ?? null;
  }

  async updateSku(id: string, patch: { description?: string; external_ref?: string | null }, opts: WriteOptions): Promise<WmsSku> {
    const res = await this.http.request<unknown>('PATCH', `/v1/skus/${encodeURIComponent(id)}`, { body: patch, headers: writeHeaders(opts) });
    return parseBody(wmsSkuSchema, res.body);
  }

  /** true when deleted (now or by the earlier attempt with the same key); false when it was not there. */
  async deleteSku(id: string, opts: WriteOptions): Promise<boolean> {
    const res = await this.http.request<unknown>('DELETE', `/v1/skus/${encodeURIComponent(id)}`, { headers: writeHeaders(opts), accept: [404] });
    if (res.status === 404) return false;
    parseBody(deletedSchema, res.body);
    return true;
  }

  async setStock(sku: string, warehouseCode: string, onHand: number, opts: WriteOptions): Promise<WmsStockLevel> {
    const res = await this.http.request<unknown>('PUT', `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouseCode)}`, {
      body: { on_hand: onHand },
      headers: writeHeaders(opts),
    });
    return parseBody(wmsStockLevelSchema, res.body);
  }

  async getStock(sku: string, warehouseCode: string): Promise<WmsStockLevel | null> {
    const res = await this.http.request<unknown>('GET', `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouseCode)}`, {
      accept: [404],
    });
    return res.status === 404 ? null : parseBody(wmsStockLevelSchema, res.body);
  }

  async listStock(query: ListStockQuery = {}): Promise<Page<WmsStockLevel>> {
    const res = await this.http.request<unknown>('GET', '/v1/stock', { query: { ...query } });
    return parseBody(pageOf(wmsStockLevelSchema), res.body);
  }

  async createFulfillmentOrder(input: CreateFulfillmentOrderInput, opts: WriteOptions): Promise<CreateResult<WmsFulfillmentOrder>> {
    const res = await this.http.request<unknown>('POST', '/v1/fulfillment-orders', { body: input, headers: writeHeaders(opts), accept: [409] });
    return createResult(res, wmsFulfillmentOrderSchema);
  }

  async getFulfillmentOrder(id: string): Promise<WmsFulfillmentOrder | null> {
    const res = await this.http.request<unknown>('GET', `/v1/fulfillment-orders/${encodeURIComponent(id)}`, { accept: [404] });
    return res.status === 404 ? null : parseBody(wmsFulfillmentOrderSchema, res.body);
  }

  async listFulfillmentOrders(query: ListFulfillmentOrdersQuery = {}): Promise<Page<WmsFulfillmentOrder>> {
    const res = await this.http.request<unknown>('GET', '/v1/fulfillment-orders', { query: { ...query } });
    return parseBody(pageOf(wmsFulfillmentOrderSchema), res.body);
  }

  /** external_ref is unique for fulfillment orders, so this is the order or null. */
  async findFulfillmentOrderByExternalRef(externalRef: string): Promise<WmsFulfillmentOrder | null> {
    return (await this.listFulfillmentOrders({ external_ref: externalRef, limit: 1 })).data[0] ?? null;
  }

  /** `refused` when the order has already shipped (409). */
  async cancelFulfillmentOrder(id: string, opts: WriteOptions): Promise<TransitionResult<WmsFulfillmentOrder>> {
    const res = await this.http.request<unknown>('POST', `/v1/fulfillment-orders/${encodeURIComponent(id)}/cancel`, {
      headers: writeHeaders(opts),
      accept: [409],
    });
    return transitionResult(res, wmsFulfillmentOrderSchema);
  }

  /** `refused` when the order is canceled or shipped with other tracking (409). */
  async shipFulfillmentOrder(
    id: string,
    shipment: { tracking_number: string; carrier: string },
    opts: WriteOptions,
  ): Promise<TransitionResult<WmsFulfillmentOrder>> {
    const res = await this.http.request<unknown>('POST', `/v1/fulfillment-orders/${encodeURIComponent(id)}/ship`, {
      body: shipment,
      headers: writeHeaders(opts),
      accept: [409],
    });
    return transitionResult(res, wmsFulfillmentOrderSchema);
  }
}

function writeHeaders(opts: WriteOptions): Record<string, string> {
  return { 'idempotency-key': opts.idempotencyKey, ...(opts.origin ? { 'x-origin': opts.origin } : {}) };
}

function createResult<T extends z.ZodType>(res: { status: number; body: unknown }, schema: T): CreateResult<z.output<T>> {
  if (res.status === 409) {
    const { error } = parseBody(errorSchema, res.body);
    return { outcome: 'conflict', code: error.code, message: error.message };
  }
  return { outcome: 'created', record: parseBody(schema, res.body) };
}

function transitionResult<T extends z.ZodType>(res: { status: number; body: unknown }, schema: T): TransitionResult<z.output<T>> {
  if (res.status === 409) {
    const { error } = parseBody(errorSchema, res.body);
    return { outcome: 'refused', code: error.code, message: error.message };
  }
  return { outcome: 'ok', record: parseBody(schema, res.body) };
}

export const WMS_CONTRACT_VIOLATION = 'WmsContractViolation';

/**
 * A response that does not match the contract will not match on retry either, so it fails the
 * activity for good (a plain ZodError would be retried until the schedule-to-close timeout).
 */
function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw ApplicationFailure.nonRetryable(`WMS answered an unexpected body: ${z.prettifyError(result.error)}`, WMS_CONTRACT_VIOLATION);
  }
  return result.data;
}
