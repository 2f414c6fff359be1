import { startWmsSimulator } from '../../simulators/wms/server';
import type { RunningSimulator } from '../../simulators/core/server';
import { API_KEY, control } from '../../simulators/core/test-support';
import { failureOf, simulatorPerTest } from '../../../test/support/simulators';
import { HTTP_CLIENT_ERROR, HTTP_RATE_LIMITED, HTTP_SERVER_ERROR } from '../http';
import { WmsRestClient } from '../rest/wms';
import { createWmsActivities, WMS_SKU_OWNED_ELSEWHERE, type WmsActivities } from './products';

describe('WMS product activities', () => {
  let sim: RunningSimulator;
  let client: WmsRestClient;
  let acts: WmsActivities;

  const create = (sku: string, externalRef: string, idempotencyKey = `create-${sku}-${externalRef}`) =>
    acts.wmsCreateSku({ idempotencyKey, sku, description: `Product ${sku}`, externalRef });

  simulatorPerTest(startWmsSimulator, (started) => {
    sim = started;
    client = new WmsRestClient({ baseUrl: started.url, apiKey: API_KEY });
    acts = createWmsActivities(client);
  });

  it('creates a SKU and the undo deletes it', async () => {
    const { skuId } = await create('SKU-1', 'variant_1');
    expect(await client.getSku(skuId)).toMatchObject({ sku: 'SKU-1', external_ref: 'variant_1' });
    expect(await acts.wmsDeleteSku({ sku: 'SKU-1', externalRef: 'variant_1' })).toEqual({ deleted: true });
    expect(await client.getSku(skuId)).toBeNull();
  });

  it('undo of a create that never happened is done', async () => {
    expect(await acts.wmsDeleteSku({ sku: 'NEVER', externalRef: 'variant_x' })).toEqual({ deleted: false, skipped: 'not_found' });
  });

  it('undo after a lost create response deletes the orphan', async () => {
    await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/skus', mode: 'fail_after_commit', times: 1 });
    expect((await failureOf(create('SKU-2', 'variant_2'))).nonRetryable).toBe(false);
    expect(await client.findSkuBySku('SKU-2')).not.toBeNull();
    expect(await acts.wmsDeleteSku({ sku: 'SKU-2', externalRef: 'variant_2' })).toEqual({ deleted: true });
    expect(await client.findSkuBySku('SKU-2')).toBeNull();
  });

  it('treats a conflict with our own external_ref as success, with any idempotency key', async () => {
    const first = await create('SKU-3', 'variant_3', 'key-a');
    // Another key (another step) did not make it: the same SKU record, adopted.
    expect(await create('SKU-3', 'variant_3', 'key-b')).toEqual({ ...first, adopted: true });
  });

  it('refuses for good when the SKU belongs to another external_ref, and the undo leaves it alone', async () => {
    const { skuId } = await create('SKU-4', 'variant_owner');
    const failure = await failureOf(create('SKU-4', 'variant_intruder'));
    expect(failure).toMatchObject({ nonRetryable: true, type: WMS_SKU_OWNED_ELSEWHERE });
    expect(await acts.wmsDeleteSku({ sku: 'SKU-4', externalRef: 'variant_intruder' })).toEqual({
      deleted: false,
      skipped: 'external_ref_mismatch',
    });
    expect(await client.getSku(skuId)).not.toBeNull();
  });

  it('classifies 400, 503 and 429 like every adapter', async () => {
    const { body: fault } = await control<{ id: string }>(sim.url, 'POST', '/faults', { path: '/v1/skus', mode: 'fail_before', status: 400, times: 1 });
    expect(fault.id).toBeDefined();
    expect(await failureOf(create('SKU-5', 'v'))).toMatchObject({ nonRetryable: true, type: HTTP_CLIENT_ERROR });
    await control(sim.url, 'POST', '/faults', { path: '/v1/skus', mode: 'fail_before', status: 503, times: 1 });
    expect(await failureOf(create('SKU-5', 'v'))).toMatchObject({ nonRetryable: false, type: HTTP_SERVER_ERROR });
    await control(sim.url, 'POST', '/faults', { path: '/v1/skus', mode: 'fail_before', status: 429, retry_after: 2, times: 1 });
    expect(await failureOf(create('SKU-5', 'v'))).toMatchObject({ nonRetryable: false, type: HTTP_RATE_LIMITED, nextRetryDelay: 2000 });
    expect(await create('SKU-5', 'v')).toEqual({ skuId: expect.stringMatching(/^wsku_/), adopted: false });
  });
});
