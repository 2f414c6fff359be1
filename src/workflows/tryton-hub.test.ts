import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { runCli } from '../../test/support/cli';
import { placeMedusaOrder } from '../../test/support/orders';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createMedusaProduct, eventually, medusaSdk, temporalClient, uniq } from '../../test/support/systems';
import { trytonAdmin, trytonConnection } from '../../test/support/tryton';
import { startTrytonHub, TRYTON_HUB_NAMESPACE, type TrytonHub } from '../../test/support/tryton-hub';
import { TrytonWarehouseStaff } from '../../test/support/tryton-warehouse';
import { TrytonErp } from '../activities/tryton/erp';
import { decimal, TrytonRpc } from '../activities/tryton/rpc';
import { TrytonWms } from '../activities/tryton/wms';
import { medusaEventRoutes } from '../api/medusa-events';
import { deliverEvent } from '../api/routes';
import { pollChangesWorkflowId } from './inbound/poll-changes';
import { fulfilOrderWorkflowId, type FulfilOrderResult } from './orders/fulfil-order';
import { syncNewProductWorkflowId } from './products/sync-new-product';

/**
 * The hub end to end on Tryton as its ERP and its WMS: the real worker on the Tryton connectors
 * (test/support/tryton-hub.ts), the real Tryton the stack started, Medusa and Strapi. Products go
 * out to both Tryton databases; a price set by a person in the Tryton ERP comes back to Medusa
 * through the ERP poller; an order becomes a sale and a customer shipment, and the warehouse's
 * "done", seen by the WMS poller, ships it in Medusa.
 */
let hub: TrytonHub;
const sdk = medusaSdk();
const erp = new TrytonErp(new TrytonRpc(trytonConnection('erp')), { webShop: process.env.TRYTON_WEB_SHOP ?? 'Medusa', customer: 'Medusa customer' });
const wms = new TrytonWms(new TrytonRpc(trytonConnection('wms')), { warehouse: process.env.TRYTON_WAREHOUSE ?? 'WH' });

beforeAll(async () => {
  hub = await startTrytonHub({ pollEveryMs: 1_000 });
}, 120_000);

afterEach(() => {
  hub.assertRunning();
});

/**
 * The orders placed here reach the stack's hub too (Medusa's subscriber forwards to its bridge),
 * whose run waits for a shipment from the WMS simulator that never comes. Ended here, so the
 * suites after this one, which wait for the stack's hub to be idle, do not wait for it.
 */
const ordersPlaced: string[] = [];

