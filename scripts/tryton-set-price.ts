/**
 * Sets a SKU's list price in the Tryton ERP, as a person in a Tryton client would (its product's
 * template, as Tryton's admin); the ERP poller hands the change to the product's entity run,
 * which writes the price to the Medusa variant (the ERP owns prices):
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/tryton-set-price.ts SHIRT-S 24.50
 */
import { z } from 'zod';
import { decimal } from '../src/activities/tryton/rpc';
import { trytonAdmin } from './tryton-admin';

const args = z.tuple([z.string().min(1), z.string().regex(/^\d+(\.\d{1,2})?$/, 'a price like 24.50')]).safeParse(process.argv.slice(2));
if (!args.success) {
  console.error('usage: node --import tsx scripts/tryton-set-price.ts <sku> <price, e.g. 24.50>  (with .data/dev/stack.env loaded)');
  console.error(z.prettifyError(args.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const [sku, price] = args.data!;
  const erp = trytonAdmin('erp');
  const [product] = await erp.model('product.product').searchRead(z.object({ id: z.number().int(), template: z.number().int() }), [['code', '=', sku]], ['template'], { limit: 1 });
  if (!product) throw new Error(`the Tryton ERP has no product ${sku}: create it in Medusa first (scripts/create-product.ts)`);
  await erp.model('product.template').write([product.template], { list_price: decimal(price) });
  console.log(`Set ${sku} to ${price} in the Tryton ERP (product ${product.id}). Medusa shows it once the ERP poller has seen it.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
