import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Medusa from '@medusajs/js-sdk';
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { hubDataConverter } from '../../src/temporal/connection';
import { requireEnv } from './env';

/**
 * Test-side access to the real systems the stack started: Medusa through its js-sdk, the
 * simulators through their public and control APIs, Strapi through its REST API, Temporal
 * through a client that shares the worker's payload codec.
 */

export function medusaSdk(): Medusa {
  const { MEDUSA_BACKEND_URL, MEDUSA_API_KEY } = requireEnv('MEDUSA_BACKEND_URL', 'MEDUSA_API_KEY');
  return new Medusa({ baseUrl: MEDUSA_BACKEND_URL, apiKey: MEDUSA_API_KEY });
}

export async function temporalClient(): Promise<Client> {
  const { TEMPORAL_ADDRESS, HUB_CODEC_KEY } = requireEnv('TEMPORAL_ADDRESS', 'HUB_CODEC_KEY');
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  return new Client({ connection, dataConverter: hubDataConverter(HUB_CODEC_KEY.split(',')) });
}

/** What an end-to-end suite talks to; usable from its tests and hooks once beforeAll has run. */
export interface SuiteConnections {
  readonly sdk: Medusa;
  readonly client: Client;
}

/**
 * Connects an end-to-end suite to Medusa and Temporal: `const suite = useSuiteConnections()` at
 * the top of the file, then `suite.sdk` and `suite.client` in its tests. Afterwards the
 * simulators' faults are cleared, so a test that failed half-way cannot leave the ERP failing for
 * the next suite, and the Temporal connection is closed.
 */
export function useSuiteConnections(): SuiteConnections {
  let connections: SuiteConnections | undefined;
  const opened = (): SuiteConnections => {
    if (!connections) throw new Error('the suite connections are opened in beforeAll; use them inside tests and hooks');
    return connections;
  };
  beforeAll(async () => {
    connections = { sdk: medusaSdk(), client: await temporalClient() };
  });
  afterAll(async () => {
    await clearAllFaults();
    await connections?.client.connection.close();
  });
  return {
    get sdk() {
      return opened().sdk;
    },
    get client() {
      return opened().client;
    },
  };
}

/** A unique suffix, so tests never collide with each other or with an earlier run's data. */
export const uniq = (): string => randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();

/** Creates a product in Medusa the way an admin would, with one variant per SKU. */
export async function createMedusaProduct(sdk: Medusa, opts: { title: string; skus: string[] }): Promise<string> {
  const { MEDUSA_SALES_CHANNEL_ID, MEDUSA_SHIPPING_PROFILE_ID } = requireEnv('MEDUSA_SALES_CHANNEL_ID', 'MEDUSA_SHIPPING_PROFILE_ID');
  const { product } = await sdk.admin.product.create({
    title: opts.title,
    status: 'published',
    shipping_profile_id: MEDUSA_SHIPPING_PROFILE_ID,
    sales_channels: [{ id: MEDUSA_SALES_CHANNEL_ID }],
    options: [{ title: 'Size', values: opts.skus.map((_, i) => `S${i}`) }],
    variants: opts.skus.map((sku, i) => ({
      title: `Size S${i}`,
      sku,
      manage_inventory: true,
      options: { Size: `S${i}` },
      prices: [{ currency_code: 'eur', amount: 1000 + i }],
    })),
  });
  return product.id;
}

type System = 'ERP' | 'WMS';

