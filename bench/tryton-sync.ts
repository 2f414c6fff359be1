/**
 * Benchmark: the hub on Tryton (ERP and WMS) and Strapi, against plain scripts writing the same
 * records straight into the same systems (the floors, bench/tryton-floor.ts), in one run on one
 * machine. It prints; it asserts nothing.
 *
 *   node --import tsx bench/tryton-sync.ts [--products 200] [--orders 20] [--batch 100]
 *     [--concurrency 8] [--lag-changes 10] [--idle-seconds 60]
 *
 * It starts its own stack on the `bench` profile (ports +20000, Temporal in memory, Tryton's
 * databases cloned afresh) with the Tryton connectors and no simulators, then:
 *   1. products created in Medusa (batch route) → Tryton ERP + Tryton WMS + Strapi through the
 *      subscriber, the bridge and one product-created run each;
 *   2. the same records written straight in: Tryton batched, Strapi as fast as its API allows;
 *      and once more through the connectors one record per call (what each run does);
 *   3. orders placed in Medusa → sale + customer shipment in Tryton; shipped by the warehouse →
 *      runs completed; against the same sales and shipments written straight in;
 *   4. the inbound poller: lag from a price change by Tryton's admin to Medusa, and what polling
 *      costs while nothing changes.
 * CPU is counted for this stack's processes only (bench/stack-cpu.ts), so a test run of another
 * profile on the same machine does not land in these figures (its load still slows them).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Medusa from '@medusajs/js-sdk';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { CmsClient } from '../src/activities/strapi/client';
import { TrytonErp } from '../src/activities/tryton/erp';
import { decimal, TrytonRpc } from '../src/activities/tryton/rpc';
import { TrytonWms } from '../src/activities/tryton/wms';
import { CHANGE_FEEDS } from '../src/activities/inbound/poll';
import { draftOrderForSkus } from '../src/stack/medusa-commerce';
import { stackProfile } from '../src/stack/profile';
import { loadStackSecrets } from '../src/stack/secrets';
import { startStack, type Stack, type StackService } from '../src/stack/stack';
import { stopOnSignals } from '../src/stack/supervision';
import { hubDataConverter } from '../src/temporal/connection';
import { pollChangesWorkflowId, type PollStats } from '../src/workflows/inbound/poll-changes';
import { fulfilOrderWorkflowId } from '../src/workflows/orders/fulfil-order';
import { TrytonWarehouseStaff } from '../test/support/tryton-warehouse';
import { describeCpuPerItem, type CpuByService } from './cpu';
import { stackCpu } from './stack-cpu';
import { connectorOrders, connectorProducts, floorOrders, floorProducts, inLanes, type FloorSystems, type OrderRecord, type ProductRecord } from './tryton-floor';

const args = parseArgs({
  options: {
    products: { type: 'string', default: '200' },
    orders: { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    'lag-changes': { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '60' },
  },
}).values;
const options = z
  .object({
    products: z.coerce.number().int().min(2),
    orders: z.coerce.number().int().min(1),
    batch: z.coerce.number().int().min(1).max(500),
    concurrency: z.coerce.number().int().min(1).max(64),
    lagChanges: z.coerce.number().int().min(1),
    idleSeconds: z.coerce.number().int().min(5),
  })
  .parse({ ...args, lagChanges: args['lag-changes'], idleSeconds: args['idle-seconds'] });

const SERVICES: StackService[] = ['temporal', 'tryton', 'cms', 'medusa', 'worker', 'bridge', 'codec'];
/** The worker's pause between polls that found nothing (src/config TRYTON_POLL_EVERY_MS). */
const POLL_EVERY_MS = Number(process.env.TRYTON_POLL_EVERY_MS ?? 5_000);
/** Medusa amount of every product (EUR, major units), and the same in the ports' minor units. */
const PRICE = 1000;
const PRICE_MINOR = PRICE * 100;
/** The services whose CPU is the cost of polling Tryton while nothing changes. */
const POLLING_SERVICES = ['worker', 'tryton', 'postgres·tryton', 'temporal'];

const profile = stackProfile('bench');
const tag = Date.now().toString(36).toUpperCase();
const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number): number => (performance.now() - t0) / 1000;
const startedAt = performance.now();
const say = (line: string): void => void process.stdout.write(`[${fmt(since(startedAt), 0)}s] ${line}\n`);

