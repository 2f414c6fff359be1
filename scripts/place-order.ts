/**
 * Places an order in the local Medusa, as an admin would (a draft order, converted), to watch it
 * reach "shipped":
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/create-product.ts "Linen shirt" SHIRT-S SHIRT-M   # once
 *   node --import tsx scripts/place-order.ts SHIRT-S SHIRT-M
 * The SKUs get stock at the hub's warehouse first if they have none.
 */
import Medusa from '@medusajs/js-sdk';
import { z } from 'zod';
import { draftOrderForSkus } from '../src/stack/medusa-commerce';

const env = z
  .object({
    MEDUSA_BACKEND_URL: z.url(),
    MEDUSA_API_KEY: z.string().min(1),
    MEDUSA_SALES_CHANNEL_ID: z.string().min(1),
    MEDUSA_REGION_ID: z.string().min(1),
    MEDUSA_STOCK_LOCATION_ID: z.string().min(1),
    MEDUSA_SHIPPING_OPTION_ID: z.string().min(1),
    TEMPORAL_UI_URL: z.url().optional(),
  })
  .safeParse(process.env);
const skus = z.array(z.string().regex(/^[A-Za-z0-9._-]+$/, 'a SKU')).min(1).safeParse(process.argv.slice(2));
if (!env.success || !skus.success) {
  console.error('usage: node --import tsx scripts/place-order.ts <sku> [<sku>…]  (with .data/dev/stack.env loaded)');
  if (!env.success) console.error(z.prettifyError(env.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const e = env.data!;
  const sdk = new Medusa({ baseUrl: e.MEDUSA_BACKEND_URL, apiKey: e.MEDUSA_API_KEY });
  const orderId = await draftOrderForSkus(
    sdk,
    { regionId: e.MEDUSA_REGION_ID, salesChannelId: e.MEDUSA_SALES_CHANNEL_ID, stockLocationId: e.MEDUSA_STOCK_LOCATION_ID, shippingOptionId: e.MEDUSA_SHIPPING_OPTION_ID },
    skus.data!,
  );
  await sdk.admin.draftOrder.convertToOrder(orderId);
  const workflowId = `order-fulfilment/${orderId}`;
  console.log(`Placed ${orderId}. Its run: ${workflowId}`);
  if (e.TEMPORAL_UI_URL) console.log(`${e.TEMPORAL_UI_URL}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  console.log(`Ship it: node --import tsx scripts/ship-order.ts ${orderId}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
