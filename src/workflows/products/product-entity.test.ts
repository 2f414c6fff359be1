import { WorkflowNotFoundError } from '@temporalio/client';
import {
  cmsEntriesFor,
  cmsUpdateEntry,
  createMedusaProduct,
  eventually,
  postSignedWebhook,
  simulatorRecordsBySku,
  simulatorWrite,
  uniq,
  useSuiteConnections,
  waitForRun,
} from '../../../test/support/systems';
import {
  initialEntityState,
  productChangeSignal,
  productEntity,
  productEntityQuery,
  productEntityWorkflowId,
  type ProductEntityResult,
  type ProductEntityView,
} from './product-entity';
import { syncNewProductWorkflowId } from './sync-new-product';
import { syncedMarker, SYNCED_MARKER_KEY } from './synced-marker';
import { TASK_QUEUES } from '../task-queues';

/**
 * The product entity on real parts: changes made in the ERP simulator, in Strapi and in Medusa
 * travel as those systems' own webhooks through the bridge to `product/<id>`, which writes each
 * field from its owner to the others. "Exactly one write" is counted three ways: the entity's
 * own write counters, the ERP item's version (it grows by one per PATCH) and the CMS entry's
 * updatedAt.
 */

const suite = useSuiteConnections();

interface ErpItem {
  id: string;
  sku: string;
  name: string;
  version: number;
  status: string;
  price: { amount: number; currency_code: string } | null;
}

const erpItem = async (sku: string): Promise<ErpItem> => (await simulatorRecordsBySku('ERP', sku))[0] as unknown as ErpItem;
/** The entity's state; before its first change has started it, an empty one. */
async function view(productId: string): Promise<ProductEntityView> {
  try {
    return await suite.client.workflow.getHandle(productEntityWorkflowId(productId)).query(productEntityQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ...initialEntityState(), productId, pending: 0 };
    throw err;
  }
}

/** A product made in Medusa and synced out by the product-created flow, with its entity settled. */
async function syncedProduct(): Promise<{ productId: string; sku: string; title: string; documentId: string; item: ErpItem }> {
  const u = uniq();
  const sku = `ENT-${u}`;
  const title = `Entity ${u}`;
  const productId = await createMedusaProduct(suite.sdk, { title, skus: [sku] });
  await (await waitForRun(suite.client, syncNewProductWorkflowId(productId))).result();
  // The flow's metadata write-back carries the synced marker, so the product.updated it makes
  // Medusa emit stays in Medusa (hub-forwarder.test.ts): the next change starts the entity.
  const synced = await medusaProduct(productId);
  expect(synced.metadata?.[SYNCED_MARKER_KEY]).toBe(syncedMarker({ title, handle: synced.handle, skus: [sku] }));
  const [entry] = await cmsEntriesFor(productId);
  return { productId, sku, title, documentId: entry!.documentId, item: await erpItem(sku) };
}

async function medusaProduct(productId: string) {
  const { product } = await suite.sdk.admin.product.retrieve(productId, {
    fields: 'id,title,handle,status,description,subtitle,metadata,updated_at,variants.sku,variants.prices.amount,variants.prices.currency_code',
  });
  return product;
}

/** The entity has seen a Medusa event after the one it logged at `index` (our write's echo). */