interface Bench {
  stack: Stack;
  sdk: Medusa;
  client: Client;
  systems: FloorSystems;
  admin: { erp: TrytonRpc; wms: TrytonRpc };
}

let current: Stack | undefined;
stopOnSignals(() => current);

function connect(stack: Stack, client: Client): Bench {
  const e = stack.env;
  const rpc = (db: string, user: string, password: string, system: string) => new TrytonRpc({ url: e.TRYTON_URL!, database: db, user, password, system });
  const adminPassword = loadStackSecrets(profile).trytonAdminPassword;
  const erpRpc = rpc(e.TRYTON_ERP_DATABASE!, e.TRYTON_USER!, e.TRYTON_PASSWORD!, 'Tryton ERP');
  const wmsRpc = rpc(e.TRYTON_WMS_DATABASE!, e.TRYTON_USER!, e.TRYTON_PASSWORD!, 'Tryton WMS');
  const webShop = e.TRYTON_WEB_SHOP ?? 'Medusa';
  const warehouse = e.TRYTON_WAREHOUSE ?? 'WH';
  return {
    stack,
    client,
    sdk: new Medusa({ baseUrl: e.MEDUSA_BACKEND_URL!, apiKey: e.MEDUSA_API_KEY! }),
    systems: {
      erpRpc,
      wmsRpc,
      erp: new TrytonErp(erpRpc, { webShop, customer: 'Medusa customer' }),
      wms: new TrytonWms(wmsRpc, { warehouse }),
      cms: new CmsClient({ baseUrl: e.CMS_BASE_URL!, apiToken: e.CMS_API_TOKEN! }),
      webShop,
      warehouse,
    },
    admin: {
      erp: rpc(e.TRYTON_ERP_DATABASE!, 'admin', adminPassword, 'Tryton ERP (admin)'),
      wms: rpc(e.TRYTON_WMS_DATABASE!, 'admin', adminPassword, 'Tryton WMS (admin)'),
    },
  };
}

/** Products with this SKU prefix in the ERP and the WMS, and the CMS's entries in all. */
async function counts(b: Bench, skuPrefix: string): Promise<{ erp: number; wms: number; cms: number }> {
  const bySku = (rpc: TrytonRpc) => rpc.model('product.product').searchCount([['code', 'like', `${skuPrefix}%`]]);
  const cms = await fetch(`${b.stack.env.CMS_BASE_URL}/api/products?pagination[pageSize]=1`, { headers: { authorization: `Bearer ${b.stack.env.CMS_API_TOKEN}` } });
  return {
    erp: await bySku(b.systems.erpRpc),
    wms: await bySku(b.systems.wmsRpc),
    cms: ((await cms.json()) as { meta: { pagination: { total: number } } }).meta.pagination.total,
  };
}

/** Polls `check` every second until it says done (or `timeoutMs` passes); false on the timeout. */
async function until(label: string, timeoutMs: number, check: () => Promise<{ done: boolean; progress: string }>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { done, progress } = await check();
    process.stdout.write(`\r  ${label}: ${progress}   `);
    if (done) break;
    if (Date.now() > deadline) {
      process.stdout.write(`\n  ${label}: gave up after ${timeoutMs / 1000}s\n`);
      return false;
    }
    await sleep(1_000);
  }
  process.stdout.write('\n');
  return true;
}

// ---- 1. products through the hub ------------------------------------------------------------

interface HubProduct {
  productId: string;
  sku: string;
}

async function createInMedusa(b: Bench, skuPrefix: string): Promise<{ products: HubProduct[]; batchSeconds: number[] }> {
  const products: HubProduct[] = [];
  const batchSeconds: number[] = [];
  for (let start = 0; start < options.products; start += options.batch) {
    const create = Array.from({ length: Math.min(options.batch, options.products - start) }, (_, i) => ({
      title: `Tryton bench ${tag} ${start + i}`,
      status: 'published' as const,
      shipping_profile_id: b.stack.env.MEDUSA_SHIPPING_PROFILE_ID,
      options: [{ title: 'Size', values: ['One'] }],
      variants: [{ title: 'One', sku: `${skuPrefix}${start + i}`, manage_inventory: true, options: { Size: 'One' }, prices: [{ currency_code: 'eur', amount: PRICE }] }],
    }));
    const t0 = performance.now();
    const res = await b.sdk.admin.product.batch({ create }, { fields: 'id,variants.sku' });
    batchSeconds.push(since(t0));
    for (const p of res.created ?? []) products.push({ productId: p.id, sku: p.variants?.[0]?.sku ?? '' });
  }
  return { products, batchSeconds };
}

