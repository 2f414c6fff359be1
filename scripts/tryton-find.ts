/**
 * Reads records from the Tryton ERP or WMS as Tryton's admin: the stack installs no Tryton client,
 * so this is how to look at what the hub wrote there (a search_read over JSON-RPC):
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/tryton-find.ts erp product.product code,name,template.list_price
 *   node --import tsx scripts/tryton-find.ts wms stock.shipment.out number,reference,state '[["reference","=","order_…"]]'
 */
import { z } from 'zod';
import { trytonAdmin } from './tryton-admin';

const args = z
  .tuple([z.enum(['erp', 'wms']), z.string().regex(/^[a-z_.]+$/, 'a Tryton model, e.g. product.product'), z.string().min(1).default('rec_name'), z.string().default('[]')])
  .safeParse(process.argv.slice(2));
if (!args.success) {
  console.error('usage: node --import tsx scripts/tryton-find.ts <erp|wms> <model> [field,field…] [domain as JSON]  (with .data/dev/stack.env loaded)');
  console.error(z.prettifyError(args.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const [role, model, fields, domain] = args.data!;
  const rows = await trytonAdmin(role).model(model).searchRead(z.record(z.string(), z.unknown()), z.array(z.unknown()).parse(JSON.parse(domain)), fields.split(','), { limit: 100, order: [['id', 'ASC']] });
  for (const row of rows) console.log(JSON.stringify(row));
  if (rows.length === 0) console.log(`no ${model} in the ${role.toUpperCase()} matches ${domain}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
