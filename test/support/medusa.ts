import type Medusa from '@medusajs/js-sdk';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startMedusa } from '../../src/stack/medusa';
import { testProfile } from './env';

/**
 * Test plumbing for the Medusa suites. Kept out of *.test.ts so a jest globalSetup can take over
 * starting Medusa later: when MEDUSA_BACKEND_URL and MEDUSA_API_KEY are already set, nothing is
 * started here.
 */
export interface TestMedusa {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function medusaForTests(): Promise<TestMedusa> {
  const service = await startMedusa(testProfile());
  return { env: service.env, stop: () => service.stop() };
}

/**
 * A Medusa of the suite's own whose subscriber posts to `webhook`. Always started (the shared
 * instance's webhook target is not ours to choose), on the port after the test profile's, with
 * the test profile's database, secrets and API key, so it boots without migrating.
 */
export async function medusaPostingTo(webhook: { url: string; secret: string }): Promise<TestMedusa> {
  const base = testProfile();
  const profile = { ...base, ports: { ...base.ports, medusa: base.ports.medusa + 1 }, logDir: join(base.logDir, 'forwarder') };
  const service = await startMedusa(profile, { hubWebhookUrl: webhook.url, hubWebhookSecret: webhook.secret, alwaysStart: true });
  return { env: service.env, stop: () => service.stop() };
}

export interface ReceivedWebhook {
  body: string;
  headers: Record<string, string>;
  /** What the listener answered. */
  status: number;
}

export interface WebhookListener {
  url: string;
  secret: string;
  received: ReceivedWebhook[];
  /** Statuses for the next requests, in order (to play a failing bridge); 204 once used up. */
  answers: number[];
  close(): Promise<void>;
}

/** A stand-in for the hub's bridge: records every POST and answers 204 unless told otherwise. */
export async function startWebhookListener(): Promise<WebhookListener> {
  const received: ReceivedWebhook[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers.shift() ?? 204;
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: flattenHeaders(req.headers), status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/medusa`,
    secret: `whsec_${randomBytes(24).toString('base64')}`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export interface TestProductInput {
  salesChannelId: string;
  shippingProfileId: string;
  metadata?: Record<string, string>;
}

/** Products with unique handles and SKUs, created in one batch call (the fast route). */
export async function createTestProducts(sdk: Medusa, count: number, input: TestProductInput): Promise<string[]> {
  const run = randomUUID().slice(0, 8);
  const { created } = await sdk.admin.product.batch({
    create: Array.from({ length: count }, (_, i) => ({
      title: `Hub test ${run} ${i}`,
      handle: `hub-test-${run}-${i}`,
      status: 'published' as const,
      options: [{ title: 'Size', values: ['S', 'M'] }],
      variants: ['S', 'M'].map((size) => ({
        title: size,
        sku: `HUB-${run}-${i}-${size}`,
        manage_inventory: false,
        options: { Size: size },
        prices: [{ currency_code: 'eur', amount: size === 'S' ? 10 : 12.5 }],
      })),
      sales_channels: [{ id: input.salesChannelId }],
      shipping_profile_id: input.shippingProfileId,
      metadata: input.metadata,
    })),
  });
  return created.map((p) => p.id);
}

export async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
