import { z } from 'zod';
import type { CmsClient } from '../src/activities/strapi/client';
import { erpSetup } from '../src/activities/tryton/erp-setup';
import type { TrytonErp } from '../src/activities/tryton/erp';
import { createIdentifiers } from '../src/activities/tryton/identifiers';
import { decimalFromMinor } from '../src/activities/tryton/money';
import { decimal, type TrytonRpc } from '../src/activities/tryton/rpc';
import type { TrytonWms } from '../src/activities/tryton/wms';
import { wmsSetup } from '../src/activities/tryton/wms-setup';

/**
 * The floors of bench/tryton-sync.ts: plain scripts writing the hub's records straight into the
 * Tryton ERP, the Tryton WMS and Strapi, with no Medusa, bridge or Temporal in between. Each
 * system runs its own loop at once beside the others, so the floor is the slowest system's own
 * time. Writes go as the hub's Tryton user, so the running pollers drop them as echoes.
 */
export interface FloorSystems {
  erpRpc: TrytonRpc;
  wmsRpc: TrytonRpc;
  erp: TrytonErp;
  wms: TrytonWms;
  cms: CmsClient;
  webShop: string;
  warehouse: string;
}

/** One product of one variant, as the product-created run writes it to each system. */
export interface ProductRecord {
  productId: string;
  sku: string;
  name: string;
  handle: string;
  /** Minor units, EUR. */
  price: number;
}

export interface OrderRecord {
  ref: string;
  skus: string[];
  /** Minor units, EUR, per unit. */
  unitPrice: number;
}

export type Timed = { seconds: number; bySystem: Record<'erp' | 'wms' | 'cms', number> };

const CUSTOMER = 'Medusa customer';
const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;

/** Runs `work` on every item with `concurrency` lanes. */
export async function inLanes<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** The three systems' loops at once; each one's own seconds, and the slowest's. */
async function alongside(loops: Record<'erp' | 'wms' | 'cms', () => Promise<unknown>>): Promise<Timed> {
  const t0 = performance.now();
  const bySystem = { erp: 0, wms: 0, cms: 0 };
  await Promise.all(
    (['erp', 'wms', 'cms'] as const).map(async (system) => {
      await loops[system]();
      bySystem[system] = secondsSince(t0);
    }),
  );
  return { seconds: secondsSince(t0), bySystem };
}

const cmsEntry = (r: ProductRecord) => ({ medusaId: r.productId, title: r.name, handle: r.handle, description: null, skus: [r.sku] });

/**
 * The floor: Tryton gets one batched `create` per role and batch (the ERP through the
 * connector's createItems, the WMS as the same templates in one raw call: its connector has no
 * batched create), Strapi one POST per entry (it has no bulk create) with `concurrency` in flight.
 */
export async function floorProducts(s: FloorSystems, records: readonly ProductRecord[], batch: number, concurrency: number): Promise<Timed> {
  const { unit } = await wmsSetup(s.wmsRpc, { warehouse: s.warehouse, customer: CUSTOMER })();
  const creationKey = (r: ProductRecord) => `floor/${r.sku}`;
  return alongside({
    erp: async () => {
      for (const part of chunks(records, batch)) {
        await s.erp.createItems(part.map((r) => ({ input: { sku: r.sku, name: r.name, price: { amount: r.price, currency_code: 'eur' }, external_ref: r.productId }, opts: { idempotencyKey: creationKey(r) } })));
      }
    },
    wms: async () => {
      for (const part of chunks(records, batch)) {
        await s.wmsRpc.model('product.template').create(
          part.map((r) => ({
            name: r.name,
            type: 'goods',
            default_uom: unit,
            products: [['create', [{ suffix_code: r.sku, identifiers: createIdentifiers({ externalRef: r.productId, creationKey: creationKey(r) }) }]]],
          })),
        );
      }
    },
    cms: () => inLanes(records, concurrency, (r) => s.cms.createProduct(cmsEntry(r))),
  });
}