function simulator(system: System): { url: string; apiKey: string; controlKey: string } {
  const env = requireEnv(`${system}_BASE_URL`, `${system}_API_KEY`, `${system}_CONTROL_KEY`);
  return { url: env[`${system}_BASE_URL`]!, apiKey: env[`${system}_API_KEY`]!, controlKey: env[`${system}_CONTROL_KEY`]! };
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Every record the simulator holds for a SKU (ERP items or WMS SKUs). */
export async function simulatorRecordsBySku(system: System, sku: string): Promise<Array<{ id: string; sku: string; external_ref: string | null; name?: string; description?: string }>> {
  const sim = simulator(system);
  const path = system === 'ERP' ? '/v1/items' : '/v1/skus';
  const res = await fetch(`${sim.url}${path}?sku=${encodeURIComponent(sku)}&limit=200`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
  return (await json<{ data: Array<{ id: string; sku: string; external_ref: string | null }> }>(res, `${system} list`)).data;
}

export interface FaultSpec {
  method?: string;
  path?: string;
  mode: 'fail_before' | 'fail_after_commit' | 'delay';
  status?: number;
  times?: number;
  /** For `delay`: the request waits this long, then is handled normally. */
  delay_ms?: number;
  /** Only writes whose Idempotency-Key contains this (e.g. `/erp-item/<sku>`): no other run can take the fault. */
  idempotency_key_contains?: string;
}

export async function injectFault(system: System, fault: FaultSpec): Promise<void> {
  const sim = simulator(system);
  await json(await fetch(`${sim.url}/_control/faults`, { method: 'POST', headers: { 'x-control-key': sim.controlKey, 'content-type': 'application/json' }, body: JSON.stringify(fault) }), `${system} inject fault`);
}

/** After a suite that injected faults: none stays armed for the next one. */
export async function clearAllFaults(): Promise<void> {
  await clearFaults('ERP');
  await clearFaults('WMS');
}

export async function clearFaults(system: System): Promise<void> {
  const sim = simulator(system);
  const res = await fetch(`${sim.url}/_control/faults`, { method: 'DELETE', headers: { 'x-control-key': sim.controlKey } });
  if (!res.ok) throw new Error(`${system} clear faults: ${res.status}`);
}

/** Faults still armed (a fault with `times` disappears once it has fired that often). */
export async function activeFaults(system: System): Promise<FaultSpec[]> {
  const sim = simulator(system);
  const res = await fetch(`${sim.url}/_control/faults`, { headers: { 'x-control-key': sim.controlKey } });
  return (await json<{ data: FaultSpec[] }>(res, `${system} list faults`)).data;
}

/**
 * Waits until no hub run is in flight. Other suites create Medusa products too, and their runs
 * (started by the subscriber) must not consume a fault a test injects for its own product.
 */
export async function waitForIdleHub(client: Client, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Entity runs (one per product / stock level) stay open between changes by design and only
  // write when their product changes, so they do not count as in flight.
  const query = `HubFlow IS NOT NULL AND HubFlow NOT IN ('product-entity', 'stock-level') AND ExecutionStatus = 'Running'`;
  while ((await client.workflow.count(query)).count > 0) {
    if (Date.now() > deadline) throw new Error('hub runs still in flight');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function cmsEntriesFor(medusaId: string): Promise<Array<{ documentId: string; title: string; medusa_id: string }>> {
  const { CMS_BASE_URL, CMS_API_TOKEN } = requireEnv('CMS_BASE_URL', 'CMS_API_TOKEN');
  const res = await fetch(`${CMS_BASE_URL}/api/products?filters[medusa_id][$eq]=${encodeURIComponent(medusaId)}`, {
    headers: { authorization: `Bearer ${CMS_API_TOKEN}` },
  });
  return (await json<{ data: Array<{ documentId: string; title: string; medusa_id: string }> }>(res, 'CMS list')).data;
}

/** Waits for a run with this id to exist (it is started by a webhook, asynchronously). */
/** How a run ended: undefined when it completed, else the error its result rejected with. */
export async function runError(handle: WorkflowHandle): Promise<unknown> {
  return handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
}

export async function waitForRun(client: Client, workflowId: string, timeoutMs = 60_000): Promise<WorkflowHandle> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const handle = client.workflow.getHandle(workflowId);
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A write to a simulator's public API as an operator of that system would make it (no X-Origin). */
export async function simulatorWrite<T>(system: System, method: string, path: string, body: unknown): Promise<T> {
  const sim = simulator(system);
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  return json<T>(res, `${system} ${method} ${path}`);
}

/** An editor's change to a CMS entry (Strapi REST, the stack's API token); Strapi then sends its webhook. */
export async function cmsUpdateEntry(documentId: string, fields: Record<string, string | null>): Promise<{ updatedAt: string }> {
  const { CMS_BASE_URL, CMS_API_TOKEN } = requireEnv('CMS_BASE_URL', 'CMS_API_TOKEN');
  const res = await fetch(`${CMS_BASE_URL}/api/products/${encodeURIComponent(documentId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${CMS_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: fields }),
  });
  return (await json<{ data: { updatedAt: string } }>(res, 'CMS update')).data;
}

/** Posts a body to the bridge signed as `source` would sign it (Standard Webhooks); `id` is the delivery id. */
export async function postSignedWebhook(source: 'medusa' | 'erp' | 'wms', body: unknown, id: string = `msg_${randomUUID()}`): Promise<{ status: number; json: Record<string, unknown> }> {
  const env = requireEnv('BRIDGE_URL', `WEBHOOK_SECRETS_${source.toUpperCase()}`);
  const secret = env[`WEBHOOK_SECRETS_${source.toUpperCase()}`]!.split(',')[0]!;
  const text = JSON.stringify(body);
  const at = new Date();
  const res = await fetch(`${env.BRIDGE_URL}/webhooks/${source}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, text),
    },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Polls `read` until `done` holds for its value (the hub works asynchronously, webhooks included). */
export async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