interface HubProductsResult {
  products: HubProduct[];
  batchSeconds: number[];
  createdSeconds: number;
  inAllSeconds: number;
  runsSeconds: number;
  completed: number;
  failed: number;
  cpuBefore: CpuByService;
  cpuInAll: CpuByService;
  cpuRuns: CpuByService;
}

async function hubProducts(b: Bench): Promise<HubProductsResult> {
  const prefix = `TH-${tag}-`;
  const before = await counts(b, prefix);
  const flow = (status: string) => b.client.workflow.count(`HubFlow = 'product-created' AND ExecutionStatus = '${status}'`).then((c) => c.count);
  const cpuBefore = stackCpu(profile);
  const t0 = performance.now();
  const { products, batchSeconds } = await createInMedusa(b, prefix);
  const createdSeconds = since(t0);
  let inAllSeconds = NaN;
  let cpuInAll: CpuByService = new Map();
  let completed = 0;
  let failed = 0;
  await until('hub', 20 * 60_000, async () => {
    const now = await counts(b, prefix);
    const arrived = Math.min(now.erp - before.erp, now.wms - before.wms, now.cms - before.cms);
    if (Number.isNaN(inAllSeconds) && arrived >= products.length) {
      inAllSeconds = since(t0);
      cpuInAll = stackCpu(profile);
    }
    [completed, failed] = await Promise.all([flow('Completed'), flow('Failed')]);
    return { done: completed + failed >= products.length, progress: `${arrived} in ERP, WMS and CMS, ${completed} runs completed, ${failed} failed, of ${products.length} after ${fmt(since(t0), 0)}s` };
  });
  return { products, batchSeconds, createdSeconds, inAllSeconds, runsSeconds: since(t0), completed, failed, cpuBefore, cpuInAll, cpuRuns: stackCpu(profile) };
}

// ---- 2. the product floors -----------------------------------------------------------------

const records = (prefix: string, n: number): ProductRecord[] =>
  Array.from({ length: n }, (_, i) => ({ productId: `prod_${prefix}${tag}${i}`, sku: `${prefix}-${tag}-${i}`, name: `Tryton ${prefix} ${tag} ${i}`, handle: `tryton-${prefix}-${tag}-${i}`.toLowerCase(), price: PRICE_MINOR }));

// ---- 3. orders -----------------------------------------------------------------------------

/** Sales of our web ids that are booked (confirmed or beyond), and shipments of them waiting in the WMS. */
async function bookedOrders(b: Bench, refs: string[]): Promise<{ sales: number; shipments: number }> {
  const [sales, shipments] = await Promise.all([
    b.systems.erpRpc.model('sale.sale').searchCount([['web_id', 'in', refs], ['state', 'in', ['confirmed', 'processing', 'done']]]),
    b.systems.wmsRpc.model('stock.shipment.out').searchCount([['reference', 'in', refs], ['state', '=', 'waiting']]),
  ]);
  return { sales, shipments };
}

interface OrdersResult {
  draftSeconds: number;
  placedSeconds: number;
  bookedSeconds: number;
  bookedRequests: number;
  cpuBooked: string;
  shippedSeconds: number;
  shipToDone: number[];
  outcomes: Record<string, number>;
}

