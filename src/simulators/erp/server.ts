import { z } from 'zod';
import { HttpError, parseOr400 } from '../core/errors';
import type { SimulatorOptions } from '../core/options';
import { assertUnique, deleteAndEmit, getOr404, putAndEmit } from '../core/records';
import { pageQuerySchema, SimulatorCore, type RunningSimulator } from '../core/server';
import type { ErpItem, ErpSalesOrder } from './types';

const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'ISO 4217 code')
  .transform((c) => c.toLowerCase());
const money = z.strictObject({ amount: z.number().int().min(0), currency_code: currencyCode });
const sku = z.string().min(1).max(100);
const externalRef = z.string().min(1).max(200);

const createItemBody = z.strictObject({
  sku,
  name: z.string().min(1).max(500),
  price: money.nullable().default(null),
  status: z.enum(['active', 'inactive']).default('active'),
  external_ref: externalRef.nullable().default(null),
});
const patchItemBody = z
  .strictObject({
    sku: sku.optional(),
    name: z.string().min(1).max(500).optional(),
    price: money.nullable().optional(),
    status: z.enum(['active', 'inactive']).optional(),
    external_ref: externalRef.nullable().optional(),
    /** When given, the update only applies if the item is still at this version (else 409). */
    expected_version: z.number().int().positive().optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'expected_version'), 'nothing to update');
const listItemsQuery = pageQuerySchema.extend({
  sku: z.string().optional(),
  external_ref: z.string().optional(),
  status: z.enum(['active', 'inactive']).optional(),
  updated_since: z.iso.datetime({ offset: true }).optional(),
});

const orderLine = z.strictObject({
  sku,
  quantity: z.number().int().positive(),
  unit_price: z.number().int().min(0),
});
const createOrderBody = z.strictObject({
  external_ref: externalRef,
  currency_code: currencyCode,
  lines: z.array(orderLine).min(1).max(500),
});
const patchOrderBody = z.strictObject({ status: z.enum(['open', 'shipped', 'canceled']) });
const listOrdersQuery = pageQuerySchema.extend({
  external_ref: z.string().optional(),
  status: z.enum(['open', 'shipped', 'canceled']).optional(),
  updated_since: z.iso.datetime({ offset: true }).optional(),
});

/** Status changes an ERP allows; anything else is a business refusal (409), not a crash. */
const ORDER_TRANSITIONS: Record<ErpSalesOrder['status'], ReadonlyArray<ErpSalesOrder['status']>> = {
  open: ['shipped', 'canceled'],
  shipped: [],
  canceled: [],
};

/**
 * ERP simulator: items (one per SKU) and sales orders. Order lines are not checked against
 * items, as many ERPs accept orders for SKUs they will only learn about later.
 */
