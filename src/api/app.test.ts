import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { requireEnv } from '../../test/support/env';
import { loadBridgeConfig } from '../config';
import { productEntityWorkflowId } from '../workflows/products/product-entity';
import { syncNewProductWorkflowId } from '../workflows/products/sync-new-product';
import { BODY_LIMIT_BYTES, createBridgeApp } from './app';

const { TEMPORAL_ADDRESS } = requireEnv('TEMPORAL_ADDRESS');
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const rotatedOut = `whsec_${randomBytes(24).toString('base64')}`;

let client: Client;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: TEMPORAL_ADDRESS }) });
  // Two secrets: the bridge accepts either while a sender rotates.
  const config = loadBridgeConfig({ WEBHOOK_SECRETS_MEDUSA: `${rotatedOut},${secret}`, WEBHOOK_SECRETS_ERP: secret, BRIDGE_PORT: '0' });
  server = createBridgeApp(client, config).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await client.connection.close();
});

const newProductId = (): string => `prod_test${randomUUID().replace(/-/g, '').slice(0, 20)}`;

function signed(body: string, opts: { secret?: string; at?: Date; id?: string } = {}): Record<string, string> {
  const id = opts.id ?? `msg_${randomUUID()}`;
  const at = opts.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(opts.secret ?? secret).sign(id, at, body),
  };
}

