import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Medusa from '@medusajs/js-sdk';
import type { Client } from '@temporalio/client';
import { runCli, type CliRun } from '../../test/support/cli';
import { medusaPostingTo, type TestMedusa } from '../../test/support/medusa';
import { resolveTemporalBinary } from '../stack/temporal';
import { requireEnv } from '../../test/support/env';
import { temporalClient, uniq, waitForIdleHub } from '../../test/support/systems';
import { backfillProgressQuery, type BackfillProgress } from '../workflows/backfill/backfill-products';

/**
 * The CLI as a user runs it: spawned, read from its output and exit code, against the real
 * Temporal, Medusa, Strapi and simulators. The flows run on a worker of this suite's own (task
 * queues prefixed by HUB_TASK_QUEUE_PREFIX), so it can be killed mid-run. The catalogue is seeded
 * through a Medusa of the suite's own whose events go nowhere: these products exist before the
 * hub knew of them, as a catalogue being adopted does.
 */

const ROOT = join(__dirname, '..', '..');
const TAG = uniq();
const PREFIX = `BF-${TAG}-`;
const QUEUE_PREFIX = `bf-${TAG}-`;
const PRODUCTS = 2000;
const env = { ...process.env, HUB_TASK_QUEUE_PREFIX: QUEUE_PREFIX };

const hub = (...args: string[]): Promise<CliRun> => runCli(env, ...args);

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/backfill-worker.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('backfill worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`backfill worker exited ${code}: ${err}`)));
  });
}

async function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const workflowIdOf = (run: CliRun): string => {
  const m = /backfill started: (\S+)/.exec(run.stdout);
  if (!m) throw new Error(`no workflow id in: ${run.stdout} ${run.stderr}`);
  return m[1]!;
};

/** Every record with our prefix in a simulator, by paging its list endpoint. */
async function simulatorSkus(system: 'ERP' | 'WMS', prefix = PREFIX): Promise<Array<{ id: string; sku: string; external_ref: string | null }>> {
  const e = requireEnv(`${system}_BASE_URL`, `${system}_API_KEY`);
  const path = system === 'ERP' ? '/v1/items' : '/v1/skus';
  const out: Array<{ id: string; sku: string; external_ref: string | null }> = [];
  let cursor: string | null = null;
  do {
    const url: string = `${e[`${system}_BASE_URL`]}${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${e[`${system}_API_KEY`]}` } });
    const body = (await res.json()) as { data: Array<{ id: string; sku: string; external_ref: string | null }>; next_cursor: string | null };
    out.push(...body.data.filter((r) => r.sku.startsWith(prefix)));
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

