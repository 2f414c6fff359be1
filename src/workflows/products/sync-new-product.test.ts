import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { requireEnv } from '../../../test/support/env';
import { testFinishedRunsReplay } from '../../../test/support/replay';
import {
  activeFaults,
  clearFaults,
  cmsEntriesFor,
  createMedusaProduct,
  injectFault,
  simulatorRecordsBySku,
  uniq,
  runError,
  useSuiteConnections,
  waitForIdleHub,
  waitForRun,
} from '../../../test/support/systems';
import { ROLLED_BACK } from '../saga';
import { METADATA_KEYS, syncNewProductWorkflowId, type SyncNewProductResult } from './sync-new-product';

/**
 * The spine, end to end on real parts: a product created in Medusa → the subscriber inside
 * Medusa → the bridge → this workflow on the worker → ERP and WMS simulators and Strapi → ids
 * written back to Medusa.
 */
const finishedRuns: string[] = [];

const suite = useSuiteConnections();

async function metadataOf(productId: string): Promise<Record<string, unknown>> {
  const { product } = await suite.sdk.admin.product.retrieve(productId, { fields: 'id,metadata' });
  return (product.metadata ?? {}) as Record<string, unknown>;
}

describe('product.created → ERP, WMS, CMS', () => {
  test('a product created in Medusa reaches every system and carries their ids back', async () => {
    const u = uniq();
    const skus = [`TEE-${u}-S`, `TEE-${u}-M`];
    const productId = await createMedusaProduct(suite.sdk, { title: `Tee ${u}`, skus });

    const handle = await waitForRun(suite.client, syncNewProductWorkflowId(productId));
    const result = (await handle.result()) as SyncNewProductResult;
    finishedRuns.push(handle.workflowId);

    for (const sku of skus) {
      const [erpItem, ...extraErp] = await simulatorRecordsBySku('ERP', sku);
      expect(extraErp).toEqual([]);
      expect(erpItem).toMatchObject({ sku, external_ref: productId, name: expect.stringContaining(`Tee ${u}`) });
      expect(result.erpItemIds[sku]).toBe(erpItem!.id);
      const [wmsSku, ...extraWms] = await simulatorRecordsBySku('WMS', sku);
      expect(extraWms).toEqual([]);
      expect(wmsSku).toMatchObject({ sku, external_ref: productId });
      expect(result.wmsSkuIds[sku]).toBe(wmsSku!.id);
    }
    const cms = await cmsEntriesFor(productId);
    expect(cms).toHaveLength(1);
    expect(cms[0]).toMatchObject({ medusa_id: productId, title: `Tee ${u}`, documentId: result.cmsDocumentId });

    const [small, medium] = skus as [string, string];
    expect(await metadataOf(productId)).toMatchObject({
      // SKU=id pairs in SKU order ("…-M" before "…-S").
      erp_item_ids: `${medium}=${result.erpItemIds[medium]},${small}=${result.erpItemIds[small]}`,
      wms_sku_ids: `${medium}=${result.wmsSkuIds[medium]},${small}=${result.wmsSkuIds[small]}`,
      cms_document_id: result.cmsDocumentId,
    });

    // Findable in the Web UI by product id and SKU.
    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({ MedusaProductId: [productId], Sku: [...skus].sort(), HubFlow: ['product-created'], HubSource: ['medusa'] });
    expect(await description.staticSummary()).toBe(`Product ${productId} → ERP, WMS, CMS`);
  });

  test('the WMS failing permanently rolls back the ERP, leaves the CMS empty and Medusa metadata clean', async () => {
    const u = uniq();
    const sku = `MUG-${u}`;
    // A 422 from the WMS is a permanent refusal: non-retryable, so the saga unwinds at once.
    await waitForIdleHub(suite.client);
    await injectFault('WMS', { method: 'POST', path: '/v1/skus', mode: 'fail_before', status: 422, idempotency_key_contains: `/wms-sku/${sku}` });
    let productId: string;
    try {
      productId = await createMedusaProduct(suite.sdk, { title: `Mug ${u}`, skus: [sku] });
      const handle = await waitForRun(suite.client, syncNewProductWorkflowId(productId));
      const error = await runError(handle);
      finishedRuns.push(handle.workflowId);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(failure.type).toBe(ROLLED_BACK);
      expect(failure.message).toMatch(new RegExp(`^WMS SKU ${sku} failed: WMS POST /v1/skus answered 422.*Rolled back: WMS SKU ${sku}, ERP item ${sku}$`));
    } finally {
      await clearFaults('WMS');
    }
    expect(await simulatorRecordsBySku('ERP', sku)).toEqual([]);
    expect(await simulatorRecordsBySku('WMS', sku)).toEqual([]);
    expect(await cmsEntriesFor(productId)).toEqual([]);
    const metadata = await metadataOf(productId);
    for (const key of METADATA_KEYS) expect(metadata[key] ?? '').toBe('');
  });

  test('the same webhook three times makes one run, and a lost response makes no second record', async () => {
    const u = uniq();
    const sku = `CAP-${u}`;
    // Both simulators commit the first create and then answer 503, as if the response was lost.
    await waitForIdleHub(suite.client);
    await injectFault('ERP', { method: 'POST', path: '/v1/items', mode: 'fail_after_commit', status: 503, times: 1, idempotency_key_contains: `/erp-item/${sku}` });
    await injectFault('WMS', { method: 'POST', path: '/v1/skus', mode: 'fail_after_commit', status: 503, times: 1, idempotency_key_contains: `/wms-sku/${sku}` });
    try {
      const productId = await createMedusaProduct(suite.sdk, { title: `Cap ${u}`, skus: [sku] });
      // Three more deliveries of the same event, besides the subscriber's own.
      const { BRIDGE_URL, WEBHOOK_SECRETS_MEDUSA } = requireEnv('BRIDGE_URL', 'WEBHOOK_SECRETS_MEDUSA');
      const body = JSON.stringify({ type: 'product.created', data: { id: productId } });
      const runIds = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const id = `msg_${randomUUID()}`;
        const now = new Date();
        const res = await fetch(`${BRIDGE_URL}/webhooks/medusa`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': new Webhook(WEBHOOK_SECRETS_MEDUSA.split(',')[0]!).sign(id, now, body),
          },
        });
        expect([200, 202]).toContain(res.status);
        runIds.add(((await res.json()) as { runId: string }).runId);
      }
      expect(runIds.size).toBe(1);
      const handle = await waitForRun(suite.client, syncNewProductWorkflowId(productId));
      await handle.result();
      finishedRuns.push(handle.workflowId);
      // Both lost responses happened (each fault fired its one time), and were retried.
      expect(await activeFaults('ERP')).toEqual([]);
      expect(await activeFaults('WMS')).toEqual([]);
      expect(await simulatorRecordsBySku('ERP', sku)).toHaveLength(1);
      expect(await simulatorRecordsBySku('WMS', sku)).toHaveLength(1);
      expect(await cmsEntriesFor(productId)).toHaveLength(1);
    } finally {
      await clearFaults('ERP');
      await clearFaults('WMS');
    }
  });

  testFinishedRunsReplay(suite, finishedRuns, 3);
});
