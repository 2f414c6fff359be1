import { ApplicationFailure } from '@temporalio/common';
import { EXTERNAL_REF_CONFLICT, SKU_CONFLICT } from '../../src/activities/ports/common';
import type { ErpItem, ErpPort } from '../../src/activities/ports/erp';
import { idsOfAllPages } from './pages';
import { uniq } from './systems';

/**
 * The behaviour every ErpPort must have, whatever system is behind it: the README's "add a
 * connector" points here. A connector's contract test calls describeErpContract with a setup
 * that registers its own hooks (a fresh simulator per test, a connection to the stack's Tryton)
 * and hands back the port. Every test makes its own SKUs and order ids, so the tests share a
 * system without seeing each other's records.
 */
export interface ErpContractSetup {
  /** The port under test; called inside tests, after the setup's hooks ran. */
  erp(): ErpPort;
}

export function describeErpContract(label: string, setup: () => ErpContractSetup): void {
  describe(`${label} keeps the ERP port contract`, () => {
    const ctx = setup();
    let n = 0;
    const key = (what: string) => `contract/${what}/${uniq()}-${++n}`;
    const item = (sku: string, extra: Partial<Parameters<ErpPort['createItem']>[0]> = {}) =>
      ({ sku, name: `Item ${sku}`, price: { amount: 1999, currency_code: 'eur' }, external_ref: `variant_${sku}`, ...extra }) as const;
    const created = async (p: ReturnType<ErpPort['createItem']>): Promise<ErpItem> => {
      const r = await p;
      if (r.outcome !== 'created') throw new Error(`expected a create, got ${JSON.stringify(r)}`);
      return r.record;
    };

    it('creates an item that is found by its SKU, with the create key as proof', async () => {
      const erp = ctx.erp();
      const sku = `C-${uniq()}`;
      const k = key('create');
      const record = await created(erp.createItem(item(sku), { idempotencyKey: k }));
      expect(record).toMatchObject({
        sku,
        name: `Item ${sku}`,
        price: { amount: 1999, currency_code: 'eur' },
        status: 'active',
        external_ref: `variant_${sku}`,
        creation_key: k,
      });
      expect(record.version).toBeGreaterThan(0);
      expect(await erp.findItemBySku(sku)).toMatchObject({ id: record.id, sku, version: record.version });
      expect(await erp.findItemBySku(`NONE-${uniq()}`)).toBeNull();
    });

    it('keeps an item without a price at price null', async () => {
      const sku = `N-${uniq()}`;
      const record = await created(ctx.erp().createItem(item(sku, { price: null }), { idempotencyKey: key('no-price') }));
      expect(record.price).toBeNull();
    });

    it("answers sku_conflict for a second create of an active item's SKU", async () => {
      const erp = ctx.erp();
      const sku = `D-${uniq()}`;
      const first = await created(erp.createItem(item(sku), { idempotencyKey: key('first') }));
      expect(await erp.createItem(item(sku, { external_ref: 'someone_else' }), { idempotencyKey: key('second') })).toMatchObject({ outcome: 'conflict', code: SKU_CONFLICT });
      expect(await erp.findItemBySku(sku)).toMatchObject({ id: first.id, external_ref: `variant_${sku}` });
    });

    it('updates name, price, status and external_ref, and the version grows with each change', async () => {
      const erp = ctx.erp();
      const sku = `U-${uniq()}`;
      const before = await created(erp.createItem(item(sku), { idempotencyKey: key('u') }));
      const renamed = await erp.updateItem(before.id, { name: 'Renamed', price: { amount: 2550, currency_code: 'eur' } }, { idempotencyKey: key('u1') });
      expect(renamed).toMatchObject({ id: before.id, sku, name: 'Renamed', price: { amount: 2550, currency_code: 'eur' } });
      expect(renamed.version).toBeGreaterThan(before.version);
      const relinked = await erp.updateItem(before.id, { external_ref: `prod_${sku}` }, { idempotencyKey: key('u2') });
      expect(relinked.external_ref).toBe(`prod_${sku}`);
      expect(relinked.version).toBeGreaterThan(renamed.version);
      expect((await erp.listItemsByExternalRef(`prod_${sku}`)).map((i) => i.id)).toEqual([before.id]);
      expect(await erp.listItemsByExternalRef(`variant_${sku}`)).toEqual([]);
      const inactive = await erp.updateItem(before.id, { status: 'inactive' }, { idempotencyKey: key('u3') });
      expect(inactive.status).toBe('inactive');
      expect(inactive.version).toBeGreaterThan(relinked.version);
      // An inactive item still holds its SKU.
      expect(await erp.findItemBySku(sku)).toMatchObject({ id: before.id, status: 'inactive' });
      expect(await erp.createItem(item(sku), { idempotencyKey: key('u4') })).toMatchObject({ outcome: 'conflict', code: SKU_CONFLICT });
      expect(await erp.updateItem(before.id, { status: 'active' }, { idempotencyKey: key('u5') })).toMatchObject({ status: 'active', name: 'Renamed' });
    });

    it('deletes an item: it is gone, its SKU is free again, and a later delete says false', async () => {
      const erp = ctx.erp();
      const sku = `X-${uniq()}`;
      const record = await created(erp.createItem(item(sku), { idempotencyKey: key('x') }));
      expect(await erp.deleteItem(record.id, { idempotencyKey: `erp-delete-item:${record.id}` })).toBe(true);
      expect(await erp.findItemBySku(sku)).toBeNull();
      expect(await erp.listItemsByExternalRef(`variant_${sku}`)).toEqual([]);
      // A later delete (another key: the same key may replay the first answer) finds nothing.
      expect(await erp.deleteItem(record.id, { idempotencyKey: key('x-again') })).toBe(false);
      const again = await created(erp.createItem(item(sku), { idempotencyKey: key('x2') }));
      expect(again.id).not.toBe(record.id);
      expect(await erp.findItemBySku(sku)).toMatchObject({ id: again.id });
    });

    it('lists every item of one external_ref, and only those', async () => {
      const erp = ctx.erp();
      const base = uniq();
      const ref = `prod_${base}`;
      const ids: string[] = [];
      for (const s of ['A', 'B', 'C']) ids.push((await created(erp.createItem(item(`L-${base}-${s}`, { external_ref: ref }), { idempotencyKey: key(`l${s}`) }))).id);
      await created(erp.createItem(item(`L-${base}-other`), { idempotencyKey: key('lo') }));
      expect((await erp.listItemsByExternalRef(ref)).map((i) => i.id).sort()).toEqual([...ids].sort());
    });

    it('pages through the catalogue: every item once, no page longer than asked', async () => {
      const erp = ctx.erp();
      const base = uniq();
      const ours = new Set<string>();
      for (let i = 0; i < 5; i++) ours.add((await created(erp.createItem(item(`P-${base}-${i}`), { idempotencyKey: key(`p${i}`) }))).id);
      const seen = await idsOfAllPages((q) => erp.listItems(q), 2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => ours.has(id)).sort()).toEqual([...ours].sort());
    });

    describe('sales orders', () => {
      const order = async (erp: ErpPort) => {
        const sku = `S-${uniq()}`;
        await created(erp.createItem(item(sku), { idempotencyKey: key('s') }));
        const ref = `order_${uniq()}`;
        const input = { external_ref: ref, currency_code: 'EUR', lines: [{ sku, quantity: 2, unit_price: 1250 }] };
        const result = await erp.createSalesOrder(input, { idempotencyKey: key('so') });
        if (result.outcome !== 'created') throw new Error(`expected a create, got ${JSON.stringify(result)}`);
        return { sku, ref, input, record: result.record };
      };

      it('books an order once per external_ref and finds it again', async () => {
        const erp = ctx.erp();
        const { sku, ref, input, record } = await order(erp);
        expect(record).toMatchObject({ external_ref: ref, status: 'open', currency_code: 'eur', total: 2500, lines: [{ sku, quantity: 2, unit_price: 1250 }] });
        expect(await erp.createSalesOrder(input, { idempotencyKey: key('dup') })).toMatchObject({ outcome: 'conflict', code: EXTERNAL_REF_CONFLICT });
        expect(await erp.findSalesOrderByExternalRef(ref)).toMatchObject({ id: record.id, status: 'open' });
        expect(await erp.findSalesOrderByExternalRef(`order_none_${uniq()}`)).toBeNull();
      });

      it('ships an open order; a shipped order cannot be canceled', async () => {
        const erp = ctx.erp();
        const { ref, record } = await order(erp);
        const shipped = await erp.updateSalesOrderStatus(record.id, 'shipped', { idempotencyKey: key('ship') });
        expect(shipped).toMatchObject({ id: record.id, status: 'shipped' });
        expect(shipped.version).toBeGreaterThan(record.version);
        expect(await erp.findSalesOrderByExternalRef(ref)).toMatchObject({ status: 'shipped' });
        expect(await erp.updateSalesOrderStatus(record.id, 'shipped', { idempotencyKey: key('ship2') })).toMatchObject({ status: 'shipped' });
        const refused = await erp.updateSalesOrderStatus(record.id, 'canceled', { idempotencyKey: key('cancel') }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ApplicationFailure);
        expect(refused).toMatchObject({ nonRetryable: true });
      });

      it('cancels an open order; a canceled order cannot be shipped', async () => {
        const erp = ctx.erp();
        const { ref, record } = await order(erp);
        const canceled = await erp.updateSalesOrderStatus(record.id, 'canceled', { idempotencyKey: key('cancel') });
        expect(canceled).toMatchObject({ id: record.id, status: 'canceled' });
        expect(canceled.version).toBeGreaterThan(record.version);
        expect(await erp.findSalesOrderByExternalRef(ref)).toMatchObject({ status: 'canceled' });
        const refused = await erp.updateSalesOrderStatus(record.id, 'shipped', { idempotencyKey: key('ship') }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ApplicationFailure);
        expect(refused).toMatchObject({ nonRetryable: true });
      });
    });
  });
}
