import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { TrytonRpc } from './rpc';

/** Failure type when the ERP database lacks a record the connector is configured to use. */
export const TRYTON_ERP_SETUP = 'TrytonErpSetup';

/**
 * The records of the ERP database every call builds on (company currency, the unit, the web
 * shop, the customer and its address, the warehouse), looked up once per process: they are set
 * up with the database (src/stack/tryton_setup.py) and never change under a running hub.
 */
export interface ErpSetup {
  hubUid: number;
  /** Lower case, as the port carries currencies ("eur"). */
  companyCurrency: string;
  unit: number;
  shop: number;
  /** web_shop refuses to quote a sale of this party ("select another party instead of the guest"). */
  shopGuestParty: number | null;
  customer: number;
  address: number;
  warehouse: number;
  /** sale_shipment_cost, when installed, wants an explicit null without a carrier. */
  saleHasShipmentCostMethod: boolean;
}

export function erpSetup(rpc: TrytonRpc, config: { webShop: string; customer: string; warehouse: string }): () => Promise<ErpSetup> {
  let pending: Promise<ErpSetup> | undefined;
  const one = async (model: string, field: string, value: string, extra: unknown[] = []): Promise<number> => {
    const domain = /^\d+$/.test(value) ? [['id', '=', Number(value)], ...extra] : [[field, '=', value], ...extra];
    const [id] = await rpc.model(model).search(domain, { limit: 1 });
    if (id === undefined) {
      throw ApplicationFailure.nonRetryable(`${rpc.system}: no ${model} with ${field} ${JSON.stringify(value)}; set it up in Tryton or fix the connector config`, TRYTON_ERP_SETUP);
    }
    return id;
  };
  const load = async (): Promise<ErpSetup> => {
    const context = await rpc.context();
    const companyId = z.number().int().safeParse(context.company);
    if (!companyId.success) throw ApplicationFailure.nonRetryable(`${rpc.system}: user ${rpc.config.user} has no current company`, TRYTON_ERP_SETUP);
    const [company] = await rpc.model('company.company').read(z.object({ 'currency.': z.object({ code: z.string() }) }), [companyId.data], ['currency.code']);
    const customer = await one('party.party', 'name', config.customer);
    const [party] = await rpc.model('party.party').read(z.object({ addresses: z.array(z.number().int()) }), [customer], ['addresses']);
    const address = party?.addresses[0];
    if (address === undefined) throw ApplicationFailure.nonRetryable(`${rpc.system}: customer ${config.customer} has no address`, TRYTON_ERP_SETUP);
    const saleFields = await rpc.model('sale.sale').call('fields_get', [['shipment_cost_method']], { schema: z.record(z.string(), z.unknown()) });
    const shop = await one('web.shop', 'name', config.webShop);
    const [shopRow] = await rpc.model('web.shop').read(z.object({ guest_party: z.number().int().nullable() }), [shop], ['guest_party']);
    return {
      hubUid: await rpc.uid(),
      companyCurrency: (company?.['currency.'].code ?? '').toLowerCase(),
      unit: await one('product.uom', 'symbol', 'u'),
      shop,
      shopGuestParty: shopRow?.guest_party ?? null,
      customer,
      address,
      warehouse: await one('stock.location', 'code', config.warehouse, [['type', '=', 'warehouse']]),
      saleHasShipmentCostMethod: 'shipment_cost_method' in saleFields,
    };
  };
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