export async function startErpSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const core = new SimulatorCore('erp', opts);
  const items = core.store.collection<ErpItem>('items', { sku: (i) => i.sku, external_ref: (i) => i.external_ref });
  const orders = core.store.collection<ErpSalesOrder>('sales_orders', { external_ref: (o) => o.external_ref });

  const itemOr404 = getOr404(items, 'item');
  const assertSkuFree = (value: string, exceptId?: string): void =>
    assertUnique(items, 'sku', value, { code: 'sku_conflict', message: `an item with sku "${value}" already exists` }, exceptId);

  core.route('POST', '/v1/items', ({ body, tx, now, idempotencyKey, emit, newId }) => {
    const b = parseOr400(createItemBody, body, 'item');
    assertSkuFree(b.sku);
    const item: ErpItem = { id: newId('itm'), ...b, creation_key: idempotencyKey, version: 1, created_at: now, updated_at: now };
    putAndEmit({ tx, emit }, items, 'item', 'created', item);
    return { status: 201, body: item };
  });

  core.route('GET', '/v1/items', ({ query }) => {
    const q = parseOr400(listItemsQuery, query, 'query');
    const since = q.updated_since ? Date.parse(q.updated_since) : undefined;
    const page = items.page({
      limit: q.limit,
      cursor: q.cursor,
      index: q.sku !== undefined ? { name: 'sku', value: q.sku } : q.external_ref !== undefined ? { name: 'external_ref', value: q.external_ref } : undefined,
      filter: (i) =>
        (q.sku === undefined || i.sku === q.sku) &&
        (q.external_ref === undefined || i.external_ref === q.external_ref) &&
        (q.status === undefined || i.status === q.status) &&
        (since === undefined || Date.parse(i.updated_at) >= since),
    });
    return { status: 200, body: page };
  });

  core.route('GET', '/v1/items/:id', ({ params }) => ({ status: 200, body: itemOr404(params.id) }));

  core.route('PATCH', '/v1/items/:id', ({ params, body, tx, now, emit }) => {
    const { expected_version, ...changes } = parseOr400(patchItemBody, body, 'item update');
    const item = itemOr404(params.id);
    if (expected_version !== undefined && expected_version !== item.version) {
      throw new HttpError(409, 'version_conflict', `item ${item.id} is at version ${item.version}, not ${expected_version}`);
    }
    if (changes.sku !== undefined) assertSkuFree(changes.sku, item.id);
    const updated: ErpItem = { ...item, ...changes, version: item.version + 1, updated_at: now };
    putAndEmit({ tx, emit }, items, 'item', 'updated', updated);
    return { status: 200, body: updated };
  });

  core.route('DELETE', '/v1/items/:id', ({ params, tx, emit }) => {
    const item = itemOr404(params.id);
    return deleteAndEmit({ tx, emit }, items, 'item', item);
  });

  const orderOr404 = getOr404(orders, 'sales order');

  core.route('POST', '/v1/sales-orders', ({ body, tx, now, emit, newId }) => {
    const b = parseOr400(createOrderBody, body, 'sales order');
    assertUnique(orders, 'external_ref', b.external_ref, {
      code: 'external_ref_conflict',
      message: `a sales order with external_ref "${b.external_ref}" already exists`,
    });
    const order: ErpSalesOrder = {
      id: newId('so'),
      external_ref: b.external_ref,
      status: 'open',
      lines: b.lines,
      currency_code: b.currency_code,
      total: b.lines.reduce((sum, l) => sum + l.quantity * l.unit_price, 0),
      version: 1,
      created_at: now,
      updated_at: now,
    };
    putAndEmit({ tx, emit }, orders, 'sales_order', 'created', order);
    return { status: 201, body: order };
  });

  core.route('GET', '/v1/sales-orders', ({ query }) => {
    const q = parseOr400(listOrdersQuery, query, 'query');
    const since = q.updated_since ? Date.parse(q.updated_since) : undefined;
    const page = orders.page({
      limit: q.limit,
      cursor: q.cursor,
      index: q.external_ref !== undefined ? { name: 'external_ref', value: q.external_ref } : undefined,
      filter: (o) => (q.status === undefined || o.status === q.status) && (since === undefined || Date.parse(o.updated_at) >= since),
    });
    return { status: 200, body: page };
  });

  core.route('GET', '/v1/sales-orders/:id', ({ params }) => ({ status: 200, body: orderOr404(params.id) }));

  core.route('PATCH', '/v1/sales-orders/:id', ({ params, body, tx, now, emit }) => {
    const { status } = parseOr400(patchOrderBody, body, 'sales order update');
    const order = orderOr404(params.id);
    // Setting the status it already has is a no-op success, so a retried PATCH without an
    // idempotency key still converges instead of failing.
    if (order.status === status) return { status: 200, body: order };
    if (!ORDER_TRANSITIONS[order.status].includes(status)) {
      throw new HttpError(409, 'invalid_transition', `sales order ${order.id} is ${order.status}; cannot become ${status}`);
    }
    const updated: ErpSalesOrder = { ...order, status, version: order.version + 1, updated_at: now };
    putAndEmit({ tx, emit }, orders, 'sales_order', 'updated', updated);
    return { status: 200, body: updated };
  });

  core.route('DELETE', '/v1/sales-orders/:id', ({ params, tx, emit }) => {
    const order = orderOr404(params.id);
    return deleteAndEmit({ tx, emit }, orders, 'sales_order', order);
  });

  return core.start();
}