async function hubOrders(b: Bench, skus: string[]): Promise<OrdersResult> {
  const e = b.stack.env;
  const ids = { regionId: e.MEDUSA_REGION_ID!, salesChannelId: e.MEDUSA_SALES_CHANNEL_ID!, stockLocationId: e.MEDUSA_STOCK_LOCATION_ID!, shippingOptionId: e.MEDUSA_SHIPPING_OPTION_ID! };
  // Drafts first, untimed: an admin's several calls per order are not the hub's work.
  let t0 = performance.now();
  const drafts: string[] = [];
  for (let i = 0; i < options.orders; i++) drafts.push(await draftOrderForSkus(b.sdk, ids, [skus[(2 * i) % skus.length]!, skus[(2 * i + 1) % skus.length]!]));
  const draftSeconds = since(t0);

  const cpu0 = stackCpu(profile);
  const requests0 = trytonRequests(b);
  t0 = performance.now();
  await inLanes(drafts, 4, (id) => b.sdk.admin.draftOrder.convertToOrder(id));
  const placedSeconds = since(t0);
  await until('orders booked', 10 * 60_000, async () => {
    const n = await bookedOrders(b, drafts);
    return { done: n.sales >= drafts.length && n.shipments >= drafts.length, progress: `${n.sales} sales and ${n.shipments} shipments of ${drafts.length}` };
  });
  const bookedSeconds = since(t0);
  const bookedRequests = trytonRequests(b) - requests0;
  const cpuBooked = describeCpuPerItem(cpu0, stackCpu(profile), drafts.length);

  // The warehouse ships each (as Tryton's admin); the WMS poller sees it, and each run ends.
  const staff = new TrytonWarehouseStaff(b.admin.wms);
  const shippedAt = new Map<string, number>();
  const shipToDone: number[] = [];
  const outcomes: Record<string, number> = {};
  t0 = performance.now();
  const results = drafts.map(async (id) => {
    const outcome = await b.client.workflow
      .getHandle(fulfilOrderWorkflowId(id))
      .result()
      .then((r: { outcome?: string }) => r.outcome ?? 'unknown', () => 'run failed');
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    shipToDone.push((performance.now() - (shippedAt.get(id) ?? NaN)) / 1000);
  });
  for (const id of drafts) {
    await staff.ship(await staff.shipmentOf(id));
    shippedAt.set(id, performance.now());
  }
  await Promise.all(results);
  return { draftSeconds, placedSeconds, bookedSeconds, bookedRequests, cpuBooked, shippedSeconds: since(t0), shipToDone, outcomes };
}

const orderRecords = (prefix: string, skus: string[]): OrderRecord[] =>
  Array.from({ length: options.orders }, (_, i) => ({ ref: `${prefix}-${tag}-${i}`, skus: [skus[(2 * i) % skus.length]!, skus[(2 * i + 1) % skus.length]!], unitPrice: PRICE_MINOR }));

// ---- 4. the inbound poller -------------------------------------------------------------------

async function medusaPrice(b: Bench, productId: string): Promise<number | undefined> {
  const { product } = await b.sdk.admin.product.retrieve(productId, { fields: 'variants.prices.amount,variants.prices.currency_code' });
  return product.variants?.[0]?.prices?.find((p) => p.currency_code === 'eur')?.amount;
}

/** Seconds from a price written by Tryton's admin to that price in Medusa, one change at a time. */
async function pollerLag(b: Bench, products: HubProduct[]): Promise<number[]> {
  const rows = await b.admin.erp
    .model('product.product')
    .searchRead(z.object({ code: z.string().nullable(), template: z.number().int() }), [['code', 'in', products.map((p) => p.sku)]], ['code', 'template']);
  const template = new Map(rows.map((r) => [r.code, r.template]));
  const lags: number[] = [];
  for (const [k, p] of products.entries()) {
    // A random moment in the poller's cycle, as a person's edit would be.
    await sleep(Math.random() * POLL_EVERY_MS);
    const price = 31.5 + k;
    await b.admin.erp.model('product.template').write([template.get(p.sku)!], { list_price: decimal(price.toFixed(2)) });
    const t0 = performance.now();
    const deadline = Date.now() + 90_000;
    while ((await medusaPrice(b, p.productId)) !== price && Date.now() < deadline) await sleep(250);
    lags.push(Date.now() < deadline ? since(t0) : NaN);
    say(`  change ${k + 1}/${products.length}: ${fmt(lags.at(-1)!)}s`);
  }
  return lags;
}

async function pollStats(b: Bench): Promise<number> {
  const states = await Promise.all(CHANGE_FEEDS.map((feed) => b.client.workflow.getHandle(pollChangesWorkflowId(feed)).query<{ stats: PollStats }>('pollState')));
  return states.reduce((sum, s) => sum + s.stats.polls, 0);
}

