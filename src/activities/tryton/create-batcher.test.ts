import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy';
import { uniq } from '../../../test/support/systems';
import { trytonConnection } from '../../../test/support/tryton';
import { TrytonErp } from './erp';
import { TrytonRpc } from './rpc';
import { TrytonWms } from './wms';

/**
 * Concurrent creates (a burst of product-created runs in one worker) go to Tryton as one call,
 * and each caller still gets the answer it would have got alone: a taken SKU answers its own
 * conflict, a lost answer of the batch leaves each item created exactly once.
 */
describe('creates gathered into one Tryton call', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(trytonConnection('wms').url);
  });
  afterAll(() => proxy.close());
  beforeEach(() => proxy.reset());

  const calls = (rpcMethod: string) => proxy.requests().filter((r) => r.rpcMethod === rpcMethod).length;

  test('WMS: ten concurrent creates make one template create; a SKU already taken answers sku_conflict alone', async () => {
    const wms = new TrytonWms(new TrytonRpc(trytonConnection('wms', { url: proxy.url })), { warehouse: process.env.TRYTON_WAREHOUSE ?? 'WH' });
    const u = uniq();
    const taken = await wms.createSku({ sku: `B-${u}-0`, description: 'someone else', external_ref: 'variant_other' }, { idempotencyKey: `other-${u}` });
    expect(taken.outcome).toBe('created');
    proxy.reset();

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => wms.createSku({ sku: `B-${u}-${i}`, description: `SKU ${i}`, external_ref: `variant_${i}` }, { idempotencyKey: `batch-${u}-${i}` })),
    );
    expect(results[0]).toMatchObject({ outcome: 'conflict', code: 'sku_conflict' });
    expect(results.slice(1).map((r) => r.outcome)).toEqual(Array(9).fill('created'));
    expect(calls('model.product.template.create')).toBe(1);
  });

  test('ERP: a batch whose answer is lost is tried item by item, and each item exists once', async () => {
    const erp = new TrytonErp(new TrytonRpc(trytonConnection('erp', { url: proxy.url })), { webShop: process.env.TRYTON_WEB_SHOP ?? 'Medusa', customer: 'Medusa customer' });
    const u = uniq();
    proxy.arm({ mode: 'drop_response', rpcMethod: 'model.product.template.create' });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => erp.createItem({ sku: `BE-${u}-${i}`, name: `Item ${i}`, external_ref: `variant_${i}` }, { idempotencyKey: `batch-${u}-${i}` })),
    );
    // The lost batch had committed: each item is found with its own key, so it reads as created.
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('created'));
    for (let i = 0; i < 5; i++) expect(await erp.findItemBySku(`BE-${u}-${i}`)).toMatchObject({ creation_key: `batch-${u}-${i}` });
  });
});
