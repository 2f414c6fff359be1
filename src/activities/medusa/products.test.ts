import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { HTTP_CLIENT_ERROR, HTTP_UNREACHABLE } from '../http';
import { callMedusa, createMedusaSdk, MEDUSA_REFUSED_ID } from './client';
import { createMedusaActivities, MEDUSA_PRODUCT_NOT_FOUND, type MedusaActivities } from './products';
import { createTestProducts, medusaForTests, type TestMedusa } from '../../../test/support/medusa';

let medusa: TestMedusa;
let sdk: Medusa;
let activities: MedusaActivities;
let productInput: { salesChannelId: string; shippingProfileId: string };

beforeAll(async () => {
  medusa = await medusaForTests();
  sdk = createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: medusa.env.MEDUSA_API_KEY! });
  activities = createMedusaActivities({ sdk });
  productInput = { salesChannelId: medusa.env.MEDUSA_SALES_CHANNEL_ID!, shippingProfileId: medusa.env.MEDUSA_SHIPPING_PROFILE_ID! };
});

afterAll(async () => {
  await medusa?.stop();
});

async function expectFailure(promise: Promise<unknown>, type: string, nonRetryable: boolean): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type, nonRetryable });
}

describe('Medusa product activities', () => {
  it('reads a product snapshot with variants, prices and metadata', async () => {
    const [id] = await createTestProducts(sdk, 1, { ...productInput, metadata: { origin: 'test' } });
    const snapshot = await activities.medusaGetProduct({ productId: id! });
    expect(snapshot).toMatchObject({ id, status: 'published', description: null, metadata: { origin: 'test' } });
    expect(snapshot.handle).toMatch(/^hub-test-/);
    expect(snapshot.variants).toHaveLength(2);
    const bySku = Object.fromEntries(snapshot.variants.map((v) => [v.sku!.slice(-1), v]));
    expect(bySku.S!.prices).toEqual([{ amount: 10, currency_code: 'eur' }]);
    expect(bySku.M!.prices).toEqual([{ amount: 12.5, currency_code: 'eur' }]);
  });

  it('sets metadata keys next to existing ones, and clearing removes exactly those keys', async () => {
    // The running hub syncs this product too and writes its own keys (erp_item_ids, …) at any
    // moment, so the assertions look at this test's keys and the pre-existing one only.
    const [id] = await createTestProducts(sdk, 1, { ...productInput, metadata: { keep: 'yes' } });
    await activities.medusaSetProductMetadata({ productId: id!, values: { erp_id: 'ERP-1', wms_sku: 'WMS-1' } });
    expect((await activities.medusaGetProduct({ productId: id! })).metadata).toMatchObject({ keep: 'yes', erp_id: 'ERP-1', wms_sku: 'WMS-1' });

    await activities.medusaClearProductMetadata({ productId: id!, keys: ['erp_id', 'wms_sku'] });
    // Medusa 2.21 deletes a key written as '' (mergeMetadata); it does not store ''.
    const after = (await activities.medusaGetProduct({ productId: id! })).metadata;
    expect(after).toMatchObject({ keep: 'yes' });
    expect(after).not.toHaveProperty('erp_id');
    expect(after).not.toHaveProperty('wms_sku');

    // An undo may run twice (a lost response): clearing absent keys is fine.
    await activities.medusaClearProductMetadata({ productId: id!, keys: ['erp_id', 'wms_sku'] });
    const again = (await activities.medusaGetProduct({ productId: id! })).metadata;
    expect(again).toMatchObject({ keep: 'yes' });
    expect(again).not.toHaveProperty('erp_id');
  });

  it('sends many concurrent metadata writes in a few batch calls, each product ending with its own values', async () => {
    const ids = await createTestProducts(sdk, 60, productInput);
    const batch = jest.spyOn(sdk.admin.product, 'batch');
    await Promise.all(ids.map((id, i) => activities.medusaSetProductMetadata({ productId: id, values: { erp_id: `ERP-${i}`, n: String(i) } })));
    // 60 writes issued together: one full batch of 50, then the remaining 10.
    expect(batch.mock.calls.length).toBeLessThanOrEqual(3);
    batch.mockRestore();

    const { products } = await sdk.admin.product.list({ id: ids, fields: 'id,metadata', limit: 100 });
    const metadataById = new Map(products.map((p) => [p.id, p.metadata]));
    ids.forEach((id, i) => expect(metadataById.get(id)).toMatchObject({ erp_id: `ERP-${i}`, n: String(i) }));
  });

  it('keeps every writer\'s keys when two workers write metadata to the same products at once', async () => {
    // Medusa merges metadata by read-modify-write without a lock (issue 9, defect 11): two
    // workers, each with its own batcher and its own connection, both writing to 40 products at
    // the same moment, used to drop each other's keys on some of them. (The running hub writes
    // its own keys to these products too, a third writer; the test's keys are its own.)
    const ids = await createTestProducts(sdk, 40, productInput);
    const otherWorker = createMedusaActivities({ sdk: createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: medusa.env.MEDUSA_API_KEY! }) });
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        ids.flatMap((id, i) => [
          activities.medusaSetProductMetadata({ productId: id, values: { test_erp_ids: `S=ERP-${round}-${i}`, test_doc_id: `doc${round}${i}` } }),
          otherWorker.medusaSetProductMetadata({ productId: id, values: { [`admin_note_${round}`]: `note-${i}` } }),
        ]),
      );
    }
    const { products } = await sdk.admin.product.list({ id: ids, fields: 'id,metadata', limit: ids.length });
    const metadataById = new Map(products.map((p) => [p.id, p.metadata]));
    ids.forEach((id, i) =>
      expect({ id, metadata: metadataById.get(id) }).toEqual({
        id,
        metadata: expect.objectContaining({ test_erp_ids: `S=ERP-2-${i}`, test_doc_id: `doc2${i}`, admin_note_0: `note-${i}`, admin_note_1: `note-${i}`, admin_note_2: `note-${i}` }),
      }),
    );
  });

  it('fails only the read and write of an id Medusa refuses, not the ones batched with it', async () => {
    // A NUL in an id makes Medusa's database refuse the whole list call (a 500): every run whose
    // read shared that batch used to fail and retry with it (issue 9, defect 10).
    const ids = await createTestProducts(sdk, 6, productInput);
    const bad = `${ids[0]}\u0000x`;
    const list = jest.spyOn(sdk.admin.product, 'list');
    const reads = await Promise.allSettled([...ids, bad].map((productId) => activities.medusaGetProduct({ productId })));
    // All seven went out together first: the split is what kept the six apart from the bad one.
    expect(list.mock.calls[0]?.[0]).toMatchObject({ id: [...ids, bad] });
    list.mockRestore();
    expect(reads.slice(0, 6).map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason))).toEqual(ids);
    expect(reads[6]).toMatchObject({ status: 'rejected', reason: { type: MEDUSA_REFUSED_ID, nonRetryable: true } });

    // The same for metadata writes: the odd run's undo shares a batch with the others' writes.
    const writes = await Promise.allSettled([
      ...ids.map((productId, i) => activities.medusaSetProductMetadata({ productId, values: { test_erp_ids: `S=ERP-${i}` } })),
      activities.medusaClearProductMetadata({ productId: bad, keys: ['test_erp_ids'] }),
    ]);
    expect(writes.slice(0, 6).map((w) => w.status)).toEqual(Array(6).fill('fulfilled'));
    expect(writes[6]).toMatchObject({ status: 'rejected', reason: { type: MEDUSA_REFUSED_ID, nonRetryable: true } });
    const { products } = await sdk.admin.product.list({ id: ids, fields: 'id,metadata', limit: ids.length });
    expect(new Map(products.map((p) => [p.id, p.metadata?.test_erp_ids]))).toEqual(new Map(ids.map((id, i) => [id, `S=ERP-${i}`])));
  });

  it('fails with a non-retryable MedusaProductNotFound for a missing or deleted product', async () => {
    await expectFailure(activities.medusaGetProduct({ productId: 'prod_00000000000000000000000000' }), MEDUSA_PRODUCT_NOT_FOUND, true);

    const [deleted, kept] = await createTestProducts(sdk, 2, productInput);
    await sdk.admin.product.delete(deleted!);
    await expectFailure(activities.medusaGetProduct({ productId: deleted! }), MEDUSA_PRODUCT_NOT_FOUND, true);

    // In one batch with a missing product, the existing product's write still goes through.
    const [setMissing, setKept, clearMissing] = await Promise.allSettled([
      activities.medusaSetProductMetadata({ productId: deleted!, values: { erp_id: 'x' } }),
      activities.medusaSetProductMetadata({ productId: kept!, values: { erp_id: 'ERP-kept' } }),
      activities.medusaClearProductMetadata({ productId: deleted!, keys: ['erp_id'] }),
    ]);
    expect(setMissing).toMatchObject({ status: 'rejected', reason: { type: MEDUSA_PRODUCT_NOT_FOUND, nonRetryable: true } });
    expect(setKept.status).toBe('fulfilled');
    // The undo tolerates a product that is gone.
    expect(clearMissing.status).toBe('fulfilled');
    expect((await activities.medusaGetProduct({ productId: kept! })).metadata).toMatchObject({ erp_id: 'ERP-kept' });
  });

  it('classifies auth failures as non-retryable and an unreachable Medusa as retryable', async () => {
    const badKey = createMedusaSdk({ baseUrl: medusa.env.MEDUSA_BACKEND_URL!, apiKey: 'sk_not_a_key' });
    await expectFailure(callMedusa({ method: 'GET', path: '/admin/products' }, () => badKey.admin.product.list({ limit: 1 })), HTTP_CLIENT_ERROR, true);

    // Port 9 (discard) is closed here: the connection is refused.
    const nowhere = createMedusaSdk({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_x' });
    await expectFailure(callMedusa({ method: 'GET', path: '/admin/products' }, () => nowhere.admin.product.list({ limit: 1 })), HTTP_UNREACHABLE, false);
  });
});