/** trytond logs one line per request it answers. */
const trytonRequests = (b: Bench): number => (readFileSync(b.stack.env.TRYTON_LOG_FILE!, 'utf8').match(/"POST /g) ?? []).length;

async function idleCost(b: Bench): Promise<{ cpuPerMinute: CpuByService; requestsPerSecond: number; pollsPerMinute: number }> {
  const [cpu0, requests0, polls0] = [stackCpu(profile), trytonRequests(b), await pollStats(b)];
  await sleep(options.idleSeconds * 1000);
  const [cpu1, requests1, polls1] = [stackCpu(profile), trytonRequests(b), await pollStats(b)];
  const perMinute = 60 / options.idleSeconds;
  const cpuPerMinute: CpuByService = new Map([...cpu1].map(([s, v]) => [s, (v - (cpu0.get(s) ?? 0)) * perMinute]));
  return { cpuPerMinute, requestsPerSecond: (requests1 - requests0) / options.idleSeconds, pollsPerMinute: (polls1 - polls0) * perMinute };
}

// ---- the run ---------------------------------------------------------------------------------

async function timedCpu<T>(work: () => Promise<T>): Promise<{ value: T; before: CpuByService; after: CpuByService }> {
  const before = stackCpu(profile);
  const value = await work();
  return { value, before, after: stackCpu(profile) };
}

async function main(): Promise<void> {
  // This benchmark is about the Tryton connectors: an ERP_CONNECTOR=rest in the shell must not switch it.
  delete process.env.ERP_CONNECTOR;
  delete process.env.WMS_CONNECTOR;
  const load = loadavg().map((x) => fmt(x)).join(' ');
  say(`starting ${SERVICES.join(', ')} on the ${profile.name} profile (load average ${load})…`);
  const stack = await startStack(profile, { services: SERVICES, persistTemporal: false, connectors: 'tryton' });
  current = stack;
  const connection = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! });
  try {
    const b = connect(stack, new Client({ connection, dataConverter: hubDataConverter(stack.env.HUB_CODEC_KEY!.split(',')) }));
    // trytond's requests per product or order, beside the CPU: where the Tryton side of the gap comes from.
    const requests = async <T>(work: () => Promise<T>): Promise<{ value: T; requests: number }> => {
      const before = trytonRequests(b);
      const value = await work();
      return { value, requests: trytonRequests(b) - before };
    };
    say(`1. ${options.products} products through the hub…`);
    const { value: hub, requests: hubRequests } = await requests(() => hubProducts(b));
    const hubRate = hub.products.length / hub.inAllSeconds;

    say(`2. the floor: ${options.products} products straight into Tryton (batched) and Strapi…`);
    const { value: floor, requests: floorRequests } = await requests(() => timedCpu(() => floorProducts(b.systems, records('TF', options.products), options.batch, options.concurrency)));
    const floorRate = options.products / floor.value.seconds;
    const directCount = Math.min(options.products, 100);
    say(`   and ${directCount} through the connectors one record per call…`);
    const { value: direct, requests: directRequests } = await requests(() => timedCpu(() => connectorProducts(b.systems, records('TD', directCount), options.concurrency)));

    say(`3. ${options.orders} orders through the hub…`);
    const orders = await hubOrders(b, hub.products.map((p) => p.sku));
    say(`   and ${options.orders} straight into Tryton, batched, then through the connectors…`);
    const { value: orderFloorRun, requests: orderFloorRequests } = await requests(() => timedCpu(() => floorOrders(b.systems, orderRecords('FO', records('TF', options.products).map((r) => r.sku)))));
    const orderFloor = orderFloorRun.value;
    const { value: orderDirect, requests: orderDirectRequests } = await requests(() => connectorOrders(b.systems, orderRecords('DO', records('TD', directCount).map((r) => r.sku)), 4));

    say(`4. poller lag over ${options.lagChanges} price changes in the Tryton ERP (poll every ${POLL_EVERY_MS} ms)…`);
    const lagProducts = Array.from({ length: options.lagChanges }, (_, k) => hub.products[(2 * options.orders + k) % hub.products.length]!);
    const lags = await pollerLag(b, lagProducts);
    await sleep(10_000);
    say(`   idle for ${options.idleSeconds}s…`);
    const idle = await idleCost(b);

    const perItem = (n: number, items: number): string => `${fmt(n / items, 1)} trytond requests each`;
    const pollingCpu = POLLING_SERVICES.map((s) => `${s} ${fmt(idle.cpuPerMinute.get(s) ?? 0)}`).join(', ');
    const idleAll = [...idle.cpuPerMinute].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).map(([s, v]) => `${s} ${fmt(v)}`).join(', ');
    const orderFloorRate = options.orders / orderFloor.seconds;
    console.log(`
On Tryton: ${options.products} products (one variant each), batch ${options.batch}, Strapi concurrency ${options.concurrency}, ${options.orders} orders of 2 lines; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at start ${load}
Products, Medusa → Tryton ERP + Tryton WMS + Strapi:
  hub: all created in Medusa after ${fmt(hub.createdSeconds)}s (batch calls ${hub.batchSeconds.map((s) => fmt(s)).join(', ')}s)
       all in ERP, WMS and CMS after ${fmt(hub.inAllSeconds)}s → ${fmt(hubRate)} products/s
       all runs completed (ids written back) after ${fmt(hub.runsSeconds)}s (${hub.completed} completed, ${hub.failed} failed); ${perItem(hubRequests, hub.products.length)} (the pollers' and this script's count queries included)
  floor (Tryton batched, Strapi ${options.concurrency} in flight): ${fmt(floor.value.seconds)}s → ${fmt(floorRate)} products/s (ERP ${fmt(floor.value.bySystem.erp)}s, WMS ${fmt(floor.value.bySystem.wms)}s, CMS ${fmt(floor.value.bySystem.cms)}s); ${perItem(floorRequests, options.products)}
  connectors one record per call, ${options.concurrency} products at a time: ${directCount} in ${fmt(direct.value)}s → ${fmt(directCount / direct.value)} products/s; ${perItem(directRequests, directCount)}
  ratio hub / floor: ${fmt(hubRate / floorRate)} (target ≥ 0.8)
CPU per product, ms (target ≤ 50):
  hub, until all were in ERP, WMS and CMS: ${describeCpuPerItem(hub.cpuBefore, hub.cpuInAll, hub.products.length)}
  hub, until every run had completed:      ${describeCpuPerItem(hub.cpuBefore, hub.cpuRuns, hub.products.length)}
  floor:                                    ${describeCpuPerItem(floor.before, floor.after, options.products)}
  connectors one by one:                    ${describeCpuPerItem(direct.before, direct.after, directCount)}
Orders, Medusa → Tryton sale (confirmed) + Tryton customer shipment (waiting):
  hub: ${options.orders} drafts prepared in ${fmt(orders.draftSeconds)}s (untimed); converted in ${fmt(orders.placedSeconds)}s; all booked after ${fmt(orders.bookedSeconds)}s → ${fmt(options.orders / orders.bookedSeconds)} orders/s; ${perItem(orders.bookedRequests, options.orders)}
       CPU per order: ${orders.cpuBooked}
  floor (one batched create + buttons per role): ${fmt(orderFloor.seconds)}s → ${fmt(orderFloorRate)} orders/s (ERP ${fmt(orderFloor.bySystem.erp)}s, WMS ${fmt(orderFloor.bySystem.wms)}s); ${perItem(orderFloorRequests, options.orders)}
       CPU per order: ${describeCpuPerItem(orderFloorRun.before, orderFloorRun.after, options.orders)}
  connectors one order per call, 4 at a time: ${fmt(orderDirect)}s → ${fmt(options.orders / orderDirect)} orders/s; ${perItem(orderDirectRequests, options.orders)}
  ratio hub / floor: ${fmt(options.orders / orders.bookedSeconds / orderFloorRate)}
  shipped by the warehouse (admin, one after another) → every run completed after ${fmt(orders.shippedSeconds)}s; warehouse "done" → run completed: median ${fmt(median(orders.shipToDone))}s, max ${fmt(Math.max(...orders.shipToDone))}s; outcomes ${JSON.stringify(orders.outcomes)}
Inbound poller (TRYTON_POLL_EVERY_MS ${POLL_EVERY_MS}, settle 3 s):
  lag, admin's price change in the ERP → the price in Medusa, over ${lags.length}: median ${fmt(median(lags))}s, min ${fmt(Math.min(...lags))}s, max ${fmt(Math.max(...lags))}s
  idle cost over ${options.idleSeconds}s: ${fmt(idle.pollsPerMinute, 0)} polls/min, trytond ${fmt(idle.requestsPerSecond)} requests/s
  idle CPU seconds per minute, polling's share: ${pollingCpu}; worker + trytond ${fmt((idle.cpuPerMinute.get('worker') ?? 0) + (idle.cpuPerMinute.get('tryton') ?? 0))}
  idle CPU seconds per minute, all: ${idleAll}`);
  } finally {
    await connection.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
