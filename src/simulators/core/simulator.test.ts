import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startErpSimulator } from '../erp/server';
import type { ErpItem } from '../erp/types';
import type { SimulatorOptions } from './options';
import type { RunningSimulator } from './server';
import { API_KEY, call, control, CONTROL_KEY, tempDataDir, WEBHOOK_SECRET, WebhookReceiver } from './test-support';

// The shared core is exercised through the ERP simulator: every behaviour here is the core's,
// the ERP just supplies routes to exercise it.

interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

const newItem = (sku: string, extra: Record<string, unknown> = {}) => ({
  sku,
  name: `Item ${sku}`,
  price: { amount: 1999, currency_code: 'EUR' },
  external_ref: `variant_${sku}`,
  ...extra,
});

describe('simulator core', () => {
  let data: ReturnType<typeof tempDataDir>;
  let sim: RunningSimulator;
  const running: RunningSimulator[] = [];

  async function start(extra: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
    const s = await startErpSimulator({ port: 0, dataDir: data.dir, apiKeys: [API_KEY, 'second-key'], controlKey: CONTROL_KEY, ...extra });
    running.push(s);
    return s;
  }

  beforeEach(async () => {
    data = tempDataDir();
    sim = await start();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
    data.remove();
  });

  describe('auth', () => {
    it('answers 401 JSON without or with a wrong API key', async () => {
      const missing = await call(sim.url, 'GET', '/v1/items', { apiKey: null });
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      const wrong = await call(sim.url, 'POST', '/v1/items', { apiKey: 'nope', body: newItem('A') });
      expect(wrong.status).toBe(401);
      expect((await call(sim.url, 'GET', '/v1/items', { apiKey: 'second-key' })).status).toBe(200);
    });

    it('keeps the control API behind the control key, not the API key', async () => {
      const withApiKey = await call(sim.url, 'GET', '/_control/stats');
      expect(withApiKey.status).toBe(401);
      expect((await control(sim.url, 'GET', '/stats')).status).toBe(200);
    });
  });

  describe('request validation', () => {
    it('answers malformed JSON, invalid bodies and unknown routes with JSON errors', async () => {
      const malformed = await call(sim.url, 'POST', '/v1/items', { rawBody: '{"sku": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ error: { code: 'invalid_json' } });

      const invalid = await call(sim.url, 'POST', '/v1/items', { body: { sku: 'X', price: { amount: 1.5, currency_code: 'EUR' } } });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ error: { code: 'validation_error' } });

      const unknown = await call(sim.url, 'GET', '/v1/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
    });

    it('refuses bodies over the limit with 413', async () => {
      const small = await start({ bodyLimitBytes: 100, dataDir: join(data.dir, 'small') });
      const res = await call(small.url, 'POST', '/v1/items', { body: newItem('A', { name: 'x'.repeat(200) }) });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: { code: 'payload_too_large' } });
    });
  });

  describe('idempotency', () => {
    it('replays the stored response for the same key and body, creating one record', async () => {
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'k-1' } }));
      }
      expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(results[1].body).toEqual(results[0].body);
      expect(results[2].body).toEqual(results[0].body);
      expect(results.map((r) => r.headers.get('idempotent-replayed'))).toEqual([null, 'true', 'true']);
      const list = await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items');
      expect(list.body.data).toHaveLength(1);
    });

    it('answers 422 when a key is reused with a different body', async () => {
      await call(sim.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'k-2' } });
      const reused = await call(sim.url, 'POST', '/v1/items', { body: newItem('B'), headers: { 'idempotency-key': 'k-2' } });
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    });

    it('treats the same body with keys in another order as the same request', async () => {
      const first = await call(sim.url, 'POST', '/v1/items', { rawBody: '{"sku":"A","name":"n"}', headers: { 'idempotency-key': 'k-3' } });
      const second = await call(sim.url, 'POST', '/v1/items', { rawBody: '{ "name": "n", "sku": "A" }', headers: { 'idempotency-key': 'k-3' } });
      expect(second.status).toBe(first.status);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
    });

    it('executes concurrent requests with one key only once', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('C'), headers: { 'idempotency-key': 'k-4' } })),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(results.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    });

    it('replays business refusals but lets a corrected request run after a validation error', async () => {
      await call(sim.url, 'POST', '/v1/items', { body: newItem('D') });
      const conflict = await call(sim.url, 'POST', '/v1/items', { body: newItem('D'), headers: { 'idempotency-key': 'k-5' } });
      expect(conflict.status).toBe(409);
      const again = await call(sim.url, 'POST', '/v1/items', { body: newItem('D'), headers: { 'idempotency-key': 'k-5' } });
      expect(again.status).toBe(409);
      expect(again.headers.get('idempotent-replayed')).toBe('true');

      const bad = await call(sim.url, 'POST', '/v1/items', { body: { sku: 'E' }, headers: { 'idempotency-key': 'k-6' } });
      expect(bad.status).toBe(400);
      const fixed = await call(sim.url, 'POST', '/v1/items', { body: { sku: 'E', name: 'E' }, headers: { 'idempotency-key': 'k-6' } });
      expect(fixed.status).toBe(201);
    });
  });

  describe('pagination', () => {
    it('walks all records in creation order with opaque cursors', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem(`P${i}`) })).body.id);
      // A deletion between pages must not derail a cursor.
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: Page<ErpItem> = (await call<Page<ErpItem>>(sim.url, 'GET', `/v1/items?limit=3${qs}`)).body;
        if (seen.length === 0) await call(sim.url, 'DELETE', `/v1/items/${page.data[2].id}`);
        sizes.push(page.data.length);
        seen.push(...page.data.map((i) => i.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(created);
    });

    it('rejects a limit over 200 and a cursor it did not issue', async () => {
      expect((await call(sim.url, 'GET', '/v1/items?limit=201')).status).toBe(400);
      const bad = await call(sim.url, 'GET', '/v1/items?cursor=garbage');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: 'invalid_cursor' } });
    });

    it('answers next_cursor null on the last page and defaults the limit to 50', async () => {
      for (let i = 0; i < 51; i++) await call(sim.url, 'POST', '/v1/items', { body: newItem(`L${i}`) });
      const first = await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items');
      expect(first.body.data).toHaveLength(50);
      const last = await call<Page<ErpItem>>(sim.url, 'GET', `/v1/items?cursor=${first.body.next_cursor}`);
      expect(last.body).toEqual({ data: [expect.objectContaining({ sku: 'L50' })], next_cursor: null });
    });
  });

  describe('rate limiting', () => {
    it('answers 429 with an integer Retry-After once the burst is spent', async () => {
      const limited = await start({ rateLimit: { perSecond: 1, burst: 3 }, dataDir: join(data.dir, 'limited') });
      const results = await Promise.all(Array.from({ length: 8 }, () => call(limited.url, 'GET', '/v1/items')));
      const refused = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        const retryAfter = Number(r.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter)).toBe(true);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(r.body).toMatchObject({ error: { code: 'rate_limited' } });
      }
      // Buckets are per API key: another key still has its burst.
      expect((await call(limited.url, 'GET', '/v1/items', { apiKey: 'second-key' })).status).toBe(200);
    });
  });

  describe('fault injection', () => {
    it('fail_before answers the error and writes nothing', async () => {
      const fault = await control<{ id: string }>(sim.url, 'POST', '/faults', { method: 'post', path: '/v1/items', mode: 'fail_before', times: 1 });
      expect(fault.status).toBe(201);
      const failed = await call(sim.url, 'POST', '/v1/items', { body: newItem('F'), headers: { 'idempotency-key': 'f-1' } });
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ error: { code: 'injected_fault' } });
      expect((await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items')).body.data).toHaveLength(0);
      // Nothing was stored under the key either: the retry executes for real.
      const retry = await call(sim.url, 'POST', '/v1/items', { body: newItem('F'), headers: { 'idempotency-key': 'f-1' } });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
    });

    it('a fault narrowed by idempotency_key_contains is left for the request it names', async () => {
      await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/items', mode: 'fail_before', times: 1, idempotency_key_contains: '/erp-item/MINE' });
      const other = await call(sim.url, 'POST', '/v1/items', { body: newItem('OTHER'), headers: { 'idempotency-key': 'run-b/erp-item/OTHER' } });
      expect(other.status).toBe(201);
      const mine = await call(sim.url, 'POST', '/v1/items', { body: newItem('MINE'), headers: { 'idempotency-key': 'run-a/erp-item/MINE' } });
      expect(mine.status).toBe(503);
      const retry = await call(sim.url, 'POST', '/v1/items', { body: newItem('MINE'), headers: { 'idempotency-key': 'run-a/erp-item/MINE' } });
      expect(retry.status).toBe(201);
    });

    it('fail_after_commit writes, answers the error, and the retry gets the stored success', async () => {
      await control(sim.url, 'POST', '/faults', { method: 'POST', path: '/v1/items', mode: 'fail_after_commit', times: 1, status: 502 });
      const lost = await call(sim.url, 'POST', '/v1/items', { body: newItem('G'), headers: { 'idempotency-key': 'g-1' } });
      expect(lost.status).toBe(502);
      const list = await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items?sku=G');
      expect(list.body.data).toHaveLength(1);
      const retry = await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('G'), headers: { 'idempotency-key': 'g-1' } });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.id).toBe(list.body.data[0].id);
    });

    it('matches path prefixes at segment boundaries and can be listed and removed', async () => {
      const created = await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('H') });
      const { body: fault } = await control<{ id: string }>(sim.url, 'POST', '/faults', {
        path: '/v1/items',
        mode: 'fail_before',
        status: 429,
        retry_after: 3,
      });
      const one = await call(sim.url, 'GET', `/v1/items/${created.body.id}`);
      expect(one.status).toBe(429);
      expect(one.headers.get('retry-after')).toBe('3');
      expect((await call(sim.url, 'GET', '/v1/sales-orders')).status).toBe(200);
      expect((await control<{ data: unknown[] }>(sim.url, 'GET', '/faults')).body.data).toHaveLength(1);
      expect((await control(sim.url, 'DELETE', `/faults/${fault.id}`)).status).toBe(200);
      expect((await call(sim.url, 'GET', `/v1/items/${created.body.id}`)).status).toBe(200);
      expect((await control(sim.url, 'DELETE', `/faults/${fault.id}`)).status).toBe(404);
    });

    it('applies rate 0 never and rate 1 always, and validates the fault body', async () => {
      await control(sim.url, 'POST', '/faults', { mode: 'fail_before', rate: 0 });
      expect((await call(sim.url, 'GET', '/v1/items')).status).toBe(200);
      await control(sim.url, 'DELETE', '/faults');
      await control(sim.url, 'POST', '/faults', { mode: 'fail_before', rate: 1, status: 500 });
      expect((await call(sim.url, 'GET', '/v1/items')).status).toBe(500);
      const bad = await control(sim.url, 'POST', '/faults', { mode: 'explode' });
      expect(bad.status).toBe(400);
    });
  });

  describe('persistence', () => {
    it('restores records and idempotency results after a restart', async () => {
      const a = await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'p-1' } });
      const b = await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('B') });
      await call(sim.url, 'PATCH', `/v1/items/${a.body.id}`, { body: { name: 'renamed' } });
      await call(sim.url, 'DELETE', `/v1/items/${b.body.id}`);
      const before = await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items');
      await sim.close();

      const restarted = await start();
      const after = await call<Page<ErpItem>>(restarted.url, 'GET', '/v1/items');
      expect(after.body).toEqual(before.body);
      expect(after.body.data[0]).toMatchObject({ name: 'renamed', version: 2 });
      const replay = await call<ErpItem>(restarted.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'p-1' } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(a.body);
      // The SKU index was rebuilt too.
      expect((await call(restarted.url, 'POST', '/v1/items', { body: newItem('A') })).status).toBe(409);
    });

    it('drops a torn last line and keeps appending after it', async () => {
      await call(sim.url, 'POST', '/v1/items', { body: newItem('A') });
      await sim.close();
      const [journalFile] = readdirSync(data.dir).filter((f) => f.endsWith('.jsonl'));
      appendFileSync(join(data.dir, journalFile), '{"t":"2024-01-01T00:00:00.000Z","ops":[{"o":"put","c":"items"');

      const second = await start();
      expect((await call<Page<ErpItem>>(second.url, 'GET', '/v1/items')).body.data.map((i) => i.sku)).toEqual(['A']);
      await call(second.url, 'POST', '/v1/items', { body: newItem('B') });
      await second.close();

      const third = await start();
      expect((await call<Page<ErpItem>>(third.url, 'GET', '/v1/items')).body.data.map((i) => i.sku)).toEqual(['A', 'B']);
    });
  });

  describe('control API', () => {
    it('counts requests per route template and status, and records', async () => {
      const a = await call<ErpItem>(sim.url, 'POST', '/v1/items', { body: newItem('A') });
      await call(sim.url, 'GET', `/v1/items/${a.body.id}`);
      await call(sim.url, 'GET', '/v1/items/missing');
      const stats = await control<{ requests: Record<string, number>; statuses: Record<string, number>; records: Record<string, number> }>(
        sim.url,
        'GET',
        '/stats',
      );
      expect(stats.body.requests).toMatchObject({ 'POST /v1/items': 1, 'GET /v1/items/:id': 2 });
      expect(stats.body.statuses).toMatchObject({ '201': 1, '200': 1, '404': 1 });
      expect(stats.body.records).toEqual({ items: 1, sales_orders: 0 });
    });

    it('reset wipes data, idempotency records and faults, also on disk', async () => {
      await call(sim.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'r-1' } });
      await control(sim.url, 'POST', '/faults', { path: '/v1/sales-orders', mode: 'fail_before' });
      expect((await control(sim.url, 'POST', '/reset')).status).toBe(200);
      expect((await call<Page<ErpItem>>(sim.url, 'GET', '/v1/items')).body.data).toHaveLength(0);
      expect((await call(sim.url, 'GET', '/v1/sales-orders')).status).toBe(200);
      const again = await call(sim.url, 'POST', '/v1/items', { body: newItem('A'), headers: { 'idempotency-key': 'r-1' } });
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      await sim.close();
      const restarted = await start();
      expect((await call<Page<ErpItem>>(restarted.url, 'GET', '/v1/items')).body.data).toHaveLength(1);
    });
  });

  describe('webhooks', () => {
    let receiver: WebhookReceiver;
    beforeEach(async () => {
      receiver = await new WebhookReceiver().start();
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((s) => s.close()));
      await receiver.close();
    });

    const withHooks = (dir: string, events?: string[]) =>
      start({ dataDir: join(data.dir, dir), webhook: { url: receiver.url, secret: WEBHOOK_SECRET, retry: { baseMs: 20, maxMs: 100 }, events } });

    it('delivers signed events, retries a failed delivery with the same webhook-id', async () => {
      const hooked = await withHooks('hooks');
      receiver.failNext(1);
      const item = await call<ErpItem>(hooked.url, 'POST', '/v1/items', { body: newItem('W'), headers: { 'x-origin': 'hub' } });
      await receiver.waitFor(() => receiver.accepted().length === 1);

      expect(receiver.received).toHaveLength(2);
      const [failed, delivered] = receiver.received;
      expect(failed.status).toBe(500);
      expect(delivered.headers['webhook-id']).toBe(failed.headers['webhook-id']);
      const wh = new Webhook(WEBHOOK_SECRET);
      for (const r of receiver.received) expect(() => wh.verify(r.body, r.headers)).not.toThrow();
      expect(() => new Webhook(`whsec_${Buffer.from('another secret').toString('base64')}`).verify(delivered.body, delivered.headers)).toThrow();

      const event = wh.verify(delivered.body, delivered.headers);
      expect(event).toEqual({
        type: 'item.created',
        id: delivered.headers['webhook-id'],
        occurred_at: item.body.created_at,
        data: item.body,
        sequence: 1,
        origin: 'hub',
      });

      const outbox = await control<{ data: Array<{ id: string; status: string; attempts: number; last_status: number }> }>(
        hooked.url,
        'GET',
        '/webhooks',
      );
      expect(outbox.body.data).toEqual([expect.objectContaining({ id: delivered.headers['webhook-id'], status: 'delivered', attempts: 2, last_status: 204 })]);
    });

    it('numbers events per entity and sends origin null when not given', async () => {
      const hooked = await withHooks('seq');
      const item = await call<ErpItem>(hooked.url, 'POST', '/v1/items', { body: newItem('S') });
      await call(hooked.url, 'PATCH', `/v1/items/${item.body.id}`, { body: { name: 'S2' } });
      await call(hooked.url, 'DELETE', `/v1/items/${item.body.id}`);
      await call(hooked.url, 'POST', '/v1/items', { body: newItem('T') });
      await receiver.waitFor(() => receiver.accepted().length === 4);
      const events = receiver.accepted().map((r) => JSON.parse(r.body) as { type: string; sequence: number; origin: null; data: { sku: string } });
      // Delivery order is not guaranteed (concurrent deliveries); the sequence is what orders them.
      const forS = events.filter((e) => e.data.sku === 'S');
      expect(forS.map((e) => [e.type, e.sequence]).sort()).toEqual([
        ['item.created', 1],
        ['item.deleted', 3],
        ['item.updated', 2],
      ]);
      expect(events.find((e) => e.data.sku === 'T')).toMatchObject({ sequence: 1, origin: null });
    });

    it('queues only the subscribed event types, numbering the others all the same', async () => {
      const hooked = await withHooks('subscribed', ['item.updated']);
      const item = await call<ErpItem>(hooked.url, 'POST', '/v1/items', { body: newItem('U') });
      await call(hooked.url, 'PATCH', `/v1/items/${item.body.id}`, { body: { name: 'U2' } });
      await call(hooked.url, 'DELETE', `/v1/items/${item.body.id}`);
      await receiver.waitFor(() => receiver.accepted().length >= 1);

      // item.created and item.deleted were never queued (the journal check below proves it), so
      // no late delivery of them can still be on its way.
      const events = receiver.received.map((r) => JSON.parse(r.body) as { type: string; sequence: number });
      expect(events.map((e) => [e.type, e.sequence])).toEqual([['item.updated', 2]]);
      const outbox = await control<{ events: string[] | null; data: Array<{ type: string }> }>(hooked.url, 'GET', '/webhooks');
      expect(outbox.body.events).toEqual(['item.updated']);
      expect(outbox.body.data.map((e) => e.type)).toEqual(['item.updated']);
      const stats = await control<{ webhooks: { events: string[] | null; delivered: number; pending: number } }>(hooked.url, 'GET', '/stats');
      expect(stats.body.webhooks).toMatchObject({ events: ['item.updated'], delivered: 1, pending: 0 });
      // Nothing of the unsubscribed events reached the journal either.
      await hooked.close();
      const [journalFile] = readdirSync(join(data.dir, 'subscribed')).filter((f) => f.endsWith('.jsonl'));
      const journal = readFileSync(join(data.dir, 'subscribed', journalFile), 'utf8');
      expect(journal).toContain('item.updated');
      expect(journal).not.toContain('item.created');
      expect(journal).not.toContain('item.deleted');
    });

    it('reports every event type as subscribed when no list is given', async () => {
      const hooked = await withHooks('all');
      const stats = await control<{ webhooks: { events: string[] | null } }>(hooked.url, 'GET', '/stats');
      expect(stats.body.webhooks.events).toBeNull();
    });

    it('refuses an empty or malformed event list at start', async () => {
      await expect(withHooks('empty', [])).rejects.toThrow('needs at least one event type');
      await expect(withHooks('malformed', ['item'])).rejects.toThrow('must be an event type');
    });

    it('keeps undelivered events across a restart and delivers them afterwards', async () => {
      let hooked = await withHooks('restart');
      receiver.failNext(1_000);
      await call(hooked.url, 'POST', '/v1/items', { body: newItem('R') });
      await receiver.waitFor(() => receiver.received.length >= 1);
      await hooked.close();

      receiver.failNext(0);
      hooked = await withHooks('restart');
      await receiver.waitFor(() => receiver.accepted().length === 1);
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const stats = await control<{ webhooks: { delivered: number; pending: number } }>(hooked.url, 'GET', '/stats');
      expect(stats.body.webhooks).toMatchObject({ delivered: 1, pending: 0 });
    });
  });
});
