import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { RunningService } from '../../stack/process';
import type { StackProfile } from '../../stack/profile';
import { testProfile } from '../../../test/support/env';
import { startStrapi } from '../../stack/strapi';
import { CmsClient } from './client';
import { createCmsActivities, type CmsActivities } from './products';

/**
 * Runs against a real Strapi. The adapter tests use the CMS named by CMS_BASE_URL and
 * CMS_API_TOKEN when a global setup provides one. The webhook and restart tests need a Strapi
 * whose process and webhook target they control, so this file starts one of its own: on the
 * test profile when nothing else runs, or beside the shared one (next port, own data dir).
 */

const WEBHOOK_SECRET = 'cms-test-webhook-secret-0123456789';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: unknown;
}

const sharedCms =
  process.env.CMS_BASE_URL && process.env.CMS_API_TOKEN
    ? { baseUrl: process.env.CMS_BASE_URL, apiToken: process.env.CMS_API_TOKEN }
    : undefined;

function ownedProfile(): StackProfile {
  const test = testProfile();
  if (!sharedCms) return test;
  const dataDir = join(test.dataDir, 'cms-test');
  return { ...test, dataDir, logDir: join(dataDir, 'logs'), ports: { ...test.ports, strapi: test.ports.strapi + 1 } };
}

/** Starts (or restarts) this file's own Strapi, never the one named by the environment. */
async function startOwnedStrapi(profile: StackProfile, webhookUrl: string): Promise<RunningService> {
  const { CMS_BASE_URL, CMS_API_TOKEN } = process.env;
  delete process.env.CMS_BASE_URL;
  delete process.env.CMS_API_TOKEN;
  try {
    return await startStrapi(profile, { webhookUrl, webhookSecret: WEBHOOK_SECRET });
  } finally {
    if (CMS_BASE_URL !== undefined) process.env.CMS_BASE_URL = CMS_BASE_URL;
    if (CMS_API_TOKEN !== undefined) process.env.CMS_API_TOKEN = CMS_API_TOKEN;
  }
}

const profile = ownedProfile();
const deliveries: Delivery[] = [];
let listener: Server;
let webhookUrl: string;
let owned: RunningService | undefined;
let cms: CmsActivities;
let ownedCms: CmsActivities;

const uniqueMedusaId = (): string => `prod_test_${randomUUID()}`;
const productInput = (medusaId: string) => ({
  medusaId,
  title: 'Linen shirt',
  handle: `linen-shirt-${medusaId.slice(-8)}`,
  description: 'Breathable summer shirt',
  skus: ['LIN-S', 'LIN-M'],
});

function activitiesFor(env: Record<string, string>): CmsActivities {
  return createCmsActivities(new CmsClient({ baseUrl: env.CMS_BASE_URL!, apiToken: env.CMS_API_TOKEN }));
}

/** Waits for a delivery matching `match`; the deadline only bounds a test that would fail anyway. */
async function waitForDelivery(match: (d: Delivery) => boolean, timeoutMs = 20_000): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = deliveries.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching webhook among ${deliveries.length} deliveries`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function entryMedusaId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('entry' in body)) return undefined;
  const entry = (body as { entry: unknown }).entry;
  return typeof entry === 'object' && entry !== null && 'medusa_id' in entry ? (entry as { medusa_id: unknown }).medusa_id : undefined;
}

beforeAll(async () => {
  listener = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      deliveries.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  webhookUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/webhooks/cms`;

  owned = await startOwnedStrapi(profile, webhookUrl);
  ownedCms = activitiesFor(owned.env);
  cms = sharedCms ? activitiesFor({ CMS_BASE_URL: sharedCms.baseUrl, CMS_API_TOKEN: sharedCms.apiToken }) : ownedCms;
});

afterAll(async () => {
  await owned?.stop();
  listener?.closeAllConnections();
  await new Promise((r) => listener?.close(r));
});

