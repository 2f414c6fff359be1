import { startErpSimulator } from '../../simulators/erp/server';
import type { RunningSimulator } from '../../simulators/core/server';
import { API_KEY, control } from '../../simulators/core/test-support';
import { failureOf, simulatorPerTest } from '../../../test/support/simulators';
import { HTTP_CLIENT_ERROR, HTTP_RATE_LIMITED, HTTP_SERVER_ERROR } from '../http';
import { ErpRestClient } from '../rest/erp';
import { createErpActivities, ERP_SKU_OWNED_ELSEWHERE, type ErpActivities } from './products';

describe('ERP product activities', () => {
  let sim: RunningSimulator;
  let client: ErpRestClient;
  let acts: ErpActivities;

  const create = (sku: string, externalRef: string, idempotencyKey = `create-${sku}-${externalRef}`) =>
    acts.erpCreateItem({ idempotencyKey, sku, name: `Product ${sku}`, price: { amount: 25, currency_code: 'eur' }, externalRef, origin: 'hub' });

  simulatorPerTest(startErpSimulator, (started) => {
    sim = started;
    client = new ErpRestClient({ baseUrl: started.url, apiKey: API_KEY });
    acts = createErpActivities(client);
  });

  it('creates an item and the undo deletes it', async () => {
    const { itemId } = await create('SKU-1', 'variant_1');
    // 25 EUR in Medusa's major units is 2500 cents in the ERP.
    expect(await client.getItem(itemId)).toMatchObject({ sku: 'SKU-1', external_ref: 'variant_1', price: { amount: 2500, currency_code: 'eur' } });
    expect(await acts.erpDeleteItem({ sku: 'SKU-1', externalRef: 'variant_1' })).toEqual({ deleted: true });
    expect(await client.getItem(itemId)).toBeNull();
  });

  it('undo of a create that never happened is done', async () => {
    expect(await acts.erpDeleteItem({ sku: 'NEVER', externalRef: 'variant_x' })).toEqual({ deleted: false, skipped: 'not_found' });
  });

  it('undo after a lost create response deletes the orphan', async () => {
    await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/items', mode: 'fail_after_commit', times: 1 });
    const lost = await failureOf(create('SKU-2', 'variant_2'));
    expect(lost.nonRetryable).toBe(false);
    expect(await client.findItemBySku('SKU-2')).not.toBeNull();

    expect(await acts.erpDeleteItem({ sku: 'SKU-2', externalRef: 'variant_2' })).toEqual({ deleted: true });
    expect(await client.findItemBySku('SKU-2')).toBeNull();
  });

  it('retrying a create after a lost response returns the same item', async () => {
    await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/items', mode: 'fail_after_commit', times: 1 });
    await failureOf(create('SKU-3', 'variant_3', 'key-a'));
    const sameKey = await create('SKU-3', 'variant_3', 'key-a');
    const otherKey = await create('SKU-3', 'variant_3', 'key-b');
    expect(sameKey.adopted).toBe(false);
    // Another key (another step) finds the record the first one made: the same item, adopted.
    expect(otherKey).toEqual({ itemId: sameKey.itemId, adopted: true });
    expect((await client.listItems({ sku: 'SKU-3' })).data).toHaveLength(1);
  });

  it('refuses for good when the SKU belongs to another external_ref, and the undo leaves that item alone', async () => {
    const { itemId } = await create('SKU-4', 'variant_owner');
    const failure = await failureOf(create('SKU-4', 'variant_intruder'));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(ERP_SKU_OWNED_ELSEWHERE);

    expect(await acts.erpDeleteItem({ sku: 'SKU-4', externalRef: 'variant_intruder' })).toEqual({
      deleted: false,
      skipped: 'external_ref_mismatch',
    });
    expect(await client.getItem(itemId)).not.toBeNull();
  });

  describe('the undo removes only what its create made (issue 9)', () => {
    it('a create that finds an item already carrying our external_ref adopts it, and its undo leaves it', async () => {
      // Made before the run, e.g. by `hub backfill --from erp`: our external_ref, another key.
      const before = await client.createItem({ sku: 'SKU-9', name: 'Master item', price: null, external_ref: 'variant_9' }, { idempotencyKey: 'import-9' });
      if (before.outcome !== 'created') throw new Error('setup failed');
      const result = await create('SKU-9', 'variant_9', 'run/erp-item/SKU-9');
      expect(result).toEqual({ itemId: before.record.id, adopted: true });
      expect(await acts.erpDeleteItem({ sku: 'SKU-9', externalRef: 'variant_9', idempotencyKey: 'run/erp-item/SKU-9', created: { id: result.itemId, adopted: true } })).toEqual({
        deleted: false,
        skipped: 'adopted',
      });
      // Outcome unknown (the create timed out, say): the item was not made under the step's key.
      expect(await acts.erpDeleteItem({ sku: 'SKU-9', externalRef: 'variant_9', idempotencyKey: 'run/erp-item/SKU-9' })).toEqual({
        deleted: false,
        skipped: 'not_created_by_step',
      });
      expect(await client.getItem(before.record.id)).not.toBeNull();
    });

    it('with the outcome unknown, the undo deletes the item its create committed under the step key', async () => {
      await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/items', mode: 'fail_after_commit', times: 1 });
      await failureOf(create('SKU-10', 'variant_10', 'run/erp-item/SKU-10'));
      const orphan = await client.findItemBySku('SKU-10');
      expect(orphan?.creation_key).toBe('run/erp-item/SKU-10');
      expect(await acts.erpDeleteItem({ sku: 'SKU-10', externalRef: 'variant_10', idempotencyKey: 'run/erp-item/SKU-10' })).toEqual({ deleted: true });
      expect(await client.findItemBySku('SKU-10')).toBeNull();
    });

    it('a created outcome deletes exactly the item the create returned', async () => {
      const result = await create('SKU-11', 'variant_11', 'run/erp-item/SKU-11');
      expect(result.adopted).toBe(false);
      expect(await acts.erpDeleteItem({ sku: 'SKU-11', externalRef: 'variant_11', idempotencyKey: 'run/erp-item/SKU-11', created: { id: result.itemId, adopted: false } })).toEqual({
        deleted: true,
      });
    });
  });

  describe('error classification', () => {
    it('400 is a non-retryable client error', async () => {
      await control(sim.url, 'POST', '/faults', { path: '/v1/items', mode: 'fail_before', status: 400 });
      const f = await failureOf(create('SKU-5', 'variant_5'));
      expect(f).toMatchObject({ nonRetryable: true, type: HTTP_CLIENT_ERROR });
    });

    it('503 is a retryable server error', async () => {
      await control(sim.url, 'POST', '/faults', { path: '/v1/items', mode: 'fail_before', status: 503 });
      const f = await failureOf(acts.erpDeleteItem({ sku: 'SKU-6', externalRef: 'variant_6' }));
      expect(f).toMatchObject({ nonRetryable: false, type: HTTP_SERVER_ERROR });
    });

    it('429 is retryable after the Retry-After the system sent', async () => {
      await control(sim.url, 'POST', '/faults', { path: '/v1/items', mode: 'fail_before', status: 429, retry_after: 7 });
      const f = await failureOf(create('SKU-7', 'variant_7'));
      expect(f).toMatchObject({ nonRetryable: false, type: HTTP_RATE_LIMITED, nextRetryDelay: 7000 });
    });

    it('a wrong API key is a non-retryable client error', async () => {
      const wrong = createErpActivities(new ErpRestClient({ baseUrl: sim.url, apiKey: 'wrong' }));
      const f = await failureOf(wrong.erpDeleteItem({ sku: 'SKU-8', externalRef: 'variant_8' }));
      expect(f).toMatchObject({ nonRetryable: true, type: HTTP_CLIENT_ERROR });
    });
  });
});