async function post(body: string, headers: Record<string, string>, source = 'medusa'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/webhooks/${source}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function runExists(productId: string): Promise<boolean> {
  return workflowExists(syncNewProductWorkflowId(productId));
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

const productCreated = (id: string): string => JSON.stringify({ type: 'product.created', data: { id }, metadata: { eventGroupId: randomUUID() } });

describe('webhook bridge', () => {
  test('a signed product.created starts one run; the same delivery twice more returns that run', async () => {
    const id = newProductId();
    const body = productCreated(id);
    const headers = signed(body);
    const first = await post(body, headers);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ status: 'started', workflowId: syncNewProductWorkflowId(id) });
    for (let i = 0; i < 2; i++) {
      const again = await post(body, signed(body));
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ status: 'duplicate', workflowId: first.json.workflowId, runId: first.json.runId });
    }
    // The run that exists is the first delivery's: nothing else was started under this id.
    expect((await client.workflow.getHandle(syncNewProductWorkflowId(id)).describe()).runId).toBe(first.json.runId);
  });

  test('a signature made with an older, still configured secret is accepted (rotation)', async () => {
    const body = productCreated(newProductId());
    expect((await post(body, signed(body, { secret: rotatedOut }))).status).toBe(202);
  });

  const badRequests: Array<[string, number, string, (id: string) => { body: string; headers: Record<string, string> }]> = [
    ['a forged signature', 401, 'bad_signature', (id) => ({ body: productCreated(id), headers: signed(productCreated(id), { secret: `whsec_${randomBytes(24).toString('base64')}` }) })],
    ['a body altered after signing', 401, 'bad_signature', (id) => ({ body: productCreated(id), headers: signed(productCreated(newProductId())) })],
    ['no signature headers', 401, 'missing_signature', (id) => ({ body: productCreated(id), headers: { 'content-type': 'application/json' } })],
    ['a stale timestamp (a replay from 10 minutes ago)', 401, 'stale_timestamp', (id) => ({ body: productCreated(id), headers: signed(productCreated(id), { at: new Date(Date.now() - 10 * 60_000) }) })],
    ['malformed JSON', 400, 'malformed_json', (id) => ({ body: `{"type":"product.created","data":{"id":"${id}"`, headers: signed(`{"type":"product.created","data":{"id":"${id}"`) })],
    ['an unknown event type', 422, 'unknown_event_type', (id) => {
      const body = JSON.stringify({ type: 'product.exploded', data: { id } });
      return { body, headers: signed(body) };
    }],
    ['data that fails the schema', 422, 'invalid_event', (id) => {
      const body = JSON.stringify({ type: 'product.created', data: { id: id.replace('prod_', 'cust_') } });
      return { body, headers: signed(body) };
    }],
    ['an envelope without a type', 422, 'invalid_event', (id) => {
      const body = JSON.stringify({ data: { id } });
      return { body, headers: signed(body) };
    }],
    ['a body over the size limit', 413, 'payload_too_large', (id) => {
      const body = JSON.stringify({ type: 'product.created', data: { id }, metadata: { pad: 'x'.repeat(BODY_LIMIT_BYTES) } });
      return { body, headers: signed(body) };
    }],
    ['a non-JSON content type', 415, 'unsupported_media_type', (id) => ({ body: productCreated(id), headers: { ...signed(productCreated(id)), 'content-type': 'text/plain' } })],
  ];

  /** An ERP item.updated for the product, as the simulator sends it, with `change` applied to the envelope. */
  const erpItemUpdated = (productId: string, change: (e: { id: string; sequence: number; data: Record<string, unknown> }) => void = () => {}): string => {
    const envelope = {
      type: 'item.updated',
      id: `evt_${randomBytes(12).toString('hex')}`,
      occurred_at: new Date().toISOString(),
      data: { id: `itm_${randomBytes(10).toString('hex')}`, sku: `SKU-${productId.slice(-8)}`, price: { amount: 1000, currency_code: 'eur' }, status: 'active', external_ref: productId },
      sequence: 1,
      origin: null,
    };
    change(envelope);
    return JSON.stringify(envelope);
  };

  /**
   * Ids the bridge must refuse (issue 9, defect 10). Each case names the workflow ids its event
   * would have started or signalled, to show that none of them exists afterwards.
   */
  const badIds: Array<[string, number, string, (id: string) => { body: string; source: string; workflowIds: string[] }]> = [
    ['a product id holding a NUL character', 422, 'invalid_event', (id) => ({ body: productCreated(`${id}\u0000`), source: 'medusa', workflowIds: [syncNewProductWorkflowId(`${id}\u0000`)] })],
    ['a product id of 5000 characters', 422, 'invalid_event', (id) => {
      const long = `${id}${'a'.repeat(5000)}`;
      return { body: productCreated(long), source: 'medusa', workflowIds: [syncNewProductWorkflowId(long)] };
    }],
    ['a product id with a space and a slash', 422, 'invalid_event', (id) => ({ body: productCreated(`${id} /x`), source: 'medusa', workflowIds: [syncNewProductWorkflowId(`${id} /x`)] })],
    ['a __proto__ key in the data', 400, 'forbidden_key', (id) => ({
      // Written by hand: JSON.stringify of an object literal with __proto__ would set the prototype, not a key.
      body: `{"type":"product.created","data":{"id":"${id}","__proto__":{"id":"${id}x"}}}`,
      source: 'medusa',
      workflowIds: [syncNewProductWorkflowId(id), syncNewProductWorkflowId(`${id}x`)],
    })],
    ['a constructor key deep in the metadata', 400, 'forbidden_key', (id) => ({
      body: JSON.stringify({ type: 'product.created', data: { id }, metadata: { list: [{ constructor: { prototype: 1 } }] } }),
      source: 'medusa',
      workflowIds: [syncNewProductWorkflowId(id)],
    })],
    ['an ERP event with sequence 0', 422, 'invalid_event', (id) => ({ body: erpItemUpdated(id, (e) => (e.sequence = 0)), source: 'erp', workflowIds: [productEntityWorkflowId(id)] })],
    ['an ERP event whose external_ref is a product id holding a NUL', 422, 'invalid_event', (id) => ({
      body: erpItemUpdated(id, (e) => (e.data.external_ref = `${id}\u0000`)),
      source: 'erp',
      workflowIds: [productEntityWorkflowId(id), productEntityWorkflowId(`${id}\u0000`)],
    })],
    ['an ERP event whose SKU holds a NUL', 422, 'invalid_event', (id) => ({ body: erpItemUpdated(id, (e) => (e.data.sku = 'SKU\u0000-1')), source: 'erp', workflowIds: [productEntityWorkflowId(id)] })],
    ['an ERP event whose id is 1000 characters', 422, 'invalid_event', (id) => ({ body: erpItemUpdated(id, (e) => (e.id = `evt_${'0'.repeat(1000)}`)), source: 'erp', workflowIds: [productEntityWorkflowId(id)] })],
  ];

  test.each(badIds)('%s gets %i %s and starts nothing', async (_what, status, code, make) => {
    const { body, source, workflowIds } = make(newProductId());
    const res = await post(body, signed(body), source);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
    for (const workflowId of workflowIds) expect(await workflowExists(workflowId)).toBe(false);
  });

  test('a delivery id over 256 characters gets 422 invalid_delivery_id and starts nothing', async () => {
    const id = newProductId();
    const body = productCreated(id);
    const res = await post(body, signed(body, { id: `msg_${'x'.repeat(300)}` }));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: { code: 'invalid_delivery_id' } });
    expect(await runExists(id)).toBe(false);
  });

  test('a signed ERP event with good ids still reaches the product\'s run', async () => {
    const id = newProductId();
    const body = erpItemUpdated(id);
    const res = await post(body, signed(body), 'erp');
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'signaled', workflowId: productEntityWorkflowId(id) });
    // No worker in this suite: the run only has to exist, so it is not left waiting.
    await client.workflow.getHandle(productEntityWorkflowId(id)).terminate('bridge test');
  });

  test.each(badRequests)('%s gets %i %s and starts nothing', async (_what, status, code, make) => {
    const id = newProductId();
    const { body, headers } = make(id);
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code } });
    expect(await runExists(id)).toBe(false);
  });

  test('an unconfigured source is a 404', async () => {
    const body = productCreated(newProductId());
    const res = await post(body, signed(body), 'wms');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'unknown_source' } });
  });

  test('events without a flow yet are acknowledged as ignored, not started', async () => {
    const body = JSON.stringify({ type: 'inventory-item.created', data: { id: 'iitem_123' } });
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ignored', type: 'inventory-item.created' });
  });

  test('/healthz and /readyz answer', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', temporal: 'reachable' });
  });
});
