/**
 * Counts a SKU in the Tryton WMS's warehouse, as the warehouse staff would (a stock inventory,
 * confirmed, as Tryton's admin); the WMS poller hands the new level to the SKU's stock run, which
 * sets it at the Medusa stock location mapped to that warehouse (metadata.wms_warehouse_code):
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/tryton-count-stock.ts SHIRT-S 10
 */
import { z } from 'zod';
import { TrytonWarehouseStaff } from '../test/support/tryton-warehouse';
import { trytonAdmin } from './tryton-admin';

const env = z.object({ TRYTON_WAREHOUSE: z.string().min(1).default('WH') }).parse(process.env);
const args = z.tuple([z.string().min(1), z.coerce.number().int().min(0)]).safeParse(process.argv.slice(2));
if (!args.success) {
  console.error('usage: node --import tsx scripts/tryton-count-stock.ts <sku> <quantity>  (with .data/dev/stack.env loaded)');
  console.error(z.prettifyError(args.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const [sku, quantity] = args.data!;
  await new TrytonWarehouseStaff(trytonAdmin('wms')).putStock(sku, env.TRYTON_WAREHOUSE, quantity);
  console.log(`Counted ${quantity} × ${sku} in Tryton's warehouse ${env.TRYTON_WAREHOUSE}. Medusa shows the level once the WMS poller has seen it.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