/** What each run does, without the hub: the connectors' one-record calls, `concurrency` products at a time. */
export async function connectorProducts(s: FloorSystems, records: readonly ProductRecord[], concurrency: number): Promise<number> {
  const t0 = performance.now();
  await inLanes(records, concurrency, async (r) => {
    const opts = { idempotencyKey: `direct/${r.sku}` };
    await s.erp.createItem({ sku: r.sku, name: r.name, price: { amount: r.price, currency_code: 'eur' }, external_ref: r.productId }, opts);
    await s.wms.createSku({ sku: r.sku, description: r.name, external_ref: r.productId }, opts);
    await s.cms.createProduct(cmsEntry(r));
  });
  return secondsSince(t0);
}

async function productIds(rpc: TrytonRpc, skus: readonly string[]): Promise<Map<string, number>> {
  const rows = await rpc.model('product.product').searchRead(z.object({ id: z.number().int(), code: z.string().nullable() }), [['code', 'in', [...new Set(skus)]]], ['code']);
  return new Map(rows.flatMap((r) => (r.code === null ? [] : [[r.code, r.id] as const])));
}

/**
 * The order floor: every sale in one create, then quoted and confirmed in one call each (confirm
 * makes the ERP's own shipment), beside every customer shipment in one create, set waiting in
 * one call: what the hub books per order (sale confirmed, shipment waiting), batched.
 */
export async function floorOrders(s: FloorSystems, orders: readonly OrderRecord[]): Promise<Timed> {
  const erp = await erpSetup(s.erpRpc, { webShop: s.webShop, customer: CUSTOMER, warehouse: 'WH' })();
  const wms = await wmsSetup(s.wmsRpc, { warehouse: s.warehouse, customer: CUSTOMER })();
  const skus = orders.flatMap((o) => o.skus);
  const [erpProducts, wmsProducts] = await Promise.all([productIds(s.erpRpc, skus), productIds(s.wmsRpc, skus)]);
  return alongside({
    erp: async () => {
      const sales = s.erpRpc.model('sale.sale');
      const ids = await sales.create(
        orders.map((o) => ({
          party: erp.customer,
          invoice_address: erp.address,
          shipment_address: erp.address,
          web_shop: erp.shop,
          web_id: o.ref,
          reference: o.ref,
          warehouse: erp.warehouse,
          invoice_method: 'manual',
          shipment_method: 'order',
          ...(erp.saleHasShipmentCostMethod ? { shipment_cost_method: null } : {}),
          lines: [['create', o.skus.map((sku) => ({ type: 'line', product: erpProducts.get(sku), quantity: 1, unit: erp.unit, unit_price: decimalFromMinor(o.unitPrice, 'eur') }))]],
        })),
      );
      await sales.button('quote', ids);
      await sales.button('confirm', ids);
    },
    wms: async () => {
      const shipments = s.wmsRpc.model('stock.shipment.out');
      const { warehouse } = wms;
      const ids = await shipments.create(
        orders.map((o) => ({
          reference: o.ref,
          company: wms.company,
          customer: wms.customer,
          delivery_address: wms.address,
          warehouse: warehouse.id,
          warehouse_storage: warehouse.storage_location,
          warehouse_output: warehouse.output_location,
          outgoing_moves: [
            [
              'create',
              o.skus.map((sku) => ({
                product: wmsProducts.get(sku),
                unit: wms.unit,
                quantity: 1,
                from_location: warehouse.output_location,
                to_location: wms.customerLocation,
                company: wms.company,
                unit_price: decimal(0),
                currency: wms.currency,
              })),
            ],
          ],
        })),
      );
      await shipments.button('wait', ids);
    },
    cms: async () => {},
  });
}

/** What each order run books, without the hub: the connectors' calls, `concurrency` orders at a time. */
export async function connectorOrders(s: FloorSystems, orders: readonly OrderRecord[], concurrency: number): Promise<number> {
  const t0 = performance.now();
  await inLanes(orders, concurrency, async (o) => {
    // Keyed by the order itself (web_id, shipment reference): Tryton has no idempotency keys.
    const lines = o.skus.map((sku) => ({ sku, quantity: 1 }));
    await s.wms.createFulfillmentOrder({ external_ref: o.ref, lines });
    await s.erp.createSalesOrder({ external_ref: o.ref, currency_code: 'eur', lines: lines.map((l) => ({ ...l, unit_price: o.unitPrice })) });
  });
  return secondsSince(t0);
}