async function cmsEntriesWithTitlePrefix(prefix: string): Promise<Array<{ documentId: string; medusa_id: string; title: string }>> {
  const { CMS_BASE_URL, CMS_API_TOKEN } = requireEnv('CMS_BASE_URL', 'CMS_API_TOKEN');
  const out: Array<{ documentId: string; medusa_id: string; title: string }> = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${CMS_BASE_URL}/api/products?filters[handle][$startsWith]=${encodeURIComponent(prefix)}&pagination[pageSize]=100&pagination[page]=${page}`, {
      headers: { authorization: `Bearer ${CMS_API_TOKEN}` },
    });
    const body = (await res.json()) as { data: Array<{ documentId: string; medusa_id: string; title: string }>; meta: { pagination: { pageCount: number } } };
    out.push(...body.data);
    if (page >= body.meta.pagination.pageCount) return out;
  }
}

/**
 * Where the suite's own Medusa sends its events: dropped while the catalogue is seeded (those
 * products predate the hub), passed on to the hub's bridge once `forward` is set.
 */
interface EventRelay {
  url: string;
  forward: boolean;
  close(): Promise<void>;
}

async function startEventRelay(bridgeUrl: string): Promise<EventRelay> {
  const relay = { forward: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!relay.forward) {
        res.statusCode = 204;
        res.end();
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && (e[0].startsWith('webhook-') || e[0] === 'content-type')));
      fetch(`${bridgeUrl}/webhooks/medusa`, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
        (r) => {
          res.statusCode = r.status;
          res.end();
        },
        () => {
          res.statusCode = 502;
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(relay, {
    url: `http://127.0.0.1:${port}/webhooks/medusa`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** kill -9 of whatever listens on the Medusa's port: no shutdown hooks, events in memory are gone. */
function killListener(baseUrl: string): void {
  const { port } = new URL(baseUrl);
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pids = [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  if (pids.length === 0) throw new Error(`nothing listens on ${baseUrl}`);
  for (const pid of new Set(pids)) process.kill(pid, 'SIGKILL');
}

async function seedProducts(sdk: Medusa, prefix: string, handlePrefix: string, from: number, count: number): Promise<string[]> {
  const { MEDUSA_SHIPPING_PROFILE_ID } = requireEnv('MEDUSA_SHIPPING_PROFILE_ID');
  const { created } = await sdk.admin.product.batch(
    {
      create: Array.from({ length: count }, (_, i) => ({
        title: `Backfill ${prefix} ${from + i}`,
        handle: `${handlePrefix}${from + i}`,
        status: 'published' as const,
        shipping_profile_id: MEDUSA_SHIPPING_PROFILE_ID,
        options: [{ title: 'Size', values: ['One'] }],
        variants: [{ title: 'One', sku: `${prefix}${from + i}`, manage_inventory: false, options: { Size: 'One' }, prices: [{ currency_code: 'eur', amount: 1000 }] }],
      })),
    },
    { fields: 'id' },
  );
  return created.map((p) => p.id);
}

const countBy = (keys: string[]): Map<string, number> => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

describe('hub CLI: backfill, reconcile, schedule', () => {
  let client: Client;
  let worker: ChildProcess;
  let relay: EventRelay;
  let seeder: TestMedusa;
  let sdk: Medusa;
  const productIds: string[] = [];
  const handlePrefix = `bf-${TAG.toLowerCase()}-`;

  beforeAll(async () => {
    client = await temporalClient();
    const { BRIDGE_URL, WEBHOOK_SECRETS_MEDUSA } = requireEnv('BRIDGE_URL', 'WEBHOOK_SECRETS_MEDUSA');
    [worker, relay] = await Promise.all([startWorker(), startEventRelay(BRIDGE_URL)]);
    seeder = await medusaPostingTo({ url: relay.url, secret: WEBHOOK_SECRETS_MEDUSA.split(',')[0]! });
    sdk = new Medusa({ baseUrl: seeder.env.MEDUSA_BACKEND_URL!, apiKey: seeder.env.MEDUSA_API_KEY! });
    for (let start = 0; start < PRODUCTS; start += 200) productIds.push(...(await seedProducts(sdk, PREFIX, handlePrefix, start, 200)));
  }, 300_000);

  afterAll(async () => {
    await killWorker(worker);
    await seeder?.stop();
    await relay?.close();
    await client?.connection.close();
  });

  test('--help works on every command, and a bad flag is a usage error (exit 2)', async () => {
    for (const args of [['--help'], ['backfill', 'products', '--help'], ['backfill', 'status', '--help'], ['reconcile', '--help'], ['schedule', 'reconcile', '--help'], ['schedule', 'list', '--help']]) {
      const run = await hub(...args);
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      expect(run.stdout).toContain('Usage: hub');
    }
    const bad = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,pos');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('to[1]');
    const wrongWay = await hub('backfill', 'products', '--from', 'erp', '--to', 'wms');
    expect(wrongWay.code).toBe(2);
    expect(wrongWay.stderr).toContain('--from erp goes --to medusa only');
    const unknown = await hub('backfill', 'status', 'backfill-products/nope');
    expect(unknown.code).toBe(2);
  });

  test('--dry-run counts the products and writes nothing', async () => {
    const run = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms,cms', '--sku-prefix', PREFIX, '--batch-size', '200', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`completed (dry run, nothing written): ${PRODUCTS} product(s) done, 0 failed`);
    expect(await simulatorSkus('ERP')).toEqual([]);
    expect(await simulatorSkus('WMS')).toEqual([]);
    expect(await cmsEntriesWithTitlePrefix(handlePrefix)).toEqual([]);
  });

  test(`a backfill of ${PRODUCTS} products survives its worker being killed, and leaves each exactly once in ERP, WMS and CMS`, async () => {
    const started = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms,cms', '--sku-prefix', PREFIX, '--batch-size', '100', '--concurrency', '8', '--detach');
    expect(started.code).toBe(0);
    const id = workflowIdOf(started);
    const handle = client.workflow.getHandle(id);
    await until('a few batches written', async () => {
      const p: BackfillProgress = await handle.query(backfillProgressQuery);
      return p.done >= 300 ? p : undefined;
    });
    await killWorker(worker);
    worker = await startWorker();

    await handle.result(); // follows the run across continue-as-new
    const status = JSON.parse((await hub('backfill', 'status', id, '--json')).stdout) as { status: string; progress: BackfillProgress | null };
    expect(status.status).toBe('COMPLETED');
    expect(status.progress).toMatchObject({ state: 'completed', done: PRODUCTS, failed: 0 });

    const expectOnce = (skus: string[]) => {
      const counts = countBy(skus);
      expect(counts.size).toBe(PRODUCTS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    };
    const erp = await simulatorSkus('ERP');
    const wms = await simulatorSkus('WMS');
    const cms = await cmsEntriesWithTitlePrefix(handlePrefix);
    expectOnce(erp.map((r) => r.sku));
    expectOnce(wms.map((r) => r.sku));
    expectOnce(cms.map((e) => e.medusa_id));
    expect(new Set(erp.map((r) => r.external_ref))).toEqual(new Set(productIds));

    // A second backfill of the same catalogue, followed in the foreground: nothing new anywhere.
    const again = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms,cms', '--sku-prefix', PREFIX, '--batch-size', '200', '--concurrency', '16');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`completed: ${PRODUCTS} product(s) done, 0 failed item(s)`);
    expect((await simulatorSkus('ERP')).map((r) => r.id).sort()).toEqual(erp.map((r) => r.id).sort());
    expect((await simulatorSkus('WMS')).map((r) => r.id).sort()).toEqual(wms.map((r) => r.id).sort());
    expect((await cmsEntriesWithTitlePrefix(handlePrefix)).map((e) => e.documentId).sort()).toEqual(cms.map((e) => e.documentId).sort());
  }, 420_000);

  test('pause holds a backfill, resume lets it go on, cancel stops it cleanly', async () => {
    const started = await hub('backfill', 'products', '--from', 'medusa', '--to', 'cms', '--sku-prefix', PREFIX, '--batch-size', '10', '--concurrency', '1', '--detach');
    const id = workflowIdOf(started);
    const handle = client.workflow.getHandle(id);
    expect((await hub('backfill', 'pause', id)).code).toBe(0);
    const paused = await until('the run to report paused', async () => {
      const p: BackfillProgress = await handle.query(backfillProgressQuery);
      return p.state === 'paused' ? p : undefined;
    });
    const status = await hub('backfill', 'status', id);
    expect(status.stdout).toContain('RUNNING');
    expect(status.stdout).toContain('paused');

    expect((await hub('backfill', 'resume', id)).code).toBe(0);
    await until('progress after resume', async () => {
      const p: BackfillProgress = await handle.query(backfillProgressQuery);
      return p.state === 'running' && p.scanned > paused.scanned ? p : undefined;
    });

    expect((await hub('backfill', 'cancel', id)).code).toBe(0);
    const ended = await until('the run to be cancelled', async () => {
      const d = await handle.describe();
      return d.status.name === 'RUNNING' ? undefined : d;
    });
    expect(ended.status.name).toBe('CANCELLED');
    expect(ended.memo?.backfill).toMatchObject({ state: 'cancelled' });
  }, 180_000);

  test('reconcile finds injected drift, --repair fixes it, and a second reconcile finds none', async () => {
    const erpEnv = requireEnv('ERP_BASE_URL', 'ERP_API_KEY', 'WMS_BASE_URL', 'WMS_API_KEY', 'CMS_BASE_URL', 'CMS_API_TOKEN');
    const auth = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
    const [wmsVictim] = (await simulatorSkus('WMS')).filter((r) => r.sku === `${PREFIX}7`);
    await fetch(`${erpEnv.WMS_BASE_URL}/v1/skus/${wmsVictim!.id}`, { method: 'DELETE', headers: { ...auth(erpEnv.WMS_API_KEY!), 'idempotency-key': `t-${TAG}-del` } });
    // The SKU list, not the title: Strapi's webhook takes a title edit to the product's entity,
    // which writes Medusa's title back at once (the CMS does not own it). The entity leaves the
    // SKU list to the hub's own writes, so that drift waits for the reconcile.
    const [cmsVictim] = (await cmsEntriesWithTitlePrefix(`${handlePrefix}8`)).filter((e) => e.title === `Backfill ${PREFIX} 8`);
    await fetch(`${erpEnv.CMS_BASE_URL}/api/products/${cmsVictim!.documentId}`, { method: 'PUT', headers: auth(erpEnv.CMS_API_TOKEN!), body: JSON.stringify({ data: { skus: [`${PREFIX}8`, 'EDITED-BY-HAND'] } }) });
    const extraSku = `${PREFIX}EXTRA`;
    await fetch(`${erpEnv.ERP_BASE_URL}/v1/items`, {
      method: 'POST',
      headers: { ...auth(erpEnv.ERP_API_KEY!), 'idempotency-key': `t-${TAG}-extra` },
      body: JSON.stringify({ sku: extraSku, name: 'Left over', external_ref: `prod_GONE${TAG}` }),
    });

    const found = await hub('reconcile', '--systems', 'medusa,erp,wms,cms', '--sku-prefix', PREFIX, '--json', '--fail-on-drift');
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as { products: number; drift: Array<Record<string, unknown>> };
    expect(report.products).toBe(PRODUCTS);
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: 'wms', kind: 'missing', key: `${PREFIX}7` }),
        expect.objectContaining({ system: 'cms', kind: 'mismatch', field: 'skus', actual: `${PREFIX}8,EDITED-BY-HAND`, expected: `${PREFIX}8` }),
        expect.objectContaining({ system: 'erp', kind: 'extra', key: extraSku, owned: true }),
      ]),
    );
    expect(report.drift).toHaveLength(3);

    const repaired = await hub('reconcile', '--systems', 'medusa,erp,wms,cms', '--sku-prefix', PREFIX, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/wms\s+1\s+0\s+0/);
    expect(repaired.stdout).toContain('repaired erp delete: 1 ok, 0 failed');

    const clean = await hub('reconcile', '--systems', 'medusa,erp,wms,cms', '--sku-prefix', PREFIX, '--fail-on-drift');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('no drift');
  }, 240_000);

  test('a failing item is listed at the end without stopping the run (exit 1), and retry-failed writes it again', async () => {
    const fail = `FAIL-${TAG}-`;
    const e = requireEnv('ERP_BASE_URL', 'ERP_API_KEY');
    const erpHeaders = (key: string) => ({ authorization: `Bearer ${e.ERP_API_KEY}`, 'content-type': 'application/json', 'idempotency-key': key });
    await seedProducts(sdk, fail, `fail-${TAG.toLowerCase()}-`, 0, 3);
    // Someone else's ERP item already holds one of the SKUs: no retry can fix that, a human must.
    const taken = (await (
      await fetch(`${e.ERP_BASE_URL}/v1/items`, { method: 'POST', headers: erpHeaders(`t-${TAG}-taken`), body: JSON.stringify({ sku: `${fail}1`, name: 'Legacy', external_ref: 'LEGACY-1' }) })
    ).json()) as { id: string };

    const run = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms,cms', '--sku-prefix', fail);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('completed: 2 product(s) done, 1 failed item(s)');
    expect(run.stdout).toMatch(new RegExp(`erp\\s+${fail}1\\s+.*already belongs to item`));
    const id = workflowIdOf(run);

    await fetch(`${e.ERP_BASE_URL}/v1/items/${taken.id}`, { method: 'DELETE', headers: erpHeaders(`t-${TAG}-untake`) });
    const retry = await hub('backfill', 'retry-failed', id);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('retrying 1 product(s)');
    expect(retry.stdout).toContain('completed: 1 product(s) done, 0 failed item(s)');
    expect((await simulatorSkus('ERP', fail)).map((r) => r.sku).sort()).toEqual([0, 1, 2].map((i) => `${fail}${i}`));
  }, 120_000);

  test('--from erp --to medusa imports the ERP catalogue: each SKU once in Medusa with its title and price, linked both ways, synced on by the product-created flow; a second run creates nothing; --dry-run writes nothing', async () => {
    const imp = `IMP-${TAG}-`;
    const count = 120;
    const e = requireEnv('ERP_BASE_URL', 'ERP_API_KEY', 'MEDUSA_BACKEND_URL', 'MEDUSA_API_KEY');
    const skus = Array.from({ length: count }, (_, i) => `${imp}${i}`);
    // The ERP's own catalogue, never seen by Medusa: prices in minor units, no external_ref yet.
    for (let i = 0; i < count; i += 20) {
      await Promise.all(
        skus.slice(i, i + 20).map(async (sku, j) => {
          const res = await fetch(`${e.ERP_BASE_URL}/v1/items`, {
            method: 'POST',
            headers: { authorization: `Bearer ${e.ERP_API_KEY}`, 'content-type': 'application/json', 'idempotency-key': `t-${TAG}-imp-${sku}` },
            body: JSON.stringify({ sku, name: `Imported ${imp} ${i + j}`, price: { amount: 1000 + i + j, currency_code: 'eur' } }),
          });
          expect(res.status).toBe(201);
        }),
      );
    }
    const stackMedusa = new Medusa({ baseUrl: e.MEDUSA_BACKEND_URL!, apiKey: e.MEDUSA_API_KEY! });
    const inMedusa = async () => {
      const { variants } = await stackMedusa.admin.productVariant.list({ sku: skus, fields: 'sku,product_id,prices.amount,prices.currency_code,product.title', limit: count * 2 });
      return variants.map((v) => ({ sku: v.sku, productId: v.product_id, title: v.product?.title, prices: (v.prices ?? []).map((p) => ({ amount: p.amount, currency_code: p.currency_code })) }));
    };
    const args = ['backfill', 'products', '--from', 'erp', '--to', 'medusa', '--sku-prefix', imp, '--batch-size', '50'];

    const dry = await hub(...args, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`completed (dry run, nothing written): ${count} product(s) done, 0 failed`);
    expect(await inMedusa()).toEqual([]);

    const run = await hub(...args);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`completed: ${count} product(s) done, 0 failed item(s)`);
    const imported = await inMedusa();
    expect(countBy(imported.map((v) => v.sku ?? '')).size).toBe(count);
    expect(imported).toHaveLength(count);
    expect(new Set(imported.map((v) => v.productId)).size).toBe(count);
    for (const v of imported) {
      const i = Number(v.sku!.slice(imp.length));
      expect(v).toMatchObject({ title: `Imported ${imp} ${i}`, prices: [{ amount: (1000 + i) / 100, currency_code: 'eur' }] });
    }
    const productOf = new Map(imported.map((v) => [v.sku!, v.productId]));
    const linked = (records: Array<{ sku: string; external_ref: string | null }>) => records.map((r) => [r.sku, r.external_ref]).sort();
    const expected = [...productOf.entries()].sort();

    // Medusa announced each new product, so the product-created flow took it to the WMS and CMS,
    // finding the ERP item already linked to it; nothing ends up twice anywhere.
    await until('the product-created flows to reach the WMS', async () => ((await simulatorSkus('WMS', imp)).length >= count ? true : undefined), 240_000);
    await waitForIdleHub(client, 240_000);
    expect(linked(await simulatorSkus('ERP', imp))).toEqual(expected);
    expect(linked(await simulatorSkus('WMS', imp))).toEqual(expected);
    const cms = await cmsEntriesWithTitlePrefix(`sku-${imp.toLowerCase()}`);
    expect(cms.map((c) => c.medusa_id).sort()).toEqual([...productOf.values()].sort());

    const again = await hub(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`completed: ${count} product(s) done, 0 failed item(s)`);
    expect((await inMedusa()).map((v) => [v.sku, v.productId]).sort()).toEqual(expected);
  }, 420_000);

  test('schedule reconcile creates a Temporal Schedule that `temporal schedule list` shows; delete removes it', async () => {
    const id = `hub-reconcile-test-${TAG}`;
    const created = await hub('schedule', 'reconcile', '--every', '1h', '--id', id, '--sku-prefix', PREFIX);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`schedule ${id} created`);
    const updated = await hub('schedule', 'reconcile', '--every', '30m', '--id', id, '--sku-prefix', PREFIX, '--repair');
    expect(updated.stdout).toContain(`schedule ${id} updated`);

    const { TEMPORAL_ADDRESS } = requireEnv('TEMPORAL_ADDRESS');
    const resolved = resolveTemporalBinary(ROOT);
    if (!('path' in resolved)) throw new Error('this test needs the Temporal CLI binary (scripts/bootstrap.sh installs it)');
    const binary = resolved.path;
    const listed = await new Promise<string>((resolve, reject) => {
      const p = spawn(binary, ['schedule', 'list', '--address', TEMPORAL_ADDRESS]);
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`temporal schedule list exited ${code}`))));
    });
    expect(listed).toContain(id);
    expect((await hub('schedule', 'list')).stdout).toContain(id);

    expect((await hub('schedule', 'delete', id)).code).toBe(0);
    expect((await hub('schedule', 'delete', id)).code).toBe(2);
  }, 120_000);
  test('lost events: Medusa killed (kill -9) right after a 200-product batch; reconcile --repair puts every product in every system exactly once', async () => {
    const lost = `LOST-${TAG}-`;
    const lostHandles = `lost-${TAG.toLowerCase()}-`;
    relay.forward = true;
    // The batch commits, Medusa answers, and its in-process event bus is still handing the 200
    // product.created events to the subscriber when the process dies: those not yet sent are lost.
    const ids = await seedProducts(sdk, lost, lostHandles, 0, 200);
    killListener(seeder.env.MEDUSA_BACKEND_URL!);
    await waitForIdleHub(client, 240_000);

    const repaired = await hub('reconcile', '--systems', 'medusa,erp,wms,cms', '--sku-prefix', lost, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('200 product(s) in Medusa');

    const once = (keys: string[]) => expect([...countBy(keys).entries()].filter(([, n]) => n === 1).map(([k]) => k).sort()).toEqual([...new Set(keys)].sort());
    const erp = await simulatorSkus('ERP', lost);
    const wms = await simulatorSkus('WMS', lost);
    const cms = await cmsEntriesWithTitlePrefix(lostHandles);
    expect(erp).toHaveLength(200);
    expect(wms).toHaveLength(200);
    expect(cms).toHaveLength(200);
    once(erp.map((r) => r.sku));
    once(wms.map((r) => r.sku));
    expect(new Set(cms.map((e) => e.medusa_id))).toEqual(new Set(ids));
    const clean = await hub('reconcile', '--systems', 'medusa,erp,wms,cms', '--sku-prefix', lost, '--fail-on-drift');
    expect(clean.code).toBe(0);
  }, 360_000);
});
