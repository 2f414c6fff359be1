/**
 * Ships an order as the warehouse would, in whichever WMS stack.env names (WMS_CONNECTOR):
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/ship-order.ts order_… [tracking number] [carrier]
 * Tryton: its customer shipment is assigned, picked, packed and done as Tryton's admin (the
 * tracking is the shipment's number, the carrier the warehouse's name); the WMS poller sees it
 * done. REST simulator: its fulfillment order is shipped with the given tracking, and its
 * fulfillment.shipped webhook reaches the bridge. Either way the order's run then records the
 * shipment in Medusa.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TrytonWarehouseStaff } from '../test/support/tryton-warehouse';
import { trytonAdmin } from './tryton-admin';

const env = z
  .object({ WMS_CONNECTOR: z.enum(['tryton', 'rest']), WMS_BASE_URL: z.url().optional(), WMS_API_KEY: z.string().min(1).optional() })
  .refine((e) => e.WMS_CONNECTOR !== 'rest' || (e.WMS_BASE_URL && e.WMS_API_KEY), 'WMS_CONNECTOR=rest needs WMS_BASE_URL and WMS_API_KEY')
  .safeParse(process.env);
const args = z
  .tuple([z.string().startsWith('order_'), z.string().min(1).optional(), z.string().min(1).optional()])
  .safeParse(process.argv.slice(2));
if (!env.success || !args.success) {
  console.error('usage: node --import tsx scripts/ship-order.ts <order id> [tracking number] [carrier]  (with .data/dev/stack.env loaded)');
  if (!env.success) console.error(z.prettifyError(env.error));
  process.exit(2);
}

async function shipInTryton(orderId: string, asked: string | undefined): Promise<void> {
  if (asked) console.log(`Tryton's WMS knows no carrier: the tracking will be the shipment's number, not ${asked}.`);
  const staff = new TrytonWarehouseStaff(trytonAdmin('wms'));
  const shipmentId = await staff.shipmentOf(orderId).catch(() => {
    throw new Error(`the Tryton WMS has no shipment for ${orderId} (yet): is its run waiting? see order-fulfilment/${orderId}`);
  });
  const state = await staff.state(shipmentId);
  // Tryton refuses pick/pack on a shipment past them: say what it is instead of its refusal.
  if (state === 'done' || state === 'cancelled') throw new Error(`Tryton shipment ${shipmentId} of ${orderId} is ${state} already`);
  const { trackingNumber, carrier } = await staff.ship(shipmentId);
  console.log(`Shipped Tryton shipment ${shipmentId} (tracking ${trackingNumber}, carrier ${carrier}). Medusa shows it on ${orderId} once the WMS poller has seen it and the run has recorded it.`);
}

async function shipInSimulator(baseUrl: string, apiKey: string, orderId: string, tracking: string, carrier: string): Promise<void> {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const list = await fetch(`${baseUrl}/v1/fulfillment-orders?external_ref=${encodeURIComponent(orderId)}&limit=1`, { headers });
  const fo = ((await list.json()) as { data: Array<{ id: string; status: string }> }).data[0];
  if (!fo) throw new Error(`the WMS has no fulfillment order for ${orderId} (yet): is its run waiting? see order-fulfilment/${orderId}`);
  const res = await fetch(`${baseUrl}/v1/fulfillment-orders/${encodeURIComponent(fo.id)}/ship`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': randomUUID() },
    body: JSON.stringify({ tracking_number: tracking, carrier }),
  });
  if (!res.ok) throw new Error(`WMS ship ${fo.id}: ${res.status} ${await res.text()}`);
  console.log(`Shipped ${fo.id} (${carrier} ${tracking}). Medusa shows the shipment on ${orderId} once its run has recorded it.`);
}

async function main(): Promise<void> {
  const e = env.data!;
  const [orderId, tracking, carrier] = args.data!;
  if (e.WMS_CONNECTOR === 'tryton') return shipInTryton(orderId, tracking);
  return shipInSimulator(e.WMS_BASE_URL!, e.WMS_API_KEY!, orderId, tracking ?? `TRK-${Date.now()}`, carrier ?? 'DHL');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
