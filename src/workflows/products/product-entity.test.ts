import { WorkflowNotFoundError } from '@temporalio/client';
import {
  clearFaults,
  cmsEntriesFor,
  cmsUpdateEntry,
  createMedusaProduct,
  injectFault,
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
  type ProductChange,
  type ProductEntityInput,
  type ProductEntityResult,
  type ProductEntityState,
  type ProductEntityView,
} from './product-entity';
import { syncNewProductWorkflowId } from './sync-new-product';
import { syncedMarker, SYNCED_MARKER_KEY } from '../../domain/synced-marker';
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
    if (err instanceof WorkflowNotFoundError) return { ...initialEntityState(), productId, pending: 0, owed: 0 };
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

/** The product's entity run, started (or signalled) by the test itself with these options. */
async function signalEntity(productId: string, change: ProductChange, options: Partial<ProductEntityInput> = {}): Promise<void> {
  await suite.client.workflow.signalWithStart(productEntity, {
    workflowId: productEntityWorkflowId(productId),
    taskQueue: TASK_QUEUES.workflows,
    args: [{ productId, ...options }],
    signal: productChangeSignal,
    signalArgs: [change],
  });
}

/** Ends the entity run the way ten quiet minutes would, only sooner: the next change starts a fresh run. */
async function endEntityRun(productId: string): Promise<void> {
  await suite.client.workflow.getHandle(productEntityWorkflowId(productId)).terminate('test: a run boundary');
}

