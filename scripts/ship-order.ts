/**
 * Ships an order's fulfillment order in the WMS, as the warehouse would; the WMS then sends its
 * fulfillment.shipped webhook to the bridge, and the order's run records the shipment in Medusa:
 *   set -a; . .data/dev/stack.env; set +a
 *   node --import tsx scripts/ship-order.ts order_… [tracking number] [carrier]
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const env = z.object({ WMS_BASE_URL: z.url(), WMS_API_KEY: z.string().min(1) }).safeParse(process.env);
const args = z
  .tuple([z.string().startsWith('order_'), z.string().min(1).optional(), z.string().min(1).optional()])
  .safeParse(process.argv.slice(2));
if (!env.success || !args.success) {
  console.error('usage: node --import tsx scripts/ship-order.ts <order id> [tracking number] [carrier]  (with .data/dev/stack.env loaded)');
  if (!env.success) console.error(z.prettifyError(env.error));
  process.exit(2);
}

async function main(): Promise<void> {
  const { WMS_BASE_URL, WMS_API_KEY } = env.data!;
  const [orderId, tracking = `TRK-${Date.now()}`, carrier = 'DHL'] = args.data!;
  const headers = { authorization: `Bearer ${WMS_API_KEY}`, 'content-type': 'application/json' };
  const list = await fetch(`${WMS_BASE_URL}/v1/fulfillment-orders?external_ref=${encodeURIComponent(orderId)}&limit=1`, { headers });
  const fo = ((await list.json()) as { data: Array<{ id: string; status: string }> }).data[0];
  if (!fo) throw new Error(`the WMS has no fulfillment order for ${orderId} (yet): is its run waiting? see order-fulfilment/${orderId}`);
  const res = await fetch(`${WMS_BASE_URL}/v1/fulfillment-orders/${encodeURIComponent(fo.id)}/ship`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': randomUUID() },
    body: JSON.stringify({ tracking_number: tracking, carrier }),
  });
  if (!res.ok) throw new Error(`WMS ship ${fo.id}: ${res.status} ${await res.text()}`);
  console.log(`Shipped ${fo.id} (${carrier} ${tracking}). Medusa shows the shipment on ${orderId} once its run has recorded it.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
