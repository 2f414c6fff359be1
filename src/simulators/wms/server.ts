import { z } from 'zod';
import { HttpError, parseOr400 } from '../core/errors';
import type { SimulatorOptions } from '../core/options';
import { assertUnique, deleteAndEmit, getOr404, putAndEmit } from '../core/records';
import { pageQuerySchema, SimulatorCore, type RunningSimulator } from '../core/server';
import type { WmsFulfillmentOrder, WmsSku, WmsStockLevel } from './types';

const sku = z.string().min(1).max(100);
const externalRef = z.string().min(1).max(200);
const warehouseCode = z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, 'letters, digits, "-" or "_"');

const createSkuBody = z.strictObject({
  sku,
  description: z.string().max(1000).default(''),
  external_ref: externalRef.nullable().default(null),
});
const patchSkuBody = z
  .strictObject({ description: z.string().max(1000).optional(), external_ref: externalRef.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
const listSkusQuery = pageQuerySchema.extend({ sku: z.string().optional(), external_ref: z.string().optional() });

const putStockBody = z.strictObject({ on_hand: z.number().int().min(0) });
const listStockQuery = pageQuerySchema.extend({ sku: z.string().optional(), warehouse_code: z.string().optional() });

const createFoBody = z.strictObject({
  external_ref: externalRef,
  lines: z.array(z.strictObject({ sku, quantity: z.number().int().positive() })).min(1).max(500),
});
const listFoQuery = pageQuerySchema.extend({
  external_ref: z.string().optional(),
  status: z.enum(['pending', 'shipped', 'canceled']).optional(),
});
const shipBody = z.strictObject({ tracking_number: z.string().min(1).max(100), carrier: z.string().min(1).max(100) });

/** Key of a stock level; JSON so no character of a SKU or warehouse code can collide. */
const stockKey = (s: string, w: string) => JSON.stringify([s, w]);

/**
 * WMS simulator: SKUs, stock levels per warehouse and fulfillment orders. Shipping does not
 * decrement stock: which warehouse ships is the WMS's business, and stock changes reach the hub
 * through stock.changed like any other adjustment.
 */
export async function startWmsSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const core = new SimulatorCore('wms', opts);
  const skus = core.store.collection<WmsSku>('skus', { sku: (s) => s.sku, external_ref: (s) => s.external_ref });
  const stock = core.store.collection<WmsStockLevel>('stock_levels', { sku: (l) => l.sku });
  const fos = core.store.collection<WmsFulfillmentOrder>('fulfillment_orders', { external_ref: (f) => f.external_ref });

  const skuOr404 = getOr404(skus, 'sku record');

  core.route('POST', '/v1/skus', ({ body, tx, now, idempotencyKey, emit, newId }) => {
    const b = parseOr400(createSkuBody, body, 'sku');
    assertUnique(skus, 'sku', b.sku, { code: 'sku_conflict', message: `sku "${b.sku}" already exists` });
    const record: WmsSku = { id: newId('wsku'), ...b, creation_key: idempotencyKey, created_at: now, updated_at: now };
    putAndEmit({ tx, emit }, skus, 'sku', 'created', record);
    return { status: 201, body: record };
  });

  core.route('GET', '/v1/skus', ({ query }) => {
    const q = parseOr400(listSkusQuery, query, 'query');
    const page = skus.page({
      limit: q.limit,
      cursor: q.cursor,
      index: q.sku !== undefined ? { name: 'sku', value: q.sku } : q.external_ref !== undefined ? { name: 'external_ref', value: q.external_ref } : undefined,
      filter: (s) => (q.sku === undefined || s.sku === q.sku) && (q.external_ref === undefined || s.external_ref === q.external_ref),
    });
    return { status: 200, body: page };
  });

  core.route('GET', '/v1/skus/:id', ({ params }) => ({ status: 200, body: skuOr404(params.id) }));

  core.route('PATCH', '/v1/skus/:id', ({ params, body, tx, now, emit }) => {
    const changes = parseOr400(patchSkuBody, body, 'sku update');
    const record = skuOr404(params.id);
    const updated: WmsSku = { ...record, ...changes, updated_at: now };
    putAndEmit({ tx, emit }, skus, 'sku', 'updated', updated);
    return { status: 200, body: updated };
  });

  core.route('DELETE', '/v1/skus/:id', ({ params, tx, emit }) => {
    const record = skuOr404(params.id);
    // Stock of a SKU the warehouse no longer knows is meaningless; the sequence counters stay,
    // so a re-created SKU's stock events still continue upwards.
    for (const level of stock.findBy('sku', record.sku)) tx.del(stock, stockKey(level.sku, level.warehouse_code));
    return deleteAndEmit({ tx, emit }, skus, 'sku', record);
  });

  core.route('PUT', '/v1/stock/:sku/:warehouse', ({ params, body, tx, now, emit }) => {
    const { on_hand } = parseOr400(putStockBody, body, 'stock level');
    const warehouse = parseOr400(warehouseCode, params.warehouse, 'warehouse code');
    if (skus.findBy('sku', params.sku).length === 0) {
      throw new HttpError(404, 'sku_not_found', `sku "${params.sku}" is not known to the warehouse`);
    }
    const key = stockKey(params.sku, warehouse);
    const current = stock.get(key);
    // An unchanged level is not a change: no new sequence, no event, so retries are harmless.
    if (current && current.on_hand === on_hand) return { status: 200, body: current };
    const sequence = tx.next(`seq:stock:${key}`);
    const level: WmsStockLevel = { sku: params.sku, warehouse_code: warehouse, on_hand, sequence, updated_at: now };
    tx.put(stock, key, level);
    emit({ type: 'stock.changed', entity: `stock:${key}`, data: level, sequence });
    return { status: 200, body: level };
  });

  core.route('GET', '/v1/stock', ({ query }) => {
    const q = parseOr400(listStockQuery, query, 'query');
    const page = stock.page({
      limit: q.limit,
      cursor: q.cursor,
      index: q.sku !== undefined ? { name: 'sku', value: q.sku } : undefined,
      filter: (l) => q.warehouse_code === undefined || l.warehouse_code === q.warehouse_code,
    });
    return { status: 200, body: page };
  });

  core.route('GET', '/v1/stock/:sku/:warehouse', ({ params }) => {
    const level = stock.get(stockKey(params.sku, params.warehouse));
    if (!level) throw new HttpError(404, 'not_found', `no stock level for ${params.sku} in ${params.warehouse}`);
    return { status: 200, body: level };
  });

  const foOr404 = getOr404(fos, 'fulfillment order');

  core.route('POST', '/v1/fulfillment-orders', ({ body, tx, now, emit, newId }) => {
    const b = parseOr400(createFoBody, body, 'fulfillment order');
    assertUnique(fos, 'external_ref', b.external_ref, {
      code: 'external_ref_conflict',
      message: `a fulfillment order with external_ref "${b.external_ref}" already exists`,
    });
    const fo: WmsFulfillmentOrder = {
      id: newId('fo'),
      external_ref: b.external_ref,
      status: 'pending',
      lines: b.lines,
      tracking_number: null,
      carrier: null,
      created_at: now,
      updated_at: now,
      shipped_at: null,
      canceled_at: null,
    };
    putAndEmit({ tx, emit }, fos, 'fulfillment', 'created', fo);
    return { status: 201, body: fo };
  });

  core.route('GET', '/v1/fulfillment-orders', ({ query }) => {
    const q = parseOr400(listFoQuery, query, 'query');
    const page = fos.page({
      limit: q.limit,
      cursor: q.cursor,
      index: q.external_ref !== undefined ? { name: 'external_ref', value: q.external_ref } : undefined,
      filter: (f) => q.status === undefined || f.status === q.status,
    });
    return { status: 200, body: page };
  });

  core.route('GET', '/v1/fulfillment-orders/:id', ({ params }) => ({ status: 200, body: foOr404(params.id) }));

  core.route('POST', '/v1/fulfillment-orders/:id/cancel', ({ params, tx, now, emit }) => {
    const fo = foOr404(params.id);
    if (fo.status === 'shipped') throw new HttpError(409, 'already_shipped', `fulfillment order ${fo.id} has shipped; it cannot be canceled`);
    // Canceling a canceled order succeeds: an undo retried without its idempotency key converges.
    if (fo.status === 'canceled') return { status: 200, body: fo };
    const updated: WmsFulfillmentOrder = { ...fo, status: 'canceled', canceled_at: now, updated_at: now };
    putAndEmit({ tx, emit }, fos, 'fulfillment', 'canceled', updated);
    return { status: 200, body: updated };
  });

  core.route('POST', '/v1/fulfillment-orders/:id/ship', ({ params, body, tx, now, emit }) => {
    const b = parseOr400(shipBody, body, 'shipment');
    const fo = foOr404(params.id);
    if (fo.status === 'canceled') throw new HttpError(409, 'already_canceled', `fulfillment order ${fo.id} is canceled; it cannot ship`);
    if (fo.status === 'shipped') {
      if (fo.tracking_number === b.tracking_number && fo.carrier === b.carrier) return { status: 200, body: fo };
      throw new HttpError(409, 'already_shipped', `fulfillment order ${fo.id} already shipped with ${fo.carrier} ${fo.tracking_number}`);
    }
    const updated: WmsFulfillmentOrder = { ...fo, status: 'shipped', ...b, shipped_at: now, updated_at: now };
    putAndEmit({ tx, emit }, fos, 'fulfillment', 'shipped', updated);
    return { status: 200, body: updated };
  });

  return core.start();
}
