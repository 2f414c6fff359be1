import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { testFinishedRunsReplay } from '../../../test/support/replay';
import {
  activeFaults,
  clearFaults,
  cmsEntriesFor,
  createMedusaProduct,
  eventually,
  injectFault,
  simulatorRecordsBySku,
  simulatorWrite,
  uniq,
  runError,
  useSuiteConnections,
  waitForIdleHub,
  waitForRun,
} from '../../../test/support/systems';
import { PENDING_IMPORT_REF_PREFIX } from '../../activities/records/sku-records';
import { ROLLED_BACK } from '../saga';
import { syncNewProductWorkflowId } from './sync-new-product';

/**
 * Issue 9, defects 2 and 3, end to end: a rollback undoes only what the run did (a record it
 * adopted stays), and a cancel never lets an undo overtake the call it undoes.
 */
const finishedRuns: string[] = [];

const suite = useSuiteConnections();

async function outcomeOf(workflowId: string): Promise<unknown> {
  const handle = await waitForRun(suite.client, workflowId);
  const error = await runError(handle);
  finishedRuns.push(workflowId);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as WorkflowFailedError).cause;
}

describe('product-created undo: only what the run did', () => {
  test('a WMS failure rolls back what the run made and leaves the ERP items it adopted', async () => {
    const u = uniq();
    const [adoptedA, adoptedB] = [`MASTER-${u}-A`, `MASTER-${u}-B`];
    // ERP master items that exist before the hub sees the product, as `hub backfill --from erp`
    // leaves them: created with a pending import ref, then linked to the new Medusa product.
    const items = await Promise.all(
      [adoptedA, adoptedB].map((sku) =>
        simulatorWrite<{ id: string }>('ERP', 'POST', '/v1/items', { sku, name: `Master ${sku}`, external_ref: `${PENDING_IMPORT_REF_PREFIX}test-${u}` }),
      ),
    );
    // The WMS then fails for good on the second SKU: another system's record already holds it.
    await simulatorWrite('WMS', 'POST', '/v1/skus', { sku: adoptedB, description: 'not the hub', external_ref: `elsewhere-${u}` });
    const productId = await createMedusaProduct(suite.sdk, { title: `Master ${u}`, skus: [adoptedA, adoptedB] });
    for (const item of items) await simulatorWrite('ERP', 'PATCH', `/v1/items/${item.id}`, { external_ref: productId });

    const failure = (await outcomeOf(syncNewProductWorkflowId(productId))) as ApplicationFailure;
    expect(failure.type).toBe(ROLLED_BACK);
    expect(failure.message).toContain(`WMS SKU ${adoptedB} failed`);

    // The master items are still there, unchanged in identity and link.
    expect(await simulatorRecordsBySku('ERP', adoptedA)).toEqual([expect.objectContaining({ id: items[0]!.id, external_ref: productId })]);
    expect(await simulatorRecordsBySku('ERP', adoptedB)).toEqual([expect.objectContaining({ id: items[1]!.id, external_ref: productId })]);
    // What the run made is gone; what another system made stays.
    expect(await simulatorRecordsBySku('WMS', adoptedA)).toEqual([]);
    expect(await simulatorRecordsBySku('WMS', adoptedB)).toEqual([expect.objectContaining({ external_ref: `elsewhere-${u}` })]);
    expect(await cmsEntriesFor(productId)).toEqual([]);
  });
});

describe('product-created cancel: no undo overtakes its do', () => {
  test('cancelling a run while its ERP create is slow leaves no orphan anywhere', async () => {
    const u = uniq();
    const sku = `SLOW-${u}`;
    // Other suites' runs must not take the one slow response meant for this product.
    await waitForIdleHub(suite.client);
    // The create waits 3 s in the ERP before it commits: long enough that, before the fix, the
    // cancelled run's undo looked for the item, found none, and the create then left an orphan.
    await injectFault('ERP', { method: 'POST', path: '/v1/items', mode: 'delay', delay_ms: 3_000, times: 1, idempotency_key_contains: `/erp-item/${sku}` });
    let productId: string;
    try {
      productId = await createMedusaProduct(suite.sdk, { title: `Slow ${u}`, skus: [sku] });
      const workflowId = syncNewProductWorkflowId(productId);
      const handle = await waitForRun(suite.client, workflowId);
      // The fault is used up once the create reached the ERP: the call is in flight.
      await eventually('the slow ERP create to be in flight', () => activeFaults('ERP'), (faults) => faults.length === 0);
      await handle.cancel();
      expect(await outcomeOf(workflowId)).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
    } finally {
      await clearFaults('ERP');
    }
    expect(await simulatorRecordsBySku('ERP', sku)).toEqual([]);
    expect(await simulatorRecordsBySku('WMS', sku)).toEqual([]);
    expect(await cmsEntriesFor(productId)).toEqual([]);
  });

  testFinishedRunsReplay(suite, finishedRuns, 2);
});
