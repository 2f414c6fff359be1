import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { TrytonRpc } from './rpc';

/** Failure type when the WMS database lacks a record the connector is configured to use. */
export const TRYTON_WMS_SETUP = 'TrytonWmsSetup';

/** A warehouse (stock.location of type warehouse) and the zones a customer shipment needs. */
export const zWarehouse = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  storage_location: z.number().int(),
  output_location: z.number().int(),
  // The location tree is a nested set: a location is in the warehouse when its interval is inside.
  left: z.number().int(),
  right: z.number().int(),
});
export type Warehouse = z.infer<typeof zWarehouse>;
export const WAREHOUSE_FIELDS = ['code', 'name', 'storage_location', 'output_location', 'left', 'right'] as const;

/**
 * What every WMS call builds on, looked up once per process: the company and its currency (a
 * move to a customer requires a unit price), the unit, the shipping warehouse, and the party
 * fulfilment orders are shipped to. The WMS database knows no customers (Medusa does), so that
 * party is found or created here, under the configured name, with one address.
 */
export interface WmsSetup {
  hubUid: number;
  company: number;
  currency: number;
  unit: number;
  warehouse: Warehouse;
  customer: number;
  address: number;
  customerLocation: number;
}

export function wmsSetup(rpc: TrytonRpc, config: { warehouse: string; customer: string }): () => Promise<WmsSetup> {
  let pending: Promise<WmsSetup> | undefined;
  const missing = (what: string) => ApplicationFailure.nonRetryable(`${rpc.system}: ${what}; set it up in Tryton or fix the connector config`, TRYTON_WMS_SETUP);

  const load = async (): Promise<WmsSetup> => {
    const company = z.number().int().safeParse((await rpc.context()).company);
    if (!company.success) throw missing(`user ${rpc.config.user} has no current company`);
    const [companyRow] = await rpc.model('company.company').read(z.object({ currency: z.number().int() }), [company.data], ['currency']);
    const [unit] = await rpc.model('product.uom').search([['symbol', '=', 'u']], { limit: 1, order: [['id', 'ASC']] });
    if (unit === undefined) throw missing('no unit of measure "u"');
    const warehouse = await findWarehouse(rpc, config.warehouse);
    if (!warehouse) throw missing(`no warehouse with code ${JSON.stringify(config.warehouse)}`);
    const customer = await ensureCustomer(rpc, config.customer);
    return { hubUid: await rpc.uid(), company: company.data, currency: companyRow?.currency ?? 0, unit, warehouse, ...customer };
  };
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

export async function findWarehouse(rpc: TrytonRpc, code: string): Promise<Warehouse | null> {
  const [found] = await rpc.model('stock.location').searchRead(zWarehouse, [['code', '=', code], ['type', '=', 'warehouse']], ['id', ...WAREHOUSE_FIELDS], { limit: 1 });
  return found ?? null;
}

const zParty = z.object({ id: z.number().int(), addresses: z.array(z.number().int()), customer_location: z.number().int().nullable() });

/**
 * The lowest-id party of that name, created when there is none. Two processes creating it at
 * once make two, which is harmless: both then take the lowest id.
 */
async function ensureCustomer(rpc: TrytonRpc, name: string): Promise<{ customer: number; address: number; customerLocation: number }> {
  const parties = rpc.model('party.party');
  const find = () => parties.searchRead(zParty, [['name', '=', name]], ['addresses', 'customer_location'], { limit: 1, order: [['id', 'ASC']] });
  let [party] = await find();
  if (!party) {
    await parties.create([{ name, addresses: [['create', [{ street_unstructured: 'Shipping address kept in Medusa', city: '-' }]]] }]);
    [party] = await find();
  }
  const address = party?.addresses[0];
  if (!party || address === undefined) throw ApplicationFailure.nonRetryable(`${rpc.system}: party ${name} has no address`, TRYTON_WMS_SETUP);
  let customerLocation = party.customer_location;
  if (customerLocation === null) [customerLocation] = await rpc.model('stock.location').search([['type', '=', 'customer']], { limit: 1, order: [['id', 'ASC']] });
  if (customerLocation === undefined || customerLocation === null) throw ApplicationFailure.nonRetryable(`${rpc.system}: no customer location`, TRYTON_WMS_SETUP);
  return { customer: party.id, address, customerLocation };
}
