import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { requireEnv } from '../../test/support/env';
import { loadBridgeConfig } from '../config';
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
  const config = loadBridgeConfig({ WEBHOOK_SECRETS_MEDUSA: `${rotatedOut},${secret}`, BRIDGE_PORT: '0' });
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
  try {
    await client.workflow.getHandle(syncNewProductWorkflowId(productId)).describe();
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
    const res = await post(body, signed(body), 'erp');
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
