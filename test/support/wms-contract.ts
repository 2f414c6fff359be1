import { EXTERNAL_REF_CONFLICT, SKU_CONFLICT } from '../../src/activities/ports/common';
import type { WmsFulfillmentOrder, WmsPort, WmsSku } from '../../src/activities/ports/wms';
import { uniq } from './systems';

/**
 * The behaviour every WmsPort must have, whatever system is behind it: the README's "add a
 * connector" points here. The port has no calls for what only the warehouse does (count stock,
 * ship a parcel), so the setup supplies them the way its system does them: the simulator's
 * stock and ship endpoints, or Tryton's staff in the Tryton client (test/support/tryton-warehouse.ts).
 * Every test makes its own SKUs and order ids, so the tests share a system without seeing each
 * other's records.
 */
export interface WmsContractSetup {
  /** The port under test; called inside tests, after the setup's hooks ran. */
  wms(): WmsPort;
  /** A warehouse the system has, for the stock tests. */
  warehouseCode: string;
  /** The warehouse counts `onHand` of the SKU (which the test has created). */
  putStock(sku: string, warehouseCode: string, onHand: number): Promise<void>;
  /** The warehouse ships the fulfilment order. */
  ship(order: WmsFulfillmentOrder): Promise<void>;
}

export function describeWmsContract(label: string, setup: () => WmsContractSetup): void {
  describe(`${label} keeps the WMS port contract`, () => {
    const ctx = setup();
    let n = 0;
    const key = (what: string) => `contract/${what}/${uniq()}-${++n}`;
    const createSku = async (sku: string, k = key('sku'), externalRef = `variant_${sku}`): Promise<WmsSku> => {
      const r = await ctx.wms().createSku({ sku, description: `Product ${sku}`, external_ref: externalRef }, { idempotencyKey: k });
      if (r.outcome !== 'created') throw new Error(`expected a create, got ${JSON.stringify(r)}`);
      return r.record;
    };

    it('creates a SKU record that is found by its SKU, with the create key as proof', async () => {
      const wms = ctx.wms();
      const sku = `C-${uniq()}`;
      const k = key('create');
      const record = await createSku(sku, k);
      expect(record).toMatchObject({ sku, description: `Product ${sku}`, external_ref: `variant_${sku}`, creation_key: k });
      expect(await wms.findSkuBySku(sku)).toMatchObject({ id: record.id, sku, creation_key: k });
      expect(await wms.findSkuBySku(`NONE-${uniq()}`)).toBeNull();
    });

    it('answers sku_conflict for a second create of a SKU, and keeps the first', async () => {
      const wms = ctx.wms();
      const sku = `D-${uniq()}`;
      const first = await createSku(sku);
      expect(await wms.createSku({ sku, description: 'other', external_ref: 'someone_else' }, { idempotencyKey: key('second') })).toMatchObject({
        outcome: 'conflict',
        code: SKU_CONFLICT,
      });
      expect(await wms.findSkuBySku(sku)).toMatchObject({ id: first.id, external_ref: `variant_${sku}` });
    });

    it('updates description and external_ref, and lists a SKU by its external_ref', async () => {
      const wms = ctx.wms();
      const sku = `U-${uniq()}`;
      const record = await createSku(sku);
      expect(await wms.updateSku(record.id, { description: 'Renamed' }, { idempotencyKey: key('u1') })).toMatchObject({ id: record.id, description: 'Renamed' });
      expect(await wms.updateSku(record.id, { external_ref: `prod_${sku}` }, { idempotencyKey: key('u2') })).toMatchObject({ external_ref: `prod_${sku}`, description: 'Renamed' });
      expect((await wms.listSkusByExternalRef(`prod_${sku}`)).map((s) => s.id)).toEqual([record.id]);
      expect(await wms.listSkusByExternalRef(`variant_${sku}`)).toEqual([]);
    });

    it('deletes a SKU record: it is gone and its SKU is free again', async () => {
      const wms = ctx.wms();
      const sku = `X-${uniq()}`;
      const record = await createSku(sku);
      expect(await wms.deleteSku(record.id, { idempotencyKey: `wms-delete-sku:${record.id}` })).toBe(true);
      expect(await wms.findSkuBySku(sku)).toBeNull();
      expect(await wms.listSkusByExternalRef(`variant_${sku}`)).toEqual([]);
      const again = await createSku(sku);
      expect(again.id).not.toBe(record.id);
      expect(await wms.findSkuBySku(sku)).toMatchObject({ id: again.id });
    });

    it('pages through the SKU records: every record once, no page longer than asked', async () => {
      const wms = ctx.wms();
      const base = uniq();
      const ours = new Set<string>();
      for (let i = 0; i < 5; i++) ours.add((await createSku(`P-${base}-${i}`)).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await wms.listSkus({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((s) => s.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => ours.has(id)).sort()).toEqual([...ours].sort());
    });

    it('reads stock levels whose sequence grows with every change', async () => {
      const wms = ctx.wms();
      const sku = `S-${uniq()}`;
      expect(await wms.getStock(sku, ctx.warehouseCode)).toBeNull();
      await createSku(sku);
      await ctx.putStock(sku, ctx.warehouseCode, 7);
      const first = await wms.getStock(sku, ctx.warehouseCode);
      expect(first).toMatchObject({ sku, warehouse_code: ctx.warehouseCode, on_hand: 7 });
      await ctx.putStock(sku, ctx.warehouseCode, 4);
      const second = await wms.getStock(sku, ctx.warehouseCode);
      expect(second).toMatchObject({ on_hand: 4 });
      expect(second!.sequence).toBeGreaterThan(first!.sequence);
      // Read again without a change: the same level, never an older one.
      expect((await wms.getStock(sku, ctx.warehouseCode))!.sequence).toBeGreaterThanOrEqual(second!.sequence);
      expect(await wms.getStock(sku, `NOWH${uniq()}`)).toBeNull();
    });

    describe('fulfilment orders', () => {
      const order = async (wms: WmsPort) => {
        const sku = `F-${uniq()}`;
        await createSku(sku);
        const ref = `order_${uniq()}`;
        const input = { external_ref: ref, lines: [{ sku, quantity: 2 }] };
        const result = await wms.createFulfillmentOrder(input, { idempotencyKey: key('fo') });
        if (result.outcome !== 'created') throw new Error(`expected a create, got ${JSON.stringify(result)}`);
        return { sku, ref, input, record: result.record };
      };

      it('creates one fulfilment order per external_ref and finds it again', async () => {
        const wms = ctx.wms();
        const { sku, ref, input, record } = await order(wms);
        expect(record).toMatchObject({ external_ref: ref, status: 'pending', lines: [{ sku, quantity: 2 }], tracking_number: null, shipped_at: null });
        expect(await wms.createFulfillmentOrder(input, { idempotencyKey: key('dup') })).toMatchObject({ outcome: 'conflict', code: EXTERNAL_REF_CONFLICT });
        expect(await wms.findFulfillmentOrderByExternalRef(ref)).toMatchObject({ id: record.id, status: 'pending' });
        expect(await wms.findFulfillmentOrderByExternalRef(`order_none_${uniq()}`)).toBeNull();
      });

      it('cancels a pending order, and a second cancel is ok', async () => {
        const wms = ctx.wms();
        const { ref, record } = await order(wms);
        expect(await wms.cancelFulfillmentOrder(record.id, { idempotencyKey: key('c1') })).toMatchObject({ outcome: 'ok', record: { id: record.id, status: 'canceled' } });
        expect(await wms.cancelFulfillmentOrder(record.id, { idempotencyKey: key('c2') })).toMatchObject({ outcome: 'ok', record: { status: 'canceled' } });
        expect(await wms.findFulfillmentOrderByExternalRef(ref)).toMatchObject({ id: record.id, status: 'canceled' });
      });

      it('reports the shipment with its tracking, and refuses to cancel it', async () => {
        const wms = ctx.wms();
        const { ref, record } = await order(wms);
        await ctx.ship(record);
        const shipped = await wms.findFulfillmentOrderByExternalRef(ref);
        expect(shipped).toMatchObject({ id: record.id, status: 'shipped', tracking_number: expect.any(String), carrier: expect.any(String), shipped_at: expect.any(String) });
        expect(await wms.cancelFulfillmentOrder(record.id, { idempotencyKey: key('late') })).toMatchObject({ outcome: 'refused', code: 'already_shipped' });
        expect(await wms.findFulfillmentOrderByExternalRef(ref)).toMatchObject({ status: 'shipped' });
      });
    });
  });
}
