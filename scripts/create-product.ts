/**
 * Creates a product in the local Medusa, as an admin would, to watch it travel:
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/create-product.ts "Linen shirt" SHIRT-S SHIRT-M
 */
import Medusa from '@medusajs/js-sdk';
import { z } from 'zod';

const env = z
  .object({
    MEDUSA_BACKEND_URL: z.url(),
    MEDUSA_API_KEY: z.string().min(1),
    MEDUSA_SALES_CHANNEL_ID: z.string().min(1),
    MEDUSA_SHIPPING_PROFILE_ID: z.string().min(1),
    TEMPORAL_UI_URL: z.url().optional(),
  })
  .safeParse(process.env);
const args = z.tuple([z.string().min(1)]).rest(z.string().regex(/^[A-Za-z0-9._-]+$/, 'a SKU')).safeParse(process.argv.slice(2));
if (!env.success || !args.success || args.data.length < 2) {
  console.error('usage: node --import tsx scripts/create-product.ts <title> <sku> [<sku>…]  (with .data/dev/stack.env loaded)');
  if (!env.success) console.error(z.prettifyError(env.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const { MEDUSA_BACKEND_URL, MEDUSA_API_KEY, MEDUSA_SALES_CHANNEL_ID, MEDUSA_SHIPPING_PROFILE_ID, TEMPORAL_UI_URL } = env.data!;
  const [title, ...skus] = args.data!;
  const sdk = new Medusa({ baseUrl: MEDUSA_BACKEND_URL, apiKey: MEDUSA_API_KEY });
  const { product } = await sdk.admin.product.create({
    title,
    status: 'published',
    shipping_profile_id: MEDUSA_SHIPPING_PROFILE_ID,
    sales_channels: [{ id: MEDUSA_SALES_CHANNEL_ID }],
    options: [{ title: 'Variant', values: skus }],
    variants: skus.map((sku) => ({ title: sku, sku, manage_inventory: true, options: { Variant: sku }, prices: [{ currency_code: 'eur', amount: 25 }] })),
  });
  console.log(`Created ${product.id}. Its run: product-created/${product.id}`);
  if (TEMPORAL_UI_URL) console.log(`${TEMPORAL_UI_URL}/namespaces/default/workflows/${encodeURIComponent(`product-created/${product.id}`)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
