import {
  createMedusaProduct,
  eventually,
  postSignedWebhook,
  simulatorWrite,
  uniq,
  useSuiteConnections,
  waitForRun,
} from '../../../test/support/systems';
import { syncNewProductWorkflowId } from '../products/sync-new-product';
import { stockLevelQuery, stockLevelWorkflowId } from './stock-level';

/**
 * WMS stock → Medusa inventory levels, ordered by the WMS's sequence, not by arrival. Each test
 * maps its own warehouse code to its own Medusa stock location (metadata.wms_warehouse_code), so
 * nothing it asserts is shared with other suites.
 */

const suite = useSuiteConnections();

/** A product synced out to the WMS (so the SKU exists there) and a Medusa location for a fresh warehouse code. */
async function skuAndWarehouse(): Promise<{ sku: string; warehouse: string; locationId: string }> {
  const u = uniq();
  const sku = `STK-${u}`;
  const productId = await createMedusaProduct(suite.sdk, { title: `Stock ${u}`, skus: [sku] });
  await (await waitForRun(suite.client, syncNewProductWorkflowId(productId))).result();
  const warehouse = `WH-${u}`;
  const { stock_location } = await suite.sdk.admin.stockLocation.create({ name: `Warehouse ${warehouse}`, metadata: { wms_warehouse_code: warehouse } });
  return { sku, warehouse, locationId: stock_location.id };
}

async function medusaLevel(sku: string, locationId: string): Promise<number | undefined> {
  const { inventory_items } = await suite.sdk.admin.inventoryItem.list({ sku, fields: 'id' });
  const { inventory_levels } = await suite.sdk.admin.inventoryItem.listLevels(inventory_items[0]!.id, { location_id: locationId });
  return inventory_levels.find((l) => l.location_id === locationId)?.stocked_quantity;
}

const shuffle = <T>(xs: T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

describe('WMS stock.changed → Medusa inventory level', () => {
  test('100 updates delivered shuffled, some twice, leave the highest sequence in Medusa', async () => {
    const { sku, warehouse, locationId } = await skuAndWarehouse();
    const events = Array.from({ length: 100 }, (_, i) => {
      const sequence = i + 1;
      const level = { sku, warehouse_code: warehouse, on_hand: 1000 + ((sequence * 37) % 500), sequence, updated_at: new Date().toISOString() };
      return { id: `msg_${uniq()}_${sequence}`, body: { type: 'stock.changed', id: `evt_${sku}_${sequence}`, occurred_at: level.updated_at, data: level, sequence, origin: null } };
    });
    const deliveries = shuffle([...events, ...shuffle(events).slice(0, 25)]);
    // Ten senders at once, as a webhook dispatcher with a pool would deliver them.
    for (let i = 0; i < deliveries.length; i += 10) {
      const answers = await Promise.all(deliveries.slice(i, i + 10).map((d) => postSignedWebhook('wms', d.body, d.id)));
      for (const a of answers) expect(a).toMatchObject({ status: 202, json: { status: 'signaled' } });
    }
    const handle = suite.client.workflow.getHandle(stockLevelWorkflowId(sku, warehouse));
    const state = await eventually('sequence 100 written to Medusa', () => handle.query(stockLevelQuery), (s) => s.appliedSequence === 100);
    expect(state.received).toBe(125);
    expect(await medusaLevel(sku, locationId)).toBe(events[99]!.body.data.on_hand);
  });

  test('levels set in the WMS reach Medusa through its own webhooks', async () => {
    const { sku, warehouse, locationId } = await skuAndWarehouse();
    const levels = [5, 9, 2, 14, 11];
    for (const onHand of levels) {
      await simulatorWrite('WMS', 'PUT', `/v1/stock/${encodeURIComponent(sku)}/${warehouse}`, { on_hand: onHand });
    }
    const handle = await waitForRun(suite.client, stockLevelWorkflowId(sku, warehouse));
    await eventually('the last level in Medusa', () => handle.query(stockLevelQuery), (s) => s.appliedSequence === levels.length);
    expect(await medusaLevel(sku, locationId)).toBe(11);

    // The first event arrives again, late, after its run has ended: the fresh run starts from the
    // WMS's current level and sequence, so the old level does not come back.
    await handle.terminate('test: the run ended');
    const late = { sku, warehouse_code: warehouse, on_hand: 5, sequence: 1, updated_at: new Date().toISOString() };
    await postSignedWebhook('wms', { type: 'stock.changed', id: `evt_late_${sku}`, occurred_at: late.updated_at, data: late, sequence: 1, origin: null });
    const fresh = await eventually('the fresh run to settle', () => suite.client.workflow.getHandle(handle.workflowId).query(stockLevelQuery), (s) => s.appliedSequence > 0);
    expect(fresh.latest).toEqual({ sequence: levels.length, onHand: 11 });
    expect(await medusaLevel(sku, locationId)).toBe(11);
  });
});
