/**
 * Benchmark: products per second of the durable backfill (the `backfillProducts` workflow, one
 * batched activity per system and page on the per-system task queues) next to a naive script
 * that calls the same ERP, WMS and CMS directly with the same concurrency and no Temporal. It
 * prints both rates and their ratio; it asserts nothing.
 *
 *   node --import tsx bench/backfill.ts [--products 1000] [--batch-size 100] [--concurrency 8] [--profile bench]
 *
 * It starts its own stack on the `bench` profile (or another, with HUB_PORT_OFFSET) without the bridge (so creating the catalogue
 * starts no product-created runs), seeds two catalogues of the same size in Medusa through its
 * batch route, backfills one with the workflow and copies the other with the naive script.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import Medusa from '@medusajs/js-sdk';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { CmsClient } from '../src/activities/strapi/client';
import { createCmsActivities } from '../src/activities/strapi/products';
import { ErpRestClient } from '../src/activities/rest/erp';
import { createErpActivities } from '../src/activities/erp/products';
import { createMedusaCatalogActivities, type CatalogProduct } from '../src/activities/medusa/catalog';
import { WmsRestClient } from '../src/activities/rest/wms';
import { createWmsActivities } from '../src/activities/wms/products';
import { stackProfile } from '../src/stack/profile';
import { startStack, type Stack } from '../src/stack/stack';
import { stopOnSignals } from '../src/stack/supervision';
import { hubDataConverter } from '../src/temporal/connection';
import { backfillProducts } from '../src/workflows/backfill/backfill-products';
import { cmsEntryFor, expectedSkuRecords } from '../src/workflows/backfill/catalogue';
import { TASK_QUEUES } from '../src/workflows/task-queues';

const args = parseArgs({
  options: { products: { type: 'string', default: '1000' }, 'batch-size': { type: 'string', default: '100' }, concurrency: { type: 'string', default: '8' }, profile: { type: 'string', default: 'bench' } },
}).values;
const options = z
  .object({
    products: z.coerce.number().int().positive(),
    batchSize: z.coerce.number().int().min(1).max(200),
    concurrency: z.coerce.number().int().min(1).max(64),
  })
  .parse({ products: args.products, batchSize: args['batch-size'], concurrency: args.concurrency });
const { batchSize } = options;

const profile = stackProfile(args.profile);
const tag = Date.now().toString(36).toUpperCase();
let current: Stack | undefined;

async function seed(stack: Stack, prefix: string): Promise<void> {
  const sdk = new Medusa({ baseUrl: stack.env.MEDUSA_BACKEND_URL!, apiKey: stack.env.MEDUSA_API_KEY! });
  for (let start = 0; start < options.products; start += 200) {
    const count = Math.min(200, options.products - start);
    await sdk.admin.product.batch(
      {
        create: Array.from({ length: count }, (_, i) => ({
          title: `Bench ${prefix}${start + i}`,
          handle: `${prefix.toLowerCase()}${start + i}`,
          status: 'published' as const,
          shipping_profile_id: stack.env.MEDUSA_SHIPPING_PROFILE_ID,
          options: [{ title: 'Size', values: ['One'] }],
          variants: [{ title: 'One', sku: `${prefix}${start + i}`, manage_inventory: false, options: { Size: 'One' }, prices: [{ currency_code: 'eur', amount: 1000 }] }],
        })),
      },
      { fields: 'id' },
    );
  }
}

async function durable(stack: Stack, prefix: string): Promise<number> {
  const connection = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, dataConverter: hubDataConverter(stack.env.HUB_CODEC_KEY!.split(',')) });
  const t0 = performance.now();
  const result = await client.workflow.execute(backfillProducts, {
    workflowId: `bench-backfill/${prefix}`,
    taskQueue: TASK_QUEUES.workflows,
    args: [{ from: 'medusa', to: ['erp', 'wms', 'cms'], skuPrefix: prefix, batchSize, concurrency: options.concurrency, dryRun: false }],
  });
  const seconds = (performance.now() - t0) / 1000;
  await connection.close();
  if (result.failed.length > 0) console.log(`  (durable: ${result.failed.length} failed items)`);
  return result.done / seconds;
}

/** The script one would write without the hub: read the pages, then write each product everywhere. */
async function naive(stack: Stack, prefix: string): Promise<number> {
  const e = stack.env;
  const medusa = createMedusaCatalogActivities(new Medusa({ baseUrl: e.MEDUSA_BACKEND_URL!, apiKey: e.MEDUSA_API_KEY! }));
  const erp = createErpActivities(new ErpRestClient({ baseUrl: e.ERP_BASE_URL!, apiKey: e.ERP_API_KEY! }));
  const wms = createWmsActivities(new WmsRestClient({ baseUrl: e.WMS_BASE_URL!, apiKey: e.WMS_API_KEY! }));
  const cms = createCmsActivities(new CmsClient({ baseUrl: e.CMS_BASE_URL!, apiToken: e.CMS_API_TOKEN! }));
  const t0 = performance.now();
  const products: CatalogProduct[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await medusa.medusaListProductsPage({ offset, limit: batchSize, skuPrefix: prefix });
    products.push(...page.products);
    offset = page.nextOffset;
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < products.length) {
      const p = products[next++]!;
      const records = expectedSkuRecords(p);
      await Promise.all([
        ...records.map((r) => erp.erpCreateItem({ idempotencyKey: `naive/${r.sku}`, sku: r.sku, name: r.text, price: r.price, externalRef: r.productId })),
        ...records.map((r) => wms.wmsCreateSku({ idempotencyKey: `naive/${r.sku}`, sku: r.sku, description: r.text, externalRef: r.productId })),
        cms.cmsUpsertProductEntry(cmsEntryFor(p)),
      ]);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return products.length / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  process.stdout.write('starting temporal, erp, wms, cms, medusa, worker, codec (no bridge)…\n');
  const stack = await startStack(profile, { services: ['temporal', 'erp', 'wms', 'cms', 'medusa', 'worker', 'codec'], persistTemporal: false });
  current = stack;
  try {
    const [a, b] = [`BFA-${tag}-`, `BFN-${tag}-`];
    process.stdout.write(`seeding 2 × ${options.products} products in Medusa…\n`);
    await seed(stack, a);
    await seed(stack, b);
    process.stdout.write('durable backfill…\n');
    const durableRate = await durable(stack, a);
    process.stdout.write('naive direct calls…\n');
    const naiveRate = await naive(stack, b);
    console.log(`
Products: ${options.products} (one SKU each) into ERP, WMS and CMS; batch size ${batchSize}, concurrency ${options.concurrency}; ${cpus().length} cores
  durable backfill (Temporal workflow)   ${durableRate.toFixed(1)} products/s
  naive direct calls (no Temporal)       ${naiveRate.toFixed(1)} products/s
  ratio durable / naive                  ${(durableRate / naiveRate).toFixed(2)}`);
  } finally {
    await stack.stop();
  }
}

stopOnSignals(() => current);

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
