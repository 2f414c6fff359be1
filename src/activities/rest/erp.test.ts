import { startErpSimulator } from '../../simulators/erp/server';
import { API_KEY } from '../../simulators/core/test-support';
import { HTTP_RATE_LIMITED } from '../http';
import { simulatorPerTest } from '../../../test/support/simulators';
import { ErpRestClient } from './erp';

// The ERP domain rules, exercised through the typed client the activities use.
describe('ErpRestClient against the ERP simulator', () => {
  let erp: ErpRestClient;
  let n = 0;
  const key = () => `test-key-${++n}`;

  simulatorPerTest(startErpSimulator, (sim) => {
    erp = new ErpRestClient({ baseUrl: sim.url, apiKey: API_KEY });
  });

  it('updates items with version checks and SKU uniqueness', async () => {
    const a = await erp.createItem({ sku: 'A', name: 'A', external_ref: 'v_a' }, { idempotencyKey: key() });
    const b = await erp.createItem({ sku: 'B', name: 'B' }, { idempotencyKey: key() });
    if (a.outcome !== 'created' || b.outcome !== 'created') throw new Error('setup failed');
    expect(a.record).toMatchObject({ price: null, status: 'active', version: 1 });

    const updated = await erp.updateItem(a.record.id, { name: 'A2', status: 'inactive', expected_version: 1 }, { idempotencyKey: key() });
    expect(updated).toMatchObject({ name: 'A2', status: 'inactive', version: 2 });
    await expect(erp.updateItem(a.record.id, { name: 'A3', expected_version: 1 }, { idempotencyKey: key() })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('version_conflict'),
    });
    await expect(erp.updateItem(a.record.id, { sku: 'B' }, { idempotencyKey: key() })).rejects.toMatchObject({
      message: expect.stringContaining('sku_conflict'),
    });

    expect((await erp.listItems({ external_ref: 'v_a' })).data.map((i) => i.id)).toEqual([a.record.id]);
    expect((await erp.listItems({ updated_since: updated.updated_at })).data.map((i) => i.id)).toEqual([a.record.id]);
    expect(await erp.deleteItem(b.record.id, { idempotencyKey: key() })).toBe(true);
    expect(await erp.deleteItem(b.record.id, { idempotencyKey: key() })).toBe(false);
  });

  it('keeps sales orders unique by external_ref and enforces status transitions', async () => {
    const created = await erp.createSalesOrder(
      { external_ref: 'order_1', currency_code: 'EUR', lines: [{ sku: 'A', quantity: 2, unit_price: 1250 }] },
      { idempotencyKey: key() },
    );
    if (created.outcome !== 'created') throw new Error('setup failed');
    expect(created.record).toMatchObject({ status: 'open', total: 2500, currency_code: 'eur' });
    const dup = await erp.createSalesOrder(
      { external_ref: 'order_1', currency_code: 'eur', lines: [{ sku: 'B', quantity: 1, unit_price: 1 }] },
      { idempotencyKey: key() },
    );
    expect(dup).toMatchObject({ outcome: 'conflict', code: 'external_ref_conflict' });

    expect(await erp.findSalesOrderByExternalRef('order_1')).toMatchObject({ id: created.record.id });
    expect(await erp.updateSalesOrderStatus(created.record.id, 'shipped', { idempotencyKey: key() })).toMatchObject({ status: 'shipped', version: 2 });
    await expect(erp.updateSalesOrderStatus(created.record.id, 'canceled', { idempotencyKey: key() })).rejects.toMatchObject({
      message: expect.stringContaining('invalid_transition'),
    });
    expect((await erp.listSalesOrders({ status: 'shipped' })).data).toHaveLength(1);
    expect(await erp.deleteSalesOrder(created.record.id, { idempotencyKey: key() })).toBe(true);
    expect(await erp.getSalesOrder(created.record.id)).toBeNull();
  });
});

// The pacing a deployment sets with ERP_MAX_REQUESTS_PER_SECOND, against an ERP that enforces
// 5 requests/s with a burst of 5 and answers 429 beyond that.
describe('ErpRestClient paced below the ERP rate limit', () => {
  let url: string;
  simulatorPerTest(
    startErpSimulator,
    (sim) => {
      url = sim.url;
    },
    () => ({ rateLimit: { perSecond: 5, burst: 5 } }),
  );

  const lookUps = (erp: ErpRestClient) => Promise.allSettled(Array.from({ length: 12 }, (_, i) => erp.findItemBySku(`SKU-${i}`)));

  it('is never refused where the same burst unpaced is', async () => {
    const paced = await lookUps(new ErpRestClient({ baseUrl: url, apiKey: API_KEY, maxRequestsPerSecond: 4 }));
    expect(paced.filter((r) => r.status === 'rejected')).toEqual([]);

    const unpaced = await lookUps(new ErpRestClient({ baseUrl: url, apiKey: API_KEY }));
    const refused = unpaced.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toMatchObject({ type: HTTP_RATE_LIMITED });
  });
});
