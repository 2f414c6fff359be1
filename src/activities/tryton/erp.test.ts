import { z } from 'zod';
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy';
import { failureOf } from '../../../test/support/simulators';
import { eventually, uniq } from '../../../test/support/systems';
import { trytonAdmin, trytonConnection } from '../../../test/support/tryton';
import { createErpActivities } from '../erp/products';
import { HTTP_RATE_LIMITED, HTTP_SERVER_ERROR, HTTP_UNREACHABLE } from '../http';
import type { Change, ChangePage } from '../ports/common';
import type { ErpItem } from '../ports/erp';
import { TrytonErp } from './erp';
import { decimal, TrytonRpc, zBool } from './rpc';

// What is particular to Tryton behind the ERP port: idempotency without an Idempotency-Key,
// faults from a proxy in front of the real server, and the polled change feed.
describe('TrytonErp', () => {
  let proxy: FaultProxy;
  let erp: TrytonErp;
  const options = { webShop: process.env.TRYTON_WEB_SHOP ?? 'Medusa', customer: process.env.TRYTON_CUSTOMER ?? 'Medusa customer', changeSettleMs: 1_000 };

  beforeAll(async () => {
    proxy = await startFaultProxy(trytonConnection('erp').url);
    erp = new TrytonErp(new TrytonRpc(trytonConnection('erp', { url: proxy.url })), options);
  });
  afterAll(() => proxy.close());
  beforeEach(() => proxy.reset());

  const acts = () => createErpActivities(erp);
  const input = (sku: string, idempotencyKey = `run-${sku}/erp-item`) => ({ idempotencyKey, sku, name: `Product ${sku}`, price: { amount: 19.9, currency_code: 'eur' }, externalRef: `variant_${sku}`, origin: 'hub' });
  /** Every variant with this code, archived ones included: what "0 duplicates, 0 orphans" counts. */
  const variants = async (sku: string) =>
    erp.rpc.model('product.product').searchRead(z.object({ id: z.number().int(), active: zBool }), [['code', '=', sku]], ['id', 'active'], { context: { active_test: false } });

  describe('idempotency through lost answers', () => {
    it('a create whose answer was lost, retried, makes one item, and the undo removes it', async () => {
      const sku = `LOST-${uniq()}`;
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.template.create' });
      const lost = await failureOf(acts().erpCreateItem(input(sku)));
      expect(lost).toMatchObject({ type: HTTP_UNREACHABLE, nonRetryable: false });
      // Tryton committed the create the answer of which never arrived.
      expect(await erp.findItemBySku(sku)).toMatchObject({ creation_key: input(sku).idempotencyKey, price: { amount: 1990, currency_code: 'eur' } });

      const retried = await acts().erpCreateItem(input(sku));
      expect(retried.adopted).toBe(false);
      expect(await variants(sku)).toEqual([{ id: Number(retried.itemId), active: true }]);

      expect(await acts().erpDeleteItem({ sku, externalRef: `variant_${sku}`, idempotencyKey: input(sku).idempotencyKey })).toEqual({ deleted: true });
      expect(await erp.findItemBySku(sku)).toBeNull();
      expect((await variants(sku)).filter((v) => v.active)).toEqual([]);
    });

    it("with the create's outcome unknown, the undo removes what that create committed, and only that", async () => {
      const sku = `ORPHAN-${uniq()}`;
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.template.create', as: '502' });
      expect(await failureOf(acts().erpCreateItem(input(sku)))).toMatchObject({ type: HTTP_SERVER_ERROR, nonRetryable: false });
      // Another step's key proves nothing about the record.
      expect(await acts().erpDeleteItem({ sku, externalRef: `variant_${sku}`, idempotencyKey: 'another-step' })).toEqual({ deleted: false, skipped: 'not_created_by_step' });
      expect(await acts().erpDeleteItem({ sku, externalRef: `variant_${sku}`, idempotencyKey: input(sku).idempotencyKey })).toEqual({ deleted: true });
      expect((await variants(sku)).filter((v) => v.active)).toEqual([]);
    });

    it('concurrent creates of one SKU make one item, which all of them return', async () => {
      const sku = `RACE-${uniq()}`;
      const results = await Promise.all([1, 2, 3].map((i) => acts().erpCreateItem(input(sku, `step-${i}-${sku}`))));
      expect(new Set(results.map((r) => r.itemId)).size).toBe(1);
      expect(results.filter((r) => !r.adopted)).toHaveLength(1);
      expect(await variants(sku)).toHaveLength(1);
    });

    it('a sale whose create answer was lost is booked once, and the retry adopts it', async () => {
      const sku = `SALE-${uniq()}`;
      await acts().erpCreateItem(input(sku));
      const ref = `order_${uniq()}`;
      proxy.arm({ mode: 'drop_response', rpcMethod: 'sale.sale.create' });
      const order = { external_ref: ref, currency_code: 'eur', lines: [{ sku, quantity: 1, unit_price: 1990 }] };
      expect(await failureOf(erp.createSalesOrder(order))).toMatchObject({ type: HTTP_UNREACHABLE, nonRetryable: false });
      // The draft the lost create left is booked by the retry, which then reports it as there.
      expect(await erp.createSalesOrder(order)).toMatchObject({ outcome: 'conflict', code: 'external_ref_conflict' });
      expect(await erp.findSalesOrderByExternalRef(ref)).toMatchObject({ status: 'open', total: 1990 });
      expect(await erp.rpc.model('sale.sale').search([['web_id', '=', ref]])).toHaveLength(1);
      const sales = await erp.rpc.model('sale.sale').searchRead(z.object({ state: z.string() }), [['web_id', '=', ref]], ['state']);
      expect(sales).toEqual([{ state: 'processing' }]);
    });
  });

  it('an item whose sale the ERP booked as shipped can still be retired and deleted', async () => {
    // Shipping forces the ERP's own shipment through, so its stock of the item goes below zero
    // and Tryton warns before archiving it; the connector acknowledges that warning.
    const sku = `SHIPPED-${uniq()}`;
    const { itemId } = await acts().erpCreateItem(input(sku));
    const order = await erp.createSalesOrder({ external_ref: `order_${uniq()}`, currency_code: 'eur', lines: [{ sku, quantity: 3, unit_price: 1990 }] });
    if (order.outcome !== 'created') throw new Error('setup failed');
    expect(await erp.updateSalesOrderStatus(order.record.id, 'shipped')).toMatchObject({ status: 'shipped' });
    expect(await erp.updateItem(itemId, { status: 'inactive' })).toMatchObject({ status: 'inactive' });
    expect(await erp.updateItem(itemId, { status: 'active' })).toMatchObject({ status: 'active' });
    expect(await erp.deleteItem(itemId)).toBe(true);
    expect(await erp.findItemBySku(sku)).toBeNull();
  });

  describe('error classification', () => {
    it('503 is retryable and nothing was created', async () => {
      const sku = `E503-${uniq()}`;
      proxy.arm({ mode: 'fail_before', rpcMethod: 'product.template.create', status: 503 });
      expect(await failureOf(acts().erpCreateItem(input(sku)))).toMatchObject({ type: HTTP_SERVER_ERROR, nonRetryable: false });
      expect(await variants(sku)).toEqual([]);
    });

    it('429 is retryable after the Retry-After Tryton sent', async () => {
      const sku = `E429-${uniq()}`;
      proxy.arm({ mode: 'fail_before', rpcMethod: 'product.template.create', status: 429, retryAfter: 7 });
      expect(await failureOf(acts().erpCreateItem(input(sku)))).toMatchObject({ type: HTTP_RATE_LIMITED, nonRetryable: false, nextRetryDelay: 7000 });
      expect(await acts().erpCreateItem(input(sku))).toMatchObject({ adopted: false });
    });

    it('a price in a currency other than the company\'s is refused for good', async () => {
      const f = await failureOf(acts().erpCreateItem({ ...input(`CUR-${uniq()}`), price: { amount: 5, currency_code: 'usd' } }));
      expect(f).toMatchObject({ nonRetryable: true, type: 'TrytonCurrencyMismatch' });
    });
  });

  describe('change feed', () => {
    // Reads to the end of the feed from `cursor`: what a poller does on each tick.
    const drain = async (cursor: string | null, limit = 500): Promise<{ cursor: string; changes: Array<Change<ErpItem>> }> => {
      const changes: Array<Change<ErpItem>> = [];
      let page: ChangePage<Change<ErpItem>>;
      do {
        page = await erp.itemChangesSince(cursor, limit);
        changes.push(...page.changes);
        cursor = page.cursor;
      } while (page.more);
      return { cursor: page.cursor, changes };
    };
    const changesOf = async (from: string, id: string) =>
      eventually(
        `a change of item ${id} after ${from}`,
        () => drain(from),
        (r) => r.changes.some((c) => c.record.id === id),
      );

    it("tells the hub's own writes from another Tryton user's", async () => {
      const { cursor: start } = await drain(null);
      const sku = `FEED-${uniq()}`;
      const { itemId } = await acts().erpCreateItem(input(sku));

      const created = await changesOf(start, itemId);
      expect(created.changes.filter((c) => c.record.id === itemId)).toEqual([{ record: expect.objectContaining({ sku }), byHub: true }]);

      // A person changes the price in a Tryton client.
      const admin = trytonAdmin('erp');
      const [row] = await erp.rpc.model('product.product').read(z.object({ template: z.number().int() }), [Number(itemId)], ['template']);
      await admin.model('product.template').write([row!.template], { list_price: decimal('24.50') });
      const repriced = await changesOf(created.cursor, itemId);
      const theirs = repriced.changes.filter((c) => c.record.id === itemId);
      expect(theirs).toEqual([{ record: expect.objectContaining({ price: { amount: 2450, currency_code: 'eur' } }), byHub: false }]);
      expect(theirs[0]!.record.version).toBeGreaterThan(created.changes.find((c) => c.record.id === itemId)!.record.version);

      await erp.updateItem(itemId, { name: 'Renamed by the hub' });
      const renamed = await changesOf(repriced.cursor, itemId);
      expect(renamed.changes.filter((c) => c.record.id === itemId)).toEqual([{ record: expect.objectContaining({ name: 'Renamed by the hub' }), byHub: true }]);
    });

    it("a person's change followed by the hub's before a poll is not taken for an echo", async () => {
      const { cursor: start } = await drain(null);
      const sku = `MIX-${uniq()}`;
      const { itemId } = await acts().erpCreateItem(input(sku));
      const [row] = await erp.rpc.model('product.product').read(z.object({ template: z.number().int() }), [Number(itemId)], ['template']);
      await trytonAdmin('erp').model('product.template').write([row!.template], { list_price: decimal('30.00') });
      await erp.updateItem(itemId, { name: 'Hub rename after theirs' });
      const seen = await eventually(
        `the rename of ${itemId}`,
        () => drain(start),
        (r) => r.changes.some((c) => c.record.id === itemId && c.record.name === 'Hub rename after theirs'),
      );
      expect(seen.changes.filter((c) => c.record.id === itemId)).toEqual([
        { record: expect.objectContaining({ name: 'Hub rename after theirs', price: { amount: 3000, currency_code: 'eur' } }), byHub: false },
      ]);
    });

    it('pages of one batched create (one timestamp) neither skip nor repeat, and a page asked again is the same', async () => {
      const { cursor: start } = await drain(null);
      const base = uniq();
      const made = await erp.createItems(
        Array.from({ length: 7 }, (_, i) => ({ input: { sku: `PAGE-${base}-${i}`, name: `Page ${i}`, price: null }, opts: { idempotencyKey: `page-${base}-${i}` } })),
      );
      const ids = made.map((r) => (r.outcome === 'created' ? r.record.id : ''));
      expect(ids.every(Boolean)).toBe(true);
      // All of them carry the stamp of one transaction.
      const all = await eventually(
        'the batch in the feed',
        () => drain(start),
        (r) => ids.every((id) => r.changes.some((c) => c.record.id === id)),
      );
      expect(new Set(all.changes.filter((c) => ids.includes(c.record.id)).map((c) => c.record.version)).size).toBe(1);

      const cursors: string[] = [];
      const paged: string[] = [];
      let cursor = start;
      for (;;) {
        const page = await erp.itemChangesSince(cursor, 2);
        expect(page.changes.length).toBeLessThanOrEqual(2);
        paged.push(...page.changes.map((c) => c.record.id));
        cursors.push(page.cursor);
        if (!page.more) break;
        // A poll that died after this page asks again from the cursor it kept: the same page.
        const again = await erp.itemChangesSince(cursor, 2);
        expect(again.changes.map((c) => c.record.id)).toEqual(page.changes.map((c) => c.record.id));
        cursor = page.cursor;
      }
      expect(paged.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
      expect(new Set(paged).size).toBe(paged.length);
    });
  });
});
