import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { callMedusa } from './client';

export const MEDUSA_ORDER_NOT_PLACED = 'MedusaOrderNotPlaced';
export const MEDUSA_UNEXPECTED_RESPONSE = 'MedusaUnexpectedResponse';

/** The fulfillment's metadata key naming the WMS fulfillment order it records: how a retry finds it. */
export const WMS_FULFILLMENT_ORDER_KEY = 'hub_wms_fulfillment_order_id';

/**
 * What the order flow needs of an order: lines by SKU, no customer data. Email and addresses stay
 * in Medusa; the ERP and WMS here take none, so none of it enters the run's history at all.
 */
const orderSnapshotSchema = z.object({
  id: z.string(),
  status: z.string(),
  currency_code: z.string(),
  items: z.array(z.object({ id: z.string(), variant_sku: z.string().nullable(), quantity: z.number(), unit_price: z.number() })),
});
export type MedusaOrderSnapshot = z.output<typeof orderSnapshotSchema>;

const fulfillmentsSchema = z.object({
  status: z.string(),
  items: z.array(z.object({ id: z.string(), quantity: z.number() })),
  fulfillments: z
    .array(
      z.object({
        id: z.string(),
        shipped_at: z.unknown().nullable(),
        canceled_at: z.unknown().nullable(),
        metadata: z.record(z.string(), z.unknown()).nullable(),
      }),
    )
    .nullable()
    .transform((f) => f ?? []),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    // An upgrade or a bug no retry fixes.
    throw ApplicationFailure.nonRetryable(`Medusa ${what} has an unexpected shape: ${z.prettifyError(result.error)}`, MEDUSA_UNEXPECTED_RESPONSE);
  }
  return result.data;
}

export interface MedusaShipmentInput {
  orderId: string;
  fulfillmentOrderId: string;
  trackingNumber: string;
  carrier: string;
}

/**
 * The order's metadata keys for a shipment recorded on an order that was canceled in Medusa after
 * the warehouse had shipped it (Medusa refuses a fulfillment on a canceled order).
 */
export const SHIPPED_DESPITE_CANCEL_KEYS = {
  at: 'hub_shipped_despite_cancel_at',
  trackingNumber: 'hub_shipment_tracking_number',
  carrier: 'hub_shipment_carrier',
  fulfillmentOrderId: WMS_FULFILLMENT_ORDER_KEY,
} as const;

/**
 * How a shipment was recorded: as a fulfillment with its shipment (the normal case), or, on an
 * order canceled in Medusa too late, in the order's metadata (see SHIPPED_DESPITE_CANCEL_KEYS).
 * `recordedAs` is absent in results recorded before it existed, which were all fulfillments.
 */
export type MedusaShipmentRecord = { fulfillmentId: string; recordedAs?: 'fulfillment' } | { fulfillmentId: null; recordedAs: 'order-metadata' };

