import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { JsonHttpClient } from '../http';

/**
 * Typed client of the ERP's REST API (the simulator, or a real ERP behind the same contract:
 * only baseUrl and apiKey change). Responses are validated, so a contract drift shows up as a
 * clear failure at the boundary instead of `undefined` deep inside a workflow.
 */
export interface ErpClientConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** Every write carries an idempotency key; origin marks our own writes so their webhooks can be ignored. */
export interface WriteOptions {
  idempotencyKey: string;
  origin?: string;
}

const money = z.object({ amount: z.number().int(), currency_code: z.string() });

export const erpItemSchema = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  price: money.nullable(),
  status: z.enum(['active', 'inactive']),
  external_ref: z.string().nullable(),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ErpItem = z.infer<typeof erpItemSchema>;

export const erpSalesOrderSchema = z.object({
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
export type ErpSalesOrder = z.infer<typeof erpSalesOrderSchema>;

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A create either made the record or was refused as a conflict the caller may resolve. */
export type CreateResult<T> = { outcome: 'created'; record: T } | { outcome: 'conflict'; code: string; message: string };

export interface CreateItemInput {
  sku: string;
  name: string;
  price?: { amount: number; currency_code: string } | null;
  status?: 'active' | 'inactive';
  external_ref?: string | null;
}

export interface UpdateItemInput {
  sku?: string;
  name?: string;
  price?: { amount: number; currency_code: string } | null;
  status?: 'active' | 'inactive';
  external_ref?: string | null;
  expected_version?: number;
}

export interface ListItemsQuery {
  sku?: string;
  external_ref?: string;
  status?: 'active' | 'inactive';
  updated_since?: string;
  limit?: number;
  cursor?: string;
}

export interface CreateSalesOrderInput {
  external_ref: string;
  currency_code: string;
  lines: Array<{ sku: string; quantity: number; unit_price: number }>;
}

export interface ListSalesOrdersQuery {
  external_ref?: string;
  status?: 'open' | 'shipped' | 'canceled';
  updated_since?: string;
  limit?: number;
  cursor?: string;
}

export class ErpClient {
  private readonly http: JsonHttpClient;

  constructor(config: ErpClientConfig) {
    this.http = new JsonHttpClient({
      system: 'ERP',
      baseUrl: config.baseUrl,
      headers: { authorization: `Bearer ${config.apiKey}` },
      timeoutMs: config.timeoutMs,
    });
  }

  /** 409 is returned as `conflict` (sku_conflict) rather than thrown, because the caller can resolve it. */
  async createItem(input: CreateItemInput, opts: WriteOptions): Promise<CreateResult<ErpItem>> {
    const res = await this.http.request<unknown>('POST', '/v1/items', { body: input, headers: writeHeaders(opts), accept: [409] });
    return createResult(res, erpItemSchema);
  }

  /** null when the item does not exist. */
  async getItem(id: string): Promise<ErpItem | null> {
    const res = await this.http.request<unknown>('GET', `/v1/items/${encodeURIComponent(id)}`, { accept: [404] });
    return res.status === 404 ? null : parseBody(erpItemSchema, res.body);
  }

  async listItems(query: ListItemsQuery = {}): Promise<Page<ErpItem>> {
    const res = await this.http.request<unknown>('GET', '/v1/items', { query: { ...query } });
    return parseBody(pageOf(erpItemSchema), res.body);
  }

  /** SKUs are unique in the ERP, so this is the item or null. */
  async findItemBySku(sku: string): Promise<ErpItem | null> {
    return (await this.listItems({ sku, limit: 1 })).data[0] ?? null;
  }

  async updateItem(id: string, patch: UpdateItemInput, opts: WriteOptions): Promise<ErpItem> {
    const res = await this.http.request<unknown>('PATCH', `/v1/items/${encodeURIComponent(id)}`, { body: patch, headers: writeHeaders(opts) });
    return parseBody(erpItemSchema, res.body);
  }

  /** true when this call (or the earlier attempt with the same key) deleted it; false when it was not there. */
  async deleteItem(id: string, opts: WriteOptions): Promise<boolean> {
    const res = await this.http.request<unknown>('DELETE', `/v1/items/${encodeURIComponent(id)}`, { headers: writeHeaders(opts), accept: [404] });
    if (res.status === 404) return false;
    parseBody(deletedSchema, res.body);
    return true;
  }

  async createSalesOrder(input: CreateSalesOrderInput, opts: WriteOptions): Promise<CreateResult<ErpSalesOrder>> {
    const res = await this.http.request<unknown>('POST', '/v1/sales-orders', { body: input, headers: writeHeaders(opts), accept: [409] });
    return createResult(res, erpSalesOrderSchema);
  }

  async getSalesOrder(id: string): Promise<ErpSalesOrder | null> {
    const res = await this.http.request<unknown>('GET', `/v1/sales-orders/${encodeURIComponent(id)}`, { accept: [404] });
    return res.status === 404 ? null : parseBody(erpSalesOrderSchema, res.body);
  }

  async listSalesOrders(query: ListSalesOrdersQuery = {}): Promise<Page<ErpSalesOrder>> {
    const res = await this.http.request<unknown>('GET', '/v1/sales-orders', { query: { ...query } });
    return parseBody(pageOf(erpSalesOrderSchema), res.body);
  }

  /** external_ref is unique for sales orders, so this is the order or null. */
  async findSalesOrderByExternalRef(externalRef: string): Promise<ErpSalesOrder | null> {
    return (await this.listSalesOrders({ external_ref: externalRef, limit: 1 })).data[0] ?? null;
  }

  async updateSalesOrderStatus(id: string, status: ErpSalesOrder['status'], opts: WriteOptions): Promise<ErpSalesOrder> {
    const res = await this.http.request<unknown>('PATCH', `/v1/sales-orders/${encodeURIComponent(id)}`, {
      body: { status },
      headers: writeHeaders(opts),
    });
    return parseBody(erpSalesOrderSchema, res.body);
  }

  async deleteSalesOrder(id: string, opts: WriteOptions): Promise<boolean> {
    const res = await this.http.request<unknown>('DELETE', `/v1/sales-orders/${encodeURIComponent(id)}`, {
      headers: writeHeaders(opts),
      accept: [404],
    });
    if (res.status === 404) return false;
    parseBody(deletedSchema, res.body);
    return true;
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

export const ERP_CONTRACT_VIOLATION = 'ErpContractViolation';

/**
 * A response that does not match the contract will not match on retry either, so it fails the
 * activity for good (a plain ZodError would be retried until the schedule-to-close timeout).
 */
function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw ApplicationFailure.nonRetryable(`ERP answered an unexpected body: ${z.prettifyError(result.error)}`, ERP_CONTRACT_VIOLATION);
  }
  return result.data;
}