/** A Strapi webhook for an entry version, posted to the bridge as Strapi would (shared-secret header). */
async function postCmsWebhook(entry: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const { BRIDGE_URL, CMS_WEBHOOK_SECRET } = process.env;
  if (!BRIDGE_URL || !CMS_WEBHOOK_SECRET) throw new Error('BRIDGE_URL and CMS_WEBHOOK_SECRET must be set by the test stack');
  const res = await fetch(`${BRIDGE_URL}/webhooks/cms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-webhook-secret': CMS_WEBHOOK_SECRET },
    body: JSON.stringify({ event: 'entry.update', model: 'product', uid: 'api::product.product', createdAt: new Date().toISOString(), entry }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const priceOf = async (productId: string): Promise<number | undefined> => (await medusaProduct(productId)).variants?.[0]?.prices?.[0]?.amount;

describe('product entity across run boundaries (issue 9)', () => {
  afterEach(async () => {
    await clearFaults('ERP');
    await clearFaults('WMS');
  });

  test('an older ERP change delivered after the run ended stays stale: the fresh run starts from the item version', async () => {
    const p = await syncedProduct();
    const v2 = await simulatorWrite<ErpItem>('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 1111, currency_code: 'eur' } });
    await eventually('price v2 in Medusa', () => priceOf(p.productId), (a) => a === 11.11);
    await simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 2222, currency_code: 'eur' } });
    await eventually('price v3 in Medusa', () => priceOf(p.productId), (a) => a === 22.22);
    await endEntityRun(p.productId);

    // The ERP re-delivers the v2 event late (a retry after an outage): it starts a fresh run.
    const messageId = `msg_${uniq()}`;
    const late = await postSignedWebhook('erp', { type: 'item.updated', id: `evt_${uniq()}`, occurred_at: new Date().toISOString(), sequence: v2.version, origin: null, data: v2 }, messageId);
    expect(late.json.status).toBe('signaled');
    const v = await eventually('the late change to be judged', () => view(p.productId), (x) => x.log.some((l) => l.messageId === messageId));
    expect(v.log.find((l) => l.messageId === messageId)?.outcome).toBe('stale');
    expect(await priceOf(p.productId)).toBe(22.22);
  });

  test('a state carried over from a run before the patch (no floors, no SKUs) reads the owners first', async () => {
    const p = await syncedProduct();
    const v2 = await simulatorWrite<ErpItem>('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 1111, currency_code: 'eur' } });
    await eventually('price v2 in Medusa', () => priceOf(p.productId), (a) => a === 11.11);
    await simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 2222, currency_code: 'eur' } });
    const now = await eventually('price v3 applied', () => view(p.productId), (v) => sameJson(v.fields?.[`price:${p.sku}`], { amount: 22.22, currency_code: 'eur' }));
    await endEntityRun(p.productId);
    // What continue-as-new of a run started on 4315da9 carries: the state as that code shaped it.
    const { fields, variants, seen, batches, writes, log, continuedAsNew } = now;
    const oldState: ProductEntityState = { fields, variants, erpSequences: {}, seen, batches, writes, log, continuedAsNew };
    const late = { messageId: `late-${uniq()}`, source: 'erp' as const, itemId: p.item.id, sku: p.sku, sequence: v2.version, fields: { [`price:${p.sku}`]: { amount: 11.11, currency_code: 'eur' } } };
    await suite.client.workflow.start(productEntity, { workflowId: productEntityWorkflowId(p.productId), taskQueue: TASK_QUEUES.workflows, args: [{ productId: p.productId, state: oldState, pending: [late] }] });
    const v = await eventually('the late change to be judged', () => view(p.productId), (x) => x.log.some((l) => l.messageId === late.messageId));
    expect(v.log.find((l) => l.messageId === late.messageId)?.outcome).toBe('stale');
    expect(v.syncedSkus).toEqual([p.sku]);
    expect(await priceOf(p.productId)).toBe(22.22);
  });

  test('a recreated ERP item (same SKU, a new id counting from 1) is followed, not dropped as stale', async () => {
    const p = await syncedProduct();
    await simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 3000, currency_code: 'eur' } });
    await simulatorWrite('ERP', 'PATCH', `/v1/items/${p.item.id}`, { price: { amount: 3100, currency_code: 'eur' } });
    await eventually('the old item at 31.00', () => priceOf(p.productId), (a) => a === 31);
    // The ERP's operator deletes the item and makes it again: its events are numbered 1, 2, … anew.
    await simulatorWrite('ERP', 'DELETE', `/v1/items/${p.item.id}`, undefined);
    const again = await simulatorWrite<ErpItem>('ERP', 'POST', '/v1/items', { sku: p.sku, name: p.title, price: { amount: 3100, currency_code: 'eur' }, external_ref: p.productId });
    const updated = await simulatorWrite<ErpItem>('ERP', 'PATCH', `/v1/items/${again.id}`, { price: { amount: 500, currency_code: 'eur' } });
    expect(updated.version).toBeLessThan(3);
    await eventually('the new item price in Medusa', () => priceOf(p.productId), (a) => a === 5);
  });

  test('an older CMS entry version delivered after the run ended stays stale; a body without documentId is refused', async () => {
    const p = await syncedProduct();
    const [entry] = (await cmsEntriesFor(p.productId)) as unknown as Array<Record<string, unknown>>;
    const first = await cmsUpdateEntry(p.documentId, { subtitle: 'first' });
    await eventually('the first subtitle', () => medusaProduct(p.productId), (x) => x.subtitle === 'first');
    await cmsUpdateEntry(p.documentId, { subtitle: 'second' });
    await eventually('the second subtitle', () => medusaProduct(p.productId), (x) => x.subtitle === 'second');
    await endEntityRun(p.productId);

    // Strapi's delivery of the first version arrives late (Strapi retried it): a fresh run.
    const late = await postCmsWebhook({ ...entry, subtitle: 'first', updatedAt: first.updatedAt });
    expect(late.json.status).toBe('signaled');
    const v = await eventually('the late version to be judged', () => view(p.productId), (x) => x.log.some((l) => l.source === 'cms'));
    expect(v.log.filter((l) => l.source === 'cms').map((l) => l.outcome)).toEqual(['stale']);
    expect((await medusaProduct(p.productId)).subtitle).toBe('second');

    // Without the entry's identity the delivery has none either: refused, not deduplicated
    // against every other such body under one constant id.
    const { documentId: _documentId, ...anonymous } = entry!;
    const refused = await postCmsWebhook({ ...anonymous, subtitle: 'third', updatedAt: new Date().toISOString() });
    expect(refused.status).toBe(422);
  });

  test('a rename in Medusa while the product-created run is still going reaches every copy and the marker', async () => {
    const u = uniq();
    const sku = `ENT-${u}`;
    const title = `Entity ${u}`;
    // The WMS answers the flow's SKU create slowly, so the rename lands mid-run: after the flow
    // read the product (the ERP item has the old name), before its write-back.
    await injectFault('WMS', { method: 'POST', path: '/v1/skus', mode: 'delay', delay_ms: 6_000, times: 1, idempotency_key_contains: `/wms-sku/${sku}` });
    const productId = await createMedusaProduct(suite.sdk, { title, skus: [sku] });
    await eventually('the ERP item', () => simulatorRecordsBySku('ERP', sku), (r) => r.length === 1);
    const renamed = `${title} renamed`;
    await suite.sdk.admin.product.update(productId, { title: renamed });
    await (await waitForRun(suite.client, syncNewProductWorkflowId(productId))).result();

    const copies = await eventually(
      'every copy renamed',
      async () => ({ erp: await erpItem(sku), wms: (await simulatorRecordsBySku('WMS', sku))[0], cms: (await cmsEntriesFor(productId))[0] }),
      (c) => c.erp.name === renamed && c.wms?.description === renamed && c.cms?.title === renamed,
    );
    expect(copies.cms?.title).toBe(renamed);
    const product = await eventually('the marker', () => medusaProduct(productId), (m) => String(m.metadata?.[SYNCED_MARKER_KEY]).includes('renamed'));
    expect(product.metadata?.[SYNCED_MARKER_KEY]).toBe(syncedMarker({ title: renamed, handle: product.handle, skus: [sku] }));
  });

  test('a copy write that fails for good stays owed, shows in the query and details, and is retried', async () => {
    const p = await syncedProduct();
    // Our own run, with a short retry delay (the default is a minute).
    await signalEntity(p.productId, { messageId: `start-${uniq()}`, source: 'cms', fields: { subtitle: 'owed test' } }, { writeRetryMs: 500, debounceMs: 10 });
    await eventually('the first change', () => view(p.productId), (v) => v.log.some((l) => l.outcome === 'applied'));
    // A 4xx is final for the activity: the ERP write fails for good at once.
    await injectFault('ERP', { method: 'PATCH', path: `/v1/items/${p.item.id}`, mode: 'fail_before', status: 422 });
    const title = `${p.title} renamed`;
    await suite.sdk.admin.product.update(p.productId, { title });

    const owing = await eventually('the ERP write to be owed', () => view(p.productId), (v) => v.owed > 0);
    expect(owing.unsynced).toEqual({ erp: ['title'] });
    const handle = suite.client.workflow.getHandle(productEntityWorkflowId(p.productId));
    const details = async (): Promise<string> => (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
    await eventually('the owed write in the details', details, (d) => d.includes('erp owes title'));
    // Every other copy has the new title; the marker does not claim it until the ERP has it too.
    await eventually('the WMS and CMS copies', async () => ({ wms: (await simulatorRecordsBySku('WMS', p.sku))[0], cms: (await cmsEntriesFor(p.productId))[0] }), (c) => c.wms?.description === title && c.cms?.title === title);
    expect(String((await medusaProduct(p.productId)).metadata?.[SYNCED_MARKER_KEY])).not.toContain('renamed');

    await clearFaults('ERP');
    await eventually('the ERP name after the retry', () => erpItem(p.sku), (i) => i.name === title);
    const settled = await eventually('nothing owed', () => view(p.productId), (v) => v.owed === 0);
    expect(settled.unsynced).toEqual({});
    await eventually('the marker', () => medusaProduct(p.productId), (m) => m.metadata?.[SYNCED_MARKER_KEY] === syncedMarker({ title, handle: m.handle, skus: [p.sku] }));
  });

  test('a variant added in Medusa gets its ERP item and WMS SKU; the marker lists it only once both exist', async () => {
    const u = uniq();
    const title = `Entity ${u}`;
    const [first, added] = [`ENT-${u}-A`, `ENT-${u}-B`];
    const { MEDUSA_SALES_CHANNEL_ID, MEDUSA_SHIPPING_PROFILE_ID } = process.env;
    const { product } = await suite.sdk.admin.product.create({
      title,
      status: 'published',
      shipping_profile_id: MEDUSA_SHIPPING_PROFILE_ID,
      sales_channels: [{ id: MEDUSA_SALES_CHANNEL_ID! }],
      options: [{ title: 'Size', values: ['S', 'M'] }],
      variants: [{ title: 'S', sku: first, manage_inventory: true, options: { Size: 'S' }, prices: [{ currency_code: 'eur', amount: 10 }] }],
    });
    await (await waitForRun(suite.client, syncNewProductWorkflowId(product.id))).result();

    // The WMS refuses the new SKU for now: the ERP item alone does not make the variant synced.
    await injectFault('WMS', { method: 'POST', path: '/v1/skus', mode: 'fail_before', status: 422, idempotency_key_contains: `/wms-sku/${added}` });
    await suite.sdk.admin.product.createVariant(product.id, { title: 'M', sku: added, manage_inventory: true, options: { Size: 'M' }, prices: [{ currency_code: 'eur', amount: 12 }] });
    await signalEntity(product.id, { messageId: `variant-${u}`, source: 'medusa', kind: 'updated' }, { writeRetryMs: 500, debounceMs: 10 });

    // The entity owes the variant from the moment it reads it, before its ERP create is done.
    const item = await eventually('the ERP item of the new variant', () => erpItem(added), (i) => i !== undefined);
    expect(item).toMatchObject({ sku: added, external_ref: product.id, name: `${title} / M`, price: { amount: 1200, currency_code: 'eur' } });
    const owing = await view(product.id);
    expect(owing.owed).toBeGreaterThan(0);
    expect(owing.syncedSkus).toEqual([first]);
    const marker = (await medusaProduct(product.id)).metadata?.[SYNCED_MARKER_KEY];
    expect(marker === undefined || !String(marker).includes(added)).toBe(true);

    await clearFaults('WMS');
    const wmsSku = await eventually('the WMS SKU', () => simulatorRecordsBySku('WMS', added), (r) => r.length === 1);
    expect(wmsSku[0]).toMatchObject({ external_ref: product.id, description: `${title} / M` });
    await eventually('nothing owed', () => view(product.id), (v) => v.owed === 0);
    // Two variants now: the first item's name follows the product-created flow's naming too.
    await eventually('the first item renamed', () => erpItem(first), (i) => i.name === `${title} / S`);
    await eventually('the marker with both SKUs', () => medusaProduct(product.id), (m) => m.metadata?.[SYNCED_MARKER_KEY] === syncedMarker({ title, handle: m.handle, skus: [first, added] }));
  });
});