describe('product entity: changes from each system, each field from its owner, no echo', () => {
  test('ERP price and status → Medusa once; the echo goes nowhere', async () => {
    const p = await syncedProduct();
    const cmsBefore = (await cmsEntriesFor(p.productId))[0] as unknown as { updatedAt: string };

    await simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 4321, currency_code: 'eur' }, status: 'inactive' });

    const applied = await eventually('the ERP change to be applied', () => view(p.productId), (v) => v.log.some((l) => l.source === 'erp' && l.outcome === 'applied'));
    expect(applied.writes).toEqual({ medusa: 1, erp: 0, wms: 0, cms: 0 });
    // Medusa's product.updated for our write stays home (title, handle and SKUs still match the
    // synced marker), so nothing but the ERP's change ever reaches the entity.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await view(p.productId)).log.map((l) => l.source)).toEqual(['erp']);

    const product = await medusaProduct(p.productId);
    expect(product.status).toBe('draft');
    // The ERP keeps minor units: 4321 cents is 43.21 in Medusa.
    expect(product.variants?.[0]?.prices?.map((x) => [x.amount, x.currency_code])).toEqual([[43.21, 'eur']]);
    expect((await erpItem(p.sku)).version).toBe(p.item.version + 1); // only the operator's PATCH
    expect(((await cmsEntriesFor(p.productId))[0] as unknown as { updatedAt: string }).updatedAt).toBe(cmsBefore.updatedAt);
  });

  test('CMS copy → Medusa once; the echo goes nowhere', async () => {
    const p = await syncedProduct();
    const edited = await cmsUpdateEntry(p.documentId, { description: 'Soft linen.', subtitle: 'Summer', seo_title: 'Linen shirt | Shop' });

    const applied = await eventually('the CMS change to be applied', () => view(p.productId), (v) => v.log.some((l) => l.source === 'cms' && l.outcome === 'applied'));
    const index = applied.log.findIndex((l) => l.source === 'cms');
    expect(applied.log[index]!.changed.sort()).toEqual(['description', 'seo_title', 'subtitle']);
    expect(applied.writes).toEqual({ medusa: 1, erp: 0, wms: 0, cms: 0 });
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await view(p.productId)).log.map((l) => l.source)).toEqual(['cms']);

    const product = await medusaProduct(p.productId);
    expect(product).toMatchObject({ description: 'Soft linen.', subtitle: 'Summer', title: p.title });
    expect(product.metadata).toMatchObject({ seo_title: 'Linen shirt | Shop' });
    expect(((await cmsEntriesFor(p.productId))[0] as unknown as { updatedAt: string }).updatedAt).toBe(edited.updatedAt);
    expect((await erpItem(p.sku)).version).toBe(p.item.version);
  });

  test('Medusa title → ERP, WMS and CMS once each; their echoes go nowhere', async () => {
    const p = await syncedProduct();
    const title = `${p.title} renamed`;
    await suite.sdk.admin.product.update(p.productId, { title });

    await eventually('the copies', async () => ({ erp: await erpItem(p.sku), wms: (await simulatorRecordsBySku('WMS', p.sku))[0], cms: (await cmsEntriesFor(p.productId))[0] }), (c) =>
      c.erp.name === title && c.wms?.description === title && c.cms?.title === title,
    );
    // Strapi's webhook for our write comes back whole; the entity finds nothing of the CMS's changed.
    const settled = await eventually('the CMS echo', () => view(p.productId), (v) => v.log.some((l) => l.source === 'cms'));
    expect(settled.log.filter((l) => l.source === 'cms').map((l) => l.outcome)).toEqual(['no-change']);
    expect(settled.writes).toEqual({ medusa: 0, erp: 1, wms: 1, cms: 1 });
    expect((await erpItem(p.sku)).version).toBe(p.item.version + 1);
    // The marker follows, once every copy has the new title, so the next echo stays home too.
    const renamed = await eventually('the marker', () => medusaProduct(p.productId), (m) => m.metadata?.[SYNCED_MARKER_KEY] !== undefined && String(m.metadata[SYNCED_MARKER_KEY]).includes('renamed'));
    expect(renamed.metadata?.[SYNCED_MARKER_KEY]).toBe(syncedMarker({ title, handle: renamed.handle, skus: [p.sku] }));
    // The ERP's webhook for our write carries our X-Origin: the bridge drops it.
    const echo = await postSignedWebhook('erp', {
      type: 'item.updated',
      id: `evt_${uniq()}`,
      occurred_at: new Date().toISOString(),
      sequence: 99,
      origin: `hub:${productEntityWorkflowId(p.productId)}`,
      data: { ...(await erpItem(p.sku)), price: { amount: 1, currency_code: 'eur' } },
    });
    expect(echo).toMatchObject({ status: 200, json: { status: 'ignored' } });
  });

  test('concurrent ERP and CMS edits end as the ownership table says', async () => {
    const p = await syncedProduct();
    await Promise.all([
      // Each system also tries to rename the product, which is Medusa's to name.
      simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 777, currency_code: 'eur' }, name: 'ERP rename' }),
      cmsUpdateEntry(p.documentId, { description: 'From the CMS', title: 'CMS rename' }),
    ]);
    const product = await eventually('both changes in Medusa', () => medusaProduct(p.productId), (x) =>
      x.description === 'From the CMS' && x.variants?.[0]?.prices?.[0]?.amount === 7.77,
    );
    expect(product.title).toBe(p.title);
    const v = await view(p.productId);
    expect(v.fields).toMatchObject({ title: p.title, description: 'From the CMS', [`price:${p.sku}`]: { amount: 7.77, currency_code: 'eur' } });
    expect(v.writes.erp + v.writes.wms + v.writes.cms).toBe(0);
  });

  test('a webhook delivered twice is applied once', async () => {
    const p = await syncedProduct();
    const event = {
      type: 'item.updated',
      id: `evt_${uniq()}`,
      occurred_at: new Date().toISOString(),
      sequence: 50,
      origin: null,
      data: { ...p.item, price: { amount: 2468, currency_code: 'eur' } },
    };
    const messageId = `msg_${uniq()}`;
    const first = await postSignedWebhook('erp', event, messageId);
    const second = await postSignedWebhook('erp', event, messageId);
    expect([first.json.status, second.json.status]).toEqual(['signaled', 'signaled']);
    expect(second.json.runId).toBe(first.json.runId);
    const v = await eventually('both deliveries to be seen', () => view(p.productId), (x) => x.log.filter((l) => l.messageId === messageId).length === 2);
    expect(v.log.filter((l) => l.messageId === messageId).map((l) => l.outcome).sort()).toEqual(['applied', 'duplicate']);
    expect(v.writes.medusa).toBe(1);
  });

  test('a product deleted in Medusa is retired in ERP, WMS and CMS', async () => {
    const p = await syncedProduct();
    await suite.sdk.admin.product.delete(p.productId);
    const result = (await (await waitForRun(suite.client, productEntityWorkflowId(p.productId))).result()) as ProductEntityResult;
    expect(result.ended).toBe('deleted');
    expect((await erpItem(p.sku)).status).toBe('inactive');
    expect(await simulatorRecordsBySku('WMS', p.sku)).toHaveLength(0);
    expect(await cmsEntriesFor(p.productId)).toHaveLength(0);
  });

  test('continue-as-new keeps the state: fields, counters and the delivery ids seen', async () => {
    const p = await syncedProduct();
    const workflowId = productEntityWorkflowId(p.productId);
    // Start the entity with a tiny history budget, so a few changes force continue-as-new.
    const handle = await suite.client.workflow.signalWithStart(productEntity, {
      workflowId,
      taskQueue: TASK_QUEUES.workflows,
      args: [{ productId: p.productId, maxHistoryEvents: 30, debounceMs: 10 }],
      signal: productChangeSignal,
      signalArgs: [{ messageId: 'can-0', source: 'cms', fields: { subtitle: 'v0' } }],
    });
    const firstRun = handle.signaledRunId;
    for (let i = 1; i <= 4; i++) {
      await eventually(`change ${i - 1} applied`, () => view(p.productId), (v) => v.log.some((l) => l.messageId === `can-${i - 1}` && l.outcome === 'applied'));
      await handle.signal(productChangeSignal, { messageId: `can-${i}`, source: 'cms', fields: { subtitle: `v${i}` } });
    }
    const v = await eventually('the last change after continue-as-new', () => view(p.productId), (x) => x.log.some((l) => l.messageId === 'can-4' && l.outcome === 'applied'));
    expect(v.continuedAsNew).toBeGreaterThanOrEqual(1);
    expect((await suite.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(firstRun);
    expect(v.fields).toMatchObject({ subtitle: 'v4' });
    expect(v.writes.medusa).toBe(5);
    // A re-delivery of the first change, seen before continue-as-new, is still recognised.
    await handle.signal(productChangeSignal, { messageId: 'can-0', source: 'cms', fields: { subtitle: 'v0' } });
    const after = await eventually('the re-delivery', () => view(p.productId), (x) => x.log.filter((l) => l.messageId === 'can-0').length === 2);
    expect(after.log.filter((l) => l.messageId === 'can-0').map((l) => l.outcome)).toEqual(['applied', 'duplicate']);
    expect((await medusaProduct(p.productId)).subtitle).toBe('v4');
  });
});
