import type Medusa from '@medusajs/js-sdk';
import { draftOrderForSkus } from '../../src/stack/medusa-commerce';
import { requireEnv } from './env';
import { createMedusaProduct, simulatorWrite } from './systems';

/**
 * Orders in the real Medusa, placed the way an admin places one (a draft order, converted), and
 * the order records the ERP and WMS simulators hold for it.
 */

export interface DraftOrder {
  /** A draft keeps its id when converted, so a test knows the order id before order.placed fires. */
  orderId: string;
  productId: string;
  skus: string[];
}

/** A new product with stock at the hub's warehouse, and a draft order of one of each of its SKUs. */
export async function draftMedusaOrder(sdk: Medusa, opts: { title: string; skus: string[] }): Promise<DraftOrder> {
  const env = requireEnv('MEDUSA_REGION_ID', 'MEDUSA_STOCK_LOCATION_ID', 'MEDUSA_SHIPPING_OPTION_ID', 'MEDUSA_SALES_CHANNEL_ID');
  const productId = await createMedusaProduct(sdk, opts);
  const orderId = await draftOrderForSkus(
    sdk,
    { regionId: env.MEDUSA_REGION_ID!, salesChannelId: env.MEDUSA_SALES_CHANNEL_ID!, stockLocationId: env.MEDUSA_STOCK_LOCATION_ID!, shippingOptionId: env.MEDUSA_SHIPPING_OPTION_ID! },
    opts.skus,
  );
  return { orderId, productId, skus: opts.skus };
}

/** Places the draft: Medusa then emits order.placed. */
export async function convertDraft(sdk: Medusa, draft: DraftOrder): Promise<void> {
  await sdk.admin.draftOrder.convertToOrder(draft.orderId);
}

export async function placeMedusaOrder(sdk: Medusa, opts: { title: string; skus: string[] }): Promise<DraftOrder> {
  const draft = await draftMedusaOrder(sdk, opts);
  await convertDraft(sdk, draft);
  return draft;
}

export interface SimOrder {
  id: string;
  external_ref: string;
  status: string;
  version?: number;
  tracking_number?: string | null;
}

/** The sales orders (ERP) or fulfillment orders (WMS) with this external_ref. */
export async function simulatorOrdersByRef(system: 'ERP' | 'WMS', externalRef: string): Promise<SimOrder[]> {
  const env = requireEnv(`${system}_BASE_URL`, `${system}_API_KEY`);
  const path = system === 'ERP' ? '/v1/sales-orders' : '/v1/fulfillment-orders';
  const res = await fetch(`${env[`${system}_BASE_URL`]}${path}?external_ref=${encodeURIComponent(externalRef)}&limit=10`, {
    headers: { authorization: `Bearer ${env[`${system}_API_KEY`]}` },
  });
  if (!res.ok) throw new Error(`${system} list orders: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: SimOrder[] }).data;
}

/** Ships the order's fulfillment order in the WMS, as the warehouse would; the WMS then sends fulfillment.shipped. */
export async function shipInWms(fulfillmentOrderId: string, trackingNumber: string, carrier = 'DHL'): Promise<SimOrder> {
  return simulatorWrite<SimOrder>('WMS', 'POST', `/v1/fulfillment-orders/${encodeURIComponent(fulfillmentOrderId)}/ship`, {
    tracking_number: trackingNumber,
    carrier,
  });
}

/**
 * Holds (paused) or resumes the simulator's webhook deliveries: a bridge outage that outlasts
 * the sender's retries, so the hub never hears of a change by webhook. Resume in a `finally`.
 */
export async function setWebhookDelivery(system: 'ERP' | 'WMS', delivery: 'paused' | 'on'): Promise<void> {
  const env = requireEnv(`${system}_BASE_URL`, `${system}_CONTROL_KEY`);
  const res = await fetch(`${env[`${system}_BASE_URL`]}/_control/webhooks/delivery`, {
    method: 'PUT',
    headers: { 'x-control-key': env[`${system}_CONTROL_KEY`]!, 'content-type': 'application/json' },
    body: JSON.stringify({ paused: delivery === 'paused' }),
  });
  if (!res.ok) throw new Error(`${system} webhook delivery ${delivery}: ${res.status} ${await res.text()}`);
}
