import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testProfile } from '../../test/support/env';
import { WebhookReceiver } from '../simulators/core/test-support';
import type { RunningService } from './process';
import type { StackProfile } from './profile';
import { startStrapi, type StartStrapiOptions } from './strapi';

/**
 * The hub's Strapi webhook and its events (CMS_WEBHOOK_EVENTS, apps/strapi/src/index.js), on a
 * Strapi of this file's own: beside the shared one, on the next port but one (the CMS adapter's
 * test takes the next), with a data dir that starts empty.
 */
const profile: StackProfile = (() => {
  const test = testProfile();
  const dataDir = join(test.dataDir, 'strapi-webhook-test');
  return { ...test, dataDir, logDir: join(dataDir, 'logs'), ports: { ...test.ports, strapi: test.ports.strapi + 2 } };
})();
const WEBHOOK_SECRET = 'strapi-webhook-test-secret-0123456789';

let receiver: WebhookReceiver;
let strapi: RunningService | undefined;

/** Starts this file's Strapi, never the one the environment names (startStrapi would reuse that). */
async function start(opts: Partial<StartStrapiOptions> = {}): Promise<RunningService> {
  const { CMS_BASE_URL, CMS_API_TOKEN } = process.env;
  delete process.env.CMS_BASE_URL;
  delete process.env.CMS_API_TOKEN;
  try {
    return await startStrapi(profile, { webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET, ...opts });
  } finally {
    if (CMS_BASE_URL !== undefined) process.env.CMS_BASE_URL = CMS_BASE_URL;
    if (CMS_API_TOKEN !== undefined) process.env.CMS_API_TOKEN = CMS_API_TOKEN;
  }
}

async function restart(opts: Partial<StartStrapiOptions> = {}): Promise<RunningService> {
  await strapi?.stop();
  strapi = undefined;
  strapi = await start(opts);
  return strapi;
}

/** Creates a product entry and then changes its title: one entry.create, one entry.update. */
async function createThenUpdate(service: RunningService): Promise<string> {
  const medusaId = `prod_test_${randomUUID()}`;
  const api = async (method: string, path: string, data: Record<string, unknown>) => {
    const res = await fetch(`${service.env.CMS_BASE_URL}/api/products${path}`, {
      method,
      headers: { authorization: `Bearer ${service.env.CMS_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data }),
    });
    const body = (await res.json()) as { data: { documentId: string } };
    expect(res.status).toBe(method === 'POST' ? 201 : 200);
    return body.data;
  };
  const { documentId } = await api('POST', '', { medusa_id: medusaId, title: 'Linen shirt' });
  await api('PUT', `/${documentId}`, { title: 'Linen shirt (edited)' });
  return medusaId;
}

const eventsFor = (medusaId: string): string[] =>
  receiver.received
    .map((r) => JSON.parse(r.body) as { event: string; entry: { medusa_id?: string } })
    .filter((b) => b.entry.medusa_id === medusaId)
    .map((b) => b.event);

beforeAll(async () => {
  rmSync(profile.dataDir, { recursive: true, force: true });
  receiver = await new WebhookReceiver().start();
});

afterAll(async () => {
  await strapi?.stop();
  await receiver?.close();
});

describe("the hub's Strapi webhook", () => {
  test('subscribes to the given events only, and narrows a webhook an earlier start made wider', async () => {
    // First without a list: the defaults, entry.create included.
    const wide = await restart();
    const before = await createThenUpdate(wide);
    await receiver.waitFor(() => eventsFor(before).length === 2);
    expect(eventsFor(before).sort()).toEqual(['entry.create', 'entry.update']);

    // Same webhook (same name and URL), now with entry.update only: updated in place on start.
    const narrow = await restart({ webhookEvents: ['entry.update'] });
    const after = await createThenUpdate(narrow);
    await receiver.waitFor(() => eventsFor(after).includes('entry.update'));
    // Strapi starts a delivery as the write happens, so a create sent at all would have been on
    // its way before the update was even written.
    expect(eventsFor(after)).toEqual(['entry.update']);
  });

  test('refuses to start with an event Strapi does not know, naming it and the known ones', async () => {
    await strapi?.stop();
    strapi = undefined;
    // A Strapi that starts after all is stopped again, so the failure does not leave it running.
    const failure = await start({ webhookEvents: ['entry.update', 'entry.updated'] }).then(
      (started) => started.stop(),
      (err: unknown) => err,
    );
    expect(failure).toEqual(expect.objectContaining({ message: expect.stringMatching(/the process exited/) }));
    const log = readFileSync(join(profile.logDir, 'strapi.log'), 'utf8');
    expect(log).toMatch(/unknown Strapi webhook event\(s\) entry\.updated; known: entry\.create, entry\.update/);
  });

  test('refuses an empty event list before starting anything', async () => {
    await expect(start({ webhookEvents: [] })).rejects.toThrow('webhookEvents is empty');
  });
});
