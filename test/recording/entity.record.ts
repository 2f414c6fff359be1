import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../../src/workflows/task-queues';
import { syncNewProductWorkflowId } from '../../src/workflows/products/sync-new-product';
import { createMedusaProduct, medusaSdk, temporalClient, uniq, waitForRun } from '../support/systems';

/**
 * Recording scenarios (scripts/record-histories.sh), not part of the suite: entity runs to their
 * quiet ends, which the entity suite leaves open. Written against what every recorded commit has
 * (workflow types by name, the oldest test helpers), so it runs on old checkouts too.
 */
let client: Client;
beforeAll(async () => {
  client = await temporalClient();
});
afterAll(async () => {
  await client.connection.close();
});

/** Under an id of its own: the product's own `product/<id>` may already be running for its echoes. */
async function entityRun(productId: string, change: unknown): Promise<unknown> {
  const handle = await client.workflow.signalWithStart('productEntity', {
    workflowId: `recording-entity/${uniq()}`,
    taskQueue: TASK_QUEUES.workflows,
    args: [{ productId, idleTimeoutMs: 1_000, debounceMs: 10 }],
    signal: 'productChange',
    signalArgs: [change],
  });
  return handle.result();
}

test('an entity applies a CMS change and ends idle', async () => {
  const u = uniq();
  const productId = await createMedusaProduct(medusaSdk(), { title: `Idle ${u}`, skus: [`IDLE-${u}`] });
  await (await waitForRun(client, syncNewProductWorkflowId(productId))).result();
  expect(await entityRun(productId, { messageId: `rec-${u}`, source: 'cms', fields: { subtitle: `Idle ${u}` } })).toMatchObject({ ended: 'idle' });
});

test('an entity for a product Medusa no longer has ends gone', async () => {
  expect(await entityRun(`prod_gone_${uniq()}`, { messageId: `rec-${uniq()}`, source: 'medusa', kind: 'updated' })).toMatchObject({ ended: 'gone' });
});