describe('CMS product activities', () => {
  test('upsert creates an entry with the hub-owned fields', async () => {
    const input = productInput(uniqueMedusaId());
    const result = await cms.cmsUpsertProductEntry(input);
    expect(result.created).toBe(true);
    expect(result.documentId).toEqual(expect.any(String));

    const entry = await cms.cmsGetProductEntry({ medusaId: input.medusaId });
    expect(entry).toMatchObject({
      documentId: result.documentId,
      medusaId: input.medusaId,
      title: input.title,
      handle: input.handle,
      description: input.description,
      skus: input.skus,
      subtitle: null,
    });
  });

  test('upsert twice leaves one entry with the same documentId', async () => {
    const input = productInput(uniqueMedusaId());
    const first = await cms.cmsUpsertProductEntry(input);
    const second = await cms.cmsUpsertProductEntry(input);
    expect(second).toEqual({ documentId: first.documentId, created: false });

    // Only the unique medusa_id links an entry to Medusa, so count by it directly.
    const base = sharedCms?.baseUrl ?? owned!.env.CMS_BASE_URL;
    const token = sharedCms?.apiToken ?? owned!.env.CMS_API_TOKEN;
    const res = await fetch(`${base}/api/products?filters[medusa_id][$eq]=${encodeURIComponent(input.medusaId)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const list = (await res.json()) as { data: unknown[] };
    expect(list.data).toHaveLength(1);
  });

  test('upsert refreshes hub-owned fields and keeps what editors wrote', async () => {
    const input = productInput(uniqueMedusaId());
    const { documentId } = await cms.cmsUpsertProductEntry(input);
    const base = sharedCms?.baseUrl ?? owned!.env.CMS_BASE_URL;
    const token = sharedCms?.apiToken ?? owned!.env.CMS_API_TOKEN;
    const edit = await fetch(`${base}/api/products/${documentId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { subtitle: 'Cool in the heat', seo_title: 'Linen shirt | Shop' } }),
    });
    expect(edit.status).toBe(200);

    const again = await cms.cmsUpsertProductEntry({ ...input, title: 'Linen shirt (new cut)', skus: ['LIN-S'] });
    // What it changed comes back, so an undo can put it back (issue 9).
    expect(again).toEqual({ documentId, created: false, previous: { title: input.title, handle: input.handle, description: input.description, skus: input.skus } });
    expect(await cms.cmsGetProductEntry({ medusaId: input.medusaId })).toMatchObject({
      title: 'Linen shirt (new cut)',
      skus: ['LIN-S'],
      subtitle: 'Cool in the heat',
      seoTitle: 'Linen shirt | Shop',
    });
  });

  test('delete removes the entry', async () => {
    const input = productInput(uniqueMedusaId());
    await cms.cmsUpsertProductEntry(input);
    await expect(cms.cmsDeleteProductEntry({ medusaId: input.medusaId })).resolves.toEqual({ deleted: true });
    await expect(cms.cmsGetProductEntry({ medusaId: input.medusaId })).resolves.toBeNull();
  });

  test('the undo of an upsert that updated an existing entry puts its fields back instead of deleting it', async () => {
    const input = productInput(uniqueMedusaId());
    const { documentId } = await cms.cmsUpsertProductEntry(input);
    const creationKey = `run-${randomUUID()}/cms-entry`;
    const upserted = await cms.cmsUpsertProductEntry({ ...input, title: 'Renamed by a run', creationKey });
    expect(upserted).toMatchObject({ documentId, created: false });
    await expect(cms.cmsDeleteProductEntry({ medusaId: input.medusaId, creationKey, upserted })).resolves.toEqual({ deleted: false, restored: true });
    expect(await cms.cmsGetProductEntry({ medusaId: input.medusaId })).toMatchObject({ documentId, title: input.title });
    // Outcome unknown: the entry was not made by this step, so it stays.
    await expect(cms.cmsDeleteProductEntry({ medusaId: input.medusaId, creationKey })).resolves.toEqual({ deleted: false, skipped: 'not_created_by_step' });
    expect(await cms.cmsGetProductEntry({ medusaId: input.medusaId })).not.toBeNull();
  });

  test('an entry made under the step key counts as created, even by an attempt whose response was lost', async () => {
    const input = productInput(uniqueMedusaId());
    const creationKey = `run-${randomUUID()}/cms-entry`;
    const first = await cms.cmsUpsertProductEntry({ ...input, creationKey });
    // The retry after a lost response hits the unique medusa_id and finds its own entry.
    await expect(cms.cmsUpsertProductEntry({ ...input, creationKey })).resolves.toEqual({ documentId: first.documentId, created: true });
    // An undo that never learnt the outcome proves the entry is the step's, and deletes it.
    await expect(cms.cmsDeleteProductEntry({ medusaId: input.medusaId, creationKey })).resolves.toEqual({ deleted: true });
    await expect(cms.cmsGetProductEntry({ medusaId: input.medusaId })).resolves.toBeNull();
  });

  test('delete of an entry that never existed is done, not an error', async () => {
    await expect(cms.cmsDeleteProductEntry({ medusaId: uniqueMedusaId() })).resolves.toEqual({ deleted: false });
  });

  test('a request without a token fails non-retryably', async () => {
    const base = sharedCms?.baseUrl ?? owned!.env.CMS_BASE_URL;
    const anonymous = createCmsActivities(new CmsClient({ baseUrl: base }));
    const failure = await anonymous.cmsGetProductEntry({ medusaId: uniqueMedusaId() }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'HttpClientError' });
  });
});

describe('Strapi started by the stack', () => {
  test('a create reaches the webhook listener with the shared secret and the event name', async () => {
    const input = productInput(uniqueMedusaId());
    await ownedCms.cmsUpsertProductEntry(input);
    const delivery = await waitForDelivery((d) => entryMedusaId(d.body) === input.medusaId && d.headers['x-strapi-event'] === 'entry.create');
    expect(delivery.headers['x-hub-webhook-secret']).toBe(WEBHOOK_SECRET);
    expect(delivery.body).toMatchObject({ event: 'entry.create', model: 'product', entry: { medusa_id: input.medusaId } });
  });

  test('after a restart the token still works and the data is still there', async () => {
    const input = productInput(uniqueMedusaId());
    const { documentId } = await ownedCms.cmsUpsertProductEntry(input);
    const before = owned!.env;

    await owned!.stop();
    owned = undefined;
    owned = await startOwnedStrapi(profile, webhookUrl);

    expect(owned.env).toEqual(before);
    await expect(activitiesFor(owned.env).cmsGetProductEntry({ medusaId: input.medusaId })).resolves.toMatchObject({
      documentId,
      title: input.title,
    });
  });
});