afterAll(async () => {
  const stackHub = await temporalClient();
  try {
    for (const orderId of ordersPlaced) {
      await stackHub.workflow
        .getHandle(fulfilOrderWorkflowId(orderId))
        .terminate('the Tryton hub of src/workflows/tryton-hub.test.ts fulfilled this order')
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
  } finally {
    await stackHub.connection.close();
    await hub?.stop();
  }
});

/** What Medusa's subscriber would have sent this hub's bridge. */
const medusaEvent = (type: string, id: string) =>
  deliverEvent(medusaEventRoutes, hub.client, { type, messageId: `msg_${randomUUID()}`, data: { id }, envelope: { type, data: { id } } });

async function variantPrice(productId: string, sku: string): Promise<number | undefined> {
  const { product } = await sdk.admin.product.retrieve(productId, { fields: 'variants.sku,variants.prices.amount,variants.prices.currency_code' });
  return product.variants?.find((v) => v.sku === sku)?.prices?.find((p) => p.currency_code === 'eur')?.amount;
}

test('a product goes to the Tryton ERP and WMS, and a price set in the ERP comes back to Medusa', async () => {
  const u = uniq();
  const skus = [`TRY-${u}-S`, `TRY-${u}-M`];
  const productId = await createMedusaProduct(sdk, { title: `Tryton tee ${u}`, skus });
  expect(await medusaEvent('product.created', productId)).toMatchObject({ status: 'started' });
  await hub.client.workflow.getHandle(syncNewProductWorkflowId(productId)).result();

  const items = await erp.listItemsByExternalRef(productId);
  // Medusa's 1000.00 and 1001.00 EUR, in the port's minor units.
  expect(items.map((i) => [i.sku, i.name, i.price, i.status]).sort()).toEqual([
    [skus[1], `Tryton tee ${u} / Size S1`, { amount: 100_100, currency_code: 'eur' }, 'active'],
    [skus[0], `Tryton tee ${u} / Size S0`, { amount: 100_000, currency_code: 'eur' }, 'active'],
  ]);
  expect((await wms.listSkusByExternalRef(productId)).map((s) => s.sku).sort()).toEqual([...skus].sort());

  // A person in the Tryton client reprices the first variant's template: not the hub's write,
  // so the ERP poller hands it to the product's entity run, which writes it to Medusa.
  const admin = trytonAdmin('erp');
  const [row] = await admin.model('product.product').read(z.object({ template: z.number().int() }), [Number(items.find((i) => i.sku === skus[0])!.id)], ['template']);
  await admin.model('product.template').write([row!.template], { list_price: decimal('24.50') });
  await eventually('the ERP price in Medusa', () => variantPrice(productId, skus[0]!), (p) => p === 24.5, 90_000);

  const poller = await hub.client.workflow.getHandle(pollChangesWorkflowId('erp-items')).query<{ stats: { delivered: number; echoes: number } }>('pollState');
  // The hub's own creates came back through the feed too, and were dropped as echoes.
  expect(poller.stats.echoes).toBeGreaterThan(0);
  expect(poller.stats.delivered).toBeGreaterThan(0);
});

test('an order becomes a Tryton sale and shipment, and the warehouse shipping it ships it in Medusa', async () => {
  const u = uniq();
  const { orderId } = await placeMedusaOrder(sdk, { title: `Tryton scarf ${u}`, skus: [`TRYO-${u}-A`, `TRYO-${u}-B`] });
  ordersPlaced.push(orderId);
  // The order's SKUs must exist in Tryton before a sale can name them: the product sync makes them.
  const { product } = await sdk.admin.product.list({ q: `Tryton scarf ${u}`, fields: 'id' }).then((r) => ({ product: r.products[0]! }));
  await medusaEvent('product.created', product.id);
  await hub.client.workflow.getHandle(syncNewProductWorkflowId(product.id)).result();

  expect(await medusaEvent('order.placed', orderId)).toMatchObject({ status: 'started' });
  const handle = hub.client.workflow.getHandle(fulfilOrderWorkflowId(orderId));
  const fo = await eventually('the WMS shipment', () => wms.findFulfillmentOrderByExternalRef(orderId), (f) => f !== null, 90_000);
  expect(fo).toMatchObject({ status: 'pending', lines: expect.arrayContaining([expect.objectContaining({ sku: `TRYO-${u}-A` })]) });
  expect(await eventually('the ERP sale', () => erp.findSalesOrderByExternalRef(orderId), (s) => s !== null, 60_000)).toMatchObject({ status: 'open' });

  const staff = TrytonWarehouseStaff.fromEnv();
  const shipped = await staff.ship(await staff.shipmentOf(orderId));

  const result = (await handle.result()) as FulfilOrderResult;
  expect(result).toMatchObject({ outcome: 'shipped', foundBy: 'webhook', trackingNumber: shipped.trackingNumber, carrier: shipped.carrier });
  expect(await erp.findSalesOrderByExternalRef(orderId)).toMatchObject({ status: 'shipped' });
  const { order } = await sdk.admin.order.retrieve(orderId, { fields: 'id,fulfillments.id,fulfillments.labels.tracking_number' });
  const labels = (order.fulfillments ?? []).flatMap((f) => (f as { labels?: Array<{ tracking_number: string }> }).labels ?? []);
  expect(labels.map((l) => l.tracking_number)).toEqual([shipped.trackingNumber]);
});

test('stock counted in the Tryton warehouse reaches Medusa through the WMS poller, the newest count last', async () => {
  const u = uniq();
  const sku = `TRYS-${u}`;
  const productId = await createMedusaProduct(sdk, { title: `Tryton sock ${u}`, skus: [sku] });
  await medusaEvent('product.created', productId);
  await hub.client.workflow.getHandle(syncNewProductWorkflowId(productId)).result();
  // The Medusa location the Tryton warehouse maps to (metadata.wms_warehouse_code), made once.
  const warehouse = process.env.TRYTON_WAREHOUSE ?? 'WH';
  const { stock_locations } = await sdk.admin.stockLocation.list({ q: `Tryton ${warehouse}`, fields: 'id,name' });
  const locationId =
    stock_locations.find((l) => l.name === `Tryton ${warehouse}`)?.id ??
    (await sdk.admin.stockLocation.create({ name: `Tryton ${warehouse}`, metadata: { wms_warehouse_code: warehouse } })).stock_location.id;
  const level = async (): Promise<number | undefined> => {
    const { inventory_items } = await sdk.admin.inventoryItem.list({ sku, fields: 'id' });
    const { inventory_levels } = await sdk.admin.inventoryItem.listLevels(inventory_items[0]!.id, { location_id: locationId });
    return inventory_levels.find((l) => l.location_id === locationId)?.stocked_quantity;
  };

  const staff = TrytonWarehouseStaff.fromEnv();
  await staff.putStock(sku, warehouse, 7);
  await eventually('the first count in Medusa', level, (n) => n === 7, 90_000);
  await staff.putStock(sku, warehouse, 3);
  await eventually('the newer count in Medusa', level, (n) => n === 3, 90_000);
});

/** The CLI as an operator runs it against the Tryton hub: its namespace, its connectors. */
const hubCli = (...args: string[]) => runCli({ ...process.env, TEMPORAL_NAMESPACE: TRYTON_HUB_NAMESPACE, ERP_CONNECTOR: 'tryton', WMS_CONNECTOR: 'tryton' }, ...args);

test('a backfill loads a catalogue into Tryton once, and reconcile finds and repairs drift made in Tryton', async () => {
  const prefix = `TRYB-${uniq()}-`;
  // The suites before this one leave thousands of products in Medusa: --since keeps the
  // backfill's scan to this test's, as an operator re-syncing a recent import would.
  const since = new Date(Date.now() - 1_000).toISOString();
  const productIds: string[] = [];
  for (let i = 0; i < 4; i++) productIds.push(await createMedusaProduct(sdk, { title: `Tryton backfill ${prefix}${i}`, skus: [`${prefix}${i}`] }));

  const first = await hubCli('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms', '--sku-prefix', prefix, '--since', since, '--batch-size', '2');
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const again = await hubCli('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms', '--sku-prefix', prefix, '--since', since);
  expect(again.code).toBe(0);
  for (const [i, productId] of productIds.entries()) {
    expect((await erp.listItemsByExternalRef(productId)).map((r) => r.sku)).toEqual([`${prefix}${i}`]);
    expect((await wms.listSkusByExternalRef(productId)).map((r) => r.sku)).toEqual([`${prefix}${i}`]);
  }

  // Drift made in Tryton: a WMS product archived by a person there.
  const victim = await wms.findSkuBySku(`${prefix}1`);
  await trytonAdmin('wms').model('product.product').write([Number(victim!.id)], { active: false });

  const found = await hubCli('reconcile', '--systems', 'medusa,erp,wms', '--sku-prefix', prefix, '--json', '--fail-on-drift');
  expect(found.code).toBe(1);
  const report = JSON.parse(found.stdout) as { products: number; drift: Array<Record<string, unknown>> };
  expect(report).toMatchObject({ products: 4, drift: [expect.objectContaining({ system: 'wms', kind: 'missing', key: `${prefix}1` })] });

  expect((await hubCli('reconcile', '--systems', 'medusa,erp,wms', '--sku-prefix', prefix, '--repair')).code).toBe(0);
  expect(await wms.findSkuBySku(`${prefix}1`)).toMatchObject({ external_ref: productIds[1] });
  const clean = await hubCli('reconcile', '--systems', 'medusa,erp,wms', '--sku-prefix', prefix, '--fail-on-drift');
  expect({ code: clean.code, stdout: clean.stdout }).toEqual({ code: 0, stdout: expect.stringContaining('no drift') });
}, 240_000);
