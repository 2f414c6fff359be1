import { z } from 'zod';
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy';
import { failureOf } from '../../../test/support/simulators';
import { eventually, uniq } from '../../../test/support/systems';
import { trytonConnection } from '../../../test/support/tryton';
import { TrytonWarehouseStaff } from '../../../test/support/tryton-warehouse';
import type { Change, ChangePage } from '../ports/common';
import type { WmsChangeFeed, WmsFulfillmentOrder, WmsPort, WmsStockLevel } from '../ports/wms';
import { createWmsOrderActivities } from '../wms/orders';
import { createWmsActivities } from '../wms/products';
import { TrytonRpc } from './rpc';
import { TrytonWms } from './wms';

// What is particular to the Tryton WMS beyond the port contract (wms.contract.test.ts): lost
// answers through a fault proxy, the convergence of duplicate shipments, and the change feeds,
// against the stack's Tryton (HUB_TEST_SERVICES=tryton). The warehouse staff is Tryton's admin.
describe('TrytonWms against Tryton', () => {
  const warehouse = process.env.TRYTON_WAREHOUSE ?? 'WH';
  // Short, so the feeds show a change within a few seconds; the default is 3 s.
  const settleMs = 1_000;
  let proxy: FaultProxy;
  // As the activities and pollers see it: the port and the feed.
  let wms: WmsPort & WmsChangeFeed;
  let faulty: WmsPort;
  let staff: TrytonWarehouseStaff;

  beforeAll(async () => {
    proxy = await startFaultProxy(trytonConnection('wms').url);
    wms = new TrytonWms(new TrytonRpc(trytonConnection('wms')), { warehouse, settleMs });
    faulty = new TrytonWms(new TrytonRpc(trytonConnection('wms', { url: proxy.url })), { warehouse, settleMs });
    staff = TrytonWarehouseStaff.fromEnv();
  });
  afterAll(() => proxy.close());
  beforeEach(() => proxy.reset());

  const zShipment = z.object({ id: z.number().int(), state: z.string() });
  /** Every shipment Tryton holds for the order, whatever its state. */
  const shipmentsOf = (ref: string) => staff.rpc.model('stock.shipment.out').searchRead(zShipment, [['reference', '=', ref]], ['state'], { order: [['id', 'ASC']] });
  const live = async (ref: string) => (await shipmentsOf(ref)).filter((s) => s.state !== 'cancelled');

  const newSku = async () => {
    const sku = `T-${uniq()}`;
    const r = await wms.createSku({ sku, description: `Tryton ${sku}`, external_ref: `variant_${sku}` }, { idempotencyKey: `t/${sku}` });
    if (r.outcome !== 'created') throw new Error(`setup: ${JSON.stringify(r)}`);
    return sku;
  };

  describe('a lost answer to a create', () => {
    it('leaves one SKU record after the retry, and the undo removes it (0 orphans)', async () => {
      const acts = createWmsActivities(faulty);
      const sku = `L-${uniq()}`;
      const input = { idempotencyKey: `lost/${sku}`, sku, description: `Lost ${sku}`, externalRef: `variant_${sku}` };
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.template.create' });
      expect((await failureOf(acts.wmsCreateSku(input))).nonRetryable).toBe(false);
      // Temporal's retry: the product is there, made by this very create, so it is not "adopted".
      expect(await acts.wmsCreateSku(input)).toEqual({ skuId: expect.any(String), adopted: false });
      expect(await wms.listSkusByExternalRef(input.externalRef)).toHaveLength(1);
      // The saga's undo never got the create's result: the creation_key is the proof.
      expect(await acts.wmsDeleteSku({ sku, externalRef: input.externalRef, idempotencyKey: input.idempotencyKey })).toEqual({ deleted: true });
      expect(await wms.findSkuBySku(sku)).toBeNull();
      expect(await wms.listSkusByExternalRef(input.externalRef)).toEqual([]);
    });

    it('the undo of a create whose only attempt lost its answer removes the orphan, and only with its key', async () => {
      const acts = createWmsActivities(faulty);
      const sku = `O-${uniq()}`;
      const input = { idempotencyKey: `orphan/${sku}`, sku, description: `Orphan ${sku}`, externalRef: `variant_${sku}` };
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.template.create' });
      await failureOf(acts.wmsCreateSku(input));
      expect(await wms.findSkuBySku(sku)).toMatchObject({ creation_key: input.idempotencyKey });
      // Another step's undo (another key) cannot prove the record is its own.
      expect(await acts.wmsDeleteSku({ sku, externalRef: input.externalRef, idempotencyKey: 'another-step' })).toEqual({ deleted: false, skipped: 'not_created_by_step' });
      expect(await acts.wmsDeleteSku({ sku, externalRef: input.externalRef, idempotencyKey: input.idempotencyKey })).toEqual({ deleted: true });
      expect(await wms.findSkuBySku(sku)).toBeNull();
    });

    it.each(['stock.shipment.out.create', 'stock.shipment.out.wait'])('of %s leaves one waiting shipment, and the undo cancels it', async (rpcMethod) => {
      const orders = createWmsOrderActivities(faulty);
      const sku = await newSku();
      const ref = `order_${uniq()}`;
      const input = { idempotencyKey: `fo/${ref}`, externalRef: ref, lines: [{ sku, quantity: 1 }] };
      proxy.arm({ mode: 'drop_response', rpcMethod });
      expect((await failureOf(orders.wmsCreateFulfillmentOrder(input))).nonRetryable).toBe(false);
      const { fulfillmentOrderId } = await orders.wmsCreateFulfillmentOrder(input);
      // Not left in draft, where the warehouse would never see it.
      expect(await shipmentsOf(ref)).toEqual([{ id: Number(fulfillmentOrderId), state: 'waiting' }]);
      expect(await orders.wmsCancelFulfillmentOrder({ idempotencyKey: `undo/${ref}`, externalRef: ref })).toEqual({ outcome: 'canceled' });
      expect(await live(ref)).toEqual([]);
    });
  });

  describe('one shipment per order', () => {
    it('two concurrent creates of one order converge on one live shipment', async () => {
      const orders = createWmsOrderActivities(wms);
      const sku = await newSku();
      const ref = `order_${uniq()}`;
      const input = { idempotencyKey: `fo/${ref}`, externalRef: ref, lines: [{ sku, quantity: 1 }] };
      const results = await Promise.all([orders.wmsCreateFulfillmentOrder(input), orders.wmsCreateFulfillmentOrder(input)]);
      const found = await wms.findFulfillmentOrderByExternalRef(ref);
      expect(await live(ref)).toEqual([{ id: Number(found?.id), state: 'waiting' }]);
      expect(results.map((r) => r.fulfillmentOrderId)).toContain(found?.id);
    });

    it('a duplicate shipment for the order is cancelled when seen, the lowest id kept', async () => {
      const sku = await newSku();
      const ref = `order_${uniq()}`;
      const created = await wms.createFulfillmentOrder({ external_ref: ref, lines: [{ sku, quantity: 1 }] }, { idempotencyKey: `fo/${ref}` });
      if (created.outcome !== 'created') throw new Error(`setup: ${JSON.stringify(created)}`);
      // What a race past the look-up leaves: a second shipment with the same reference.
      const [copy] = await staff.rpc.model('stock.shipment.out').call('copy', [[Number(created.record.id)], { reference: ref }], { schema: z.array(z.number().int()) });
      expect((await shipmentsOf(ref)).map((s) => s.id)).toEqual([Number(created.record.id), copy]);
      expect(await wms.findFulfillmentOrderByExternalRef(ref)).toMatchObject({ id: created.record.id, status: 'pending' });
      expect(await shipmentsOf(ref)).toEqual([
        { id: Number(created.record.id), state: 'waiting' },
        { id: copy, state: 'cancelled' },
      ]);
    });
  });

  it('the stock sequence grows when an order ships and again when the warehouse cancels it after shipping', async () => {
    const sku = await newSku();
    await staff.putStock(sku, warehouse, 5);
    const counted = await wms.getStock(sku, warehouse);
    const r = await wms.createFulfillmentOrder({ external_ref: `order_${uniq()}`, lines: [{ sku, quantity: 2 }] }, { idempotencyKey: `fo/${sku}` });
    if (r.outcome !== 'created') throw new Error(`setup: ${JSON.stringify(r)}`);
    // A planned shipment moves nothing yet.
    expect(await wms.getStock(sku, warehouse)).toMatchObject({ on_hand: 5 });
    await staff.ship(Number(r.record.id));
    const shipped = await wms.getStock(sku, warehouse);
    expect(shipped).toMatchObject({ on_hand: 3 });
    expect(shipped!.sequence).toBeGreaterThan(counted!.sequence);
    // Tryton lets a person cancel even a done shipment: its done moves become cancelled and the stock is back.
    await staff.cancel(Number(r.record.id));
    const putBack = await wms.getStock(sku, warehouse);
    expect(putBack).toMatchObject({ on_hand: 5 });
    expect(putBack!.sequence).toBeGreaterThan(shipped!.sequence);
  });

  describe('change feeds', () => {
    type Read<C> = (cursor: string | null, limit: number) => Promise<ChangePage<C>>;
    const position = (cursor: string) => cursor.split(':').map(Number) as [number, number];
    const strictlyIncreasing = (cursors: string[]) =>
      cursors.every((c, i) => {
        if (i === 0) return true;
        const [a, b] = [position(cursors[i - 1]!), position(c)];
        return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
      });

    /** Follows a feed as the poller does: from the end of what is there now, keeping each page's cursor. */
    async function follow<C>(read: Read<C>, limit = 100) {
      let cursor: string | null = null;
      const seen: C[] = [];
      const cursors: string[] = [];
      const drain = async (): Promise<C[]> => {
        for (;;) {
          const page = await read(cursor, limit);
          seen.push(...page.changes);
          if (page.cursor !== cursor) cursors.push(page.cursor);
          cursor = page.cursor;
          if (!page.more) return seen;
        }
      };
      await drain();
      seen.length = 0;
      cursors.length = 0;
      return { drain, seen, cursors, cursor: () => cursor };
    }
    const shipments = () => follow<Change<WmsFulfillmentOrder>>((c, l) => wms.shipmentChangesSince(c, l));
    const stock = (limit?: number) => follow<Change<WmsStockLevel>>((c, l) => wms.stockChangesSince(c, l), limit);

    const pendingOrder = async () => {
      const sku = await newSku();
      const ref = `order_${uniq()}`;
      const r = await wms.createFulfillmentOrder({ external_ref: ref, lines: [{ sku, quantity: 1 }] }, { idempotencyKey: `fo/${ref}` });
      if (r.outcome !== 'created') throw new Error(`setup: ${JSON.stringify(r)}`);
      return r.record;
    };

    it("a shipment the warehouse ships is a change that is not the hub's, with its tracking", async () => {
      const feed = await shipments();
      const order = await pendingOrder();
      const tracking = await staff.ship(Number(order.id));
      const seen = await eventually('the shipped change', feed.drain, (s) => s.some((c) => c.record.id === order.id));
      expect(seen.find((c) => c.record.id === order.id)).toEqual({
        byHub: false,
        record: expect.objectContaining({ id: order.id, external_ref: order.external_ref, status: 'shipped', tracking_number: tracking.trackingNumber, carrier: tracking.carrier }),
      });
    });

    it("a cancel by the hub is a change the hub made (its echo)", async () => {
      const feed = await shipments();
      const order = await pendingOrder();
      expect(await wms.cancelFulfillmentOrder(order.id, { idempotencyKey: `c/${order.id}` })).toMatchObject({ outcome: 'ok' });
      const seen = await eventually('the canceled change', feed.drain, (s) => s.some((c) => c.record.id === order.id));
      expect(seen.filter((c) => c.record.id === order.id)).toEqual([{ byHub: true, record: expect.objectContaining({ status: 'canceled' }) }]);
    });

    it('stock the warehouse counts is a stock change with the new level', async () => {
      const feed = await stock();
      const sku = await newSku();
      await staff.putStock(sku, warehouse, 5);
      const seen = await eventually('the stock change', feed.drain, (s) => s.some((c) => c.record.sku === sku));
      const level = await wms.getStock(sku, warehouse);
      expect(seen.filter((c) => c.record.sku === sku)).toEqual([{ byHub: false, record: { ...level!, on_hand: 5 } }]);
    });

    it('pages of one change each neither skip nor repeat one, and a page read again is the same page', async () => {
      const feed = await stock(1);
      const skus = [await newSku(), await newSku(), await newSku()];
      for (const [i, sku] of skus.entries()) await staff.putStock(sku, warehouse, i + 1);
      const ours = (seen: Array<Change<WmsStockLevel>>) => seen.filter((c) => skus.includes(c.record.sku));
      const seen = await eventually('three stock changes', feed.drain, (s) => ours(s).length >= skus.length);
      expect(ours(seen).map((c) => [c.record.sku, c.record.on_hand])).toEqual(skus.map((sku, i) => [sku, i + 1]));
      expect(strictlyIncreasing(feed.cursors)).toBe(true);

      // A poll that died after reading a page asks again from the cursor it kept: the same page.
      const before = feed.cursors.at(-4) ?? null;
      const [a, b] = [await wms.stockChangesSince(before, 1), await wms.stockChangesSince(before, 1)];
      expect(b.cursor).toBe(a.cursor);
      expect(b.changes.map((c) => c.record.sku)).toEqual(a.changes.map((c) => c.record.sku));
    });

    it('shipments shipped one after the other are each seen once, one per page', async () => {
      const feed = await follow<Change<WmsFulfillmentOrder>>((c, l) => wms.shipmentChangesSince(c, l), 1);
      const orders = [await pendingOrder(), await pendingOrder()];
      for (const o of orders) await staff.ship(Number(o.id));
      const ids = orders.map((o) => o.id);
      const seen = await eventually('two shipped changes', feed.drain, (s) => s.filter((c) => ids.includes(c.record.id)).length >= 2);
      expect(seen.filter((c) => ids.includes(c.record.id)).map((c) => c.record.id)).toEqual(ids);
      expect(strictlyIncreasing(feed.cursors)).toBe(true);
    });
  });
});