export function createMedusaOrderActivities({ sdk }: { sdk: Medusa }) {
  // `*items`: a line's quantity is computed from its detail row, which Medusa only fills in when
  // the whole item is asked for (items.quantity alone comes back empty).
  const readFulfillments = async (orderId: string) => {
    const { order } = await callMedusa({ method: 'GET', path: '/admin/orders/:id' }, () =>
      sdk.admin.order.retrieve(orderId, { fields: 'id,status,*items,*fulfillments' }),
    );
    return parse(fulfillmentsSchema, order, `order ${orderId}`);
  };

  /** Sets `hub_` keys on any order, a canceled one included (apps/medusa/src/api/admin/hub/orders). */
  const writeHubOrderMetadata = async (orderId: string, values: Record<string, string>): Promise<void> => {
    await callMedusa({ method: 'POST', path: '/admin/hub/orders/:id/metadata' }, () =>
      sdk.client.fetch(`/admin/hub/orders/${encodeURIComponent(orderId)}/metadata`, { method: 'POST', body: { values } }),
    );
  };

  return {
    /**
     * Reads the order's lines. A draft is not placed yet: retried, so a run started early (by a
     * cancel that overtook order.placed, or by hand) waits for the order instead of fulfilling a draft.
     */
    async medusaGetOrder(input: { orderId: string }): Promise<MedusaOrderSnapshot> {
      const { order } = await callMedusa({ method: 'GET', path: '/admin/orders/:id' }, () =>
        sdk.admin.order.retrieve(input.orderId, { fields: 'id,status,currency_code,*items' }),
      );
      const snapshot = parse(orderSnapshotSchema, order, `order ${input.orderId}`);
      if (snapshot.status === 'draft') {
        throw ApplicationFailure.retryable(`Medusa order ${input.orderId} is still a draft`, MEDUSA_ORDER_NOT_PLACED);
      }
      return snapshot;
    },

    /** Sets the given metadata keys on the order, keeping the others (read, merge, write). */
    async medusaSetOrderMetadata(input: { orderId: string; values: Record<string, string> }): Promise<void> {
      const { order } = await callMedusa({ method: 'GET', path: '/admin/orders/:id' }, () => sdk.admin.order.retrieve(input.orderId, { fields: 'id,metadata' }));
      const current = (order.metadata ?? {}) as Record<string, unknown>;
      await callMedusa({ method: 'POST', path: '/admin/orders/:id' }, () =>
        sdk.admin.order.update(input.orderId, { metadata: { ...current, ...input.values } }),
      );
    },

    /**
     * Records the WMS's shipment in Medusa: one fulfillment of every line, then its shipment with
     * the tracking number. The fulfillment carries the WMS fulfillment order id in its metadata,
     * so a retried attempt finds it and skips what is already done instead of fulfilling twice.
     *
     * An order canceled in Medusa after the warehouse shipped it (the cancel came too late) takes
     * no fulfillment: Medusa refuses one on a canceled order, and that 4xx would fail the run
     * for good. The parcel has left, so the business outcome is "shipped": the carrier and the
     * tracking number go into the order's metadata instead, through the hub's own route (Medusa's
     * admin update refuses canceled orders too; see apps/medusa/src/api/admin/hub).
     */
    async medusaRecordShipment(input: MedusaShipmentInput): Promise<MedusaShipmentRecord> {
      const find = async () => {
        const state = await readFulfillments(input.orderId);
        const fulfillment = state.fulfillments.find((f) => !f.canceled_at && f.metadata?.[WMS_FULFILLMENT_ORDER_KEY] === input.fulfillmentOrderId);
        return { status: state.status, items: state.items.map((i) => ({ id: i.id, quantity: i.quantity })), fulfillment };
      };
      let { status, items, fulfillment } = await find();
      if (!fulfillment && status === 'canceled') {
        const k = SHIPPED_DESPITE_CANCEL_KEYS;
        await writeHubOrderMetadata(input.orderId, {
          [k.at]: new Date().toISOString(),
          [k.trackingNumber]: input.trackingNumber,
          [k.carrier]: input.carrier,
          [k.fulfillmentOrderId]: input.fulfillmentOrderId,
        });
        return { fulfillmentId: null, recordedAs: 'order-metadata' };
      }
      if (!fulfillment) {
        await callMedusa({ method: 'POST', path: '/admin/orders/:id/fulfillments' }, () =>
          sdk.admin.order.createFulfillment(input.orderId, { items, metadata: { [WMS_FULFILLMENT_ORDER_KEY]: input.fulfillmentOrderId } }, { fields: 'id' }),
        );
        ({ items, fulfillment } = await find());
        if (!fulfillment) throw ApplicationFailure.retryable(`Medusa created no findable fulfillment for order ${input.orderId}`, MEDUSA_UNEXPECTED_RESPONSE);
      }
      if (!fulfillment.shipped_at) {
        const fulfillmentId = fulfillment.id;
        await callMedusa({ method: 'POST', path: '/admin/orders/:id/fulfillments/:id/shipments' }, () =>
          sdk.admin.order.createShipment(
            input.orderId,
            fulfillmentId,
            // Medusa wants URLs with every label; the WMS gives a carrier and a number only.
            { items, labels: [{ tracking_number: input.trackingNumber, tracking_url: '', label_url: '' }], metadata: { carrier: input.carrier } },
            { fields: 'id' },
          ),
        );
      }
      return { fulfillmentId: fulfillment.id, recordedAs: 'fulfillment' };
    },
  };
}

export type MedusaOrderActivities = ReturnType<typeof createMedusaOrderActivities>;
