import { ApplicationFailure } from '@temporalio/common';
import type { WmsPort } from '../ports/wms';

export interface WmsCreateFulfillmentOrderInput {
  idempotencyKey: string;
  /** The Medusa order id; the WMS keeps external_ref unique and echoes it in its webhooks. */
  externalRef: string;
  lines: Array<{ sku: string; quantity: number }>;
}

/** What a cancel did: `refused` when the warehouse has already shipped it. */
export type WmsCancelResult = { outcome: 'canceled' | 'absent' } | { outcome: 'refused'; reason: string };

/** WMS order activities, keyed by the Medusa order id (external_ref) so each can find its record again. */
export function createWmsOrderActivities(client: WmsPort) {
  return {
    /** Creates the fulfillment order; a 409 for our own external_ref (an earlier attempt committed) is success. */
    async wmsCreateFulfillmentOrder(input: WmsCreateFulfillmentOrderInput): Promise<{ fulfillmentOrderId: string }> {
      const created = await client.createFulfillmentOrder({ external_ref: input.externalRef, lines: input.lines }, { idempotencyKey: input.idempotencyKey });
      if (created.outcome === 'created') return { fulfillmentOrderId: created.record.id };
      const existing = await client.findFulfillmentOrderByExternalRef(input.externalRef);
      if (!existing) {
        throw ApplicationFailure.retryable(`WMS refused the fulfillment order for ${input.externalRef} (${created.message}) but lists none`, 'WmsFulfillmentOrderRace');
      }
      if (existing.status === 'canceled') {
        // Left by an earlier run of this order that was rolled back (or canceled in the WMS). The
        // WMS keeps external_ref unique and never reopens an order, so a new run cannot fulfil it
        // here; taking it would leave the run waiting forever for a parcel nobody will pick.
        throw ApplicationFailure.nonRetryable(
          `WMS fulfillment order ${existing.id} for ${input.externalRef} is canceled and cannot be reopened; an operator must fulfil this order by hand`,
          'WmsFulfillmentOrderCanceled',
        );
      }
      return { fulfillmentOrderId: existing.id };
    },

    /**
     * Cancels the order's fulfillment order: the saga's undo of wmsCreateFulfillmentOrder and the
     * business cancel alike. Nothing there is "absent"; already shipped is "refused" (a business
     * answer for the workflow to act on, not a failure to retry).
     */
    async wmsCancelFulfillmentOrder(input: { idempotencyKey: string; externalRef: string }): Promise<WmsCancelResult> {
      const fo = await client.findFulfillmentOrderByExternalRef(input.externalRef);
      if (!fo) return { outcome: 'absent' };
      const result = await client.cancelFulfillmentOrder(fo.id, { idempotencyKey: input.idempotencyKey });
      if (result.outcome === 'ok') return { outcome: 'canceled' };
      return { outcome: 'refused', reason: result.message };
    },

    /** The fulfillment order's shipment, if it has shipped: lets a cancel see a shipment whose webhook is still on its way. */
    async wmsGetShipment(input: { externalRef: string }): Promise<{ fulfillmentOrderId: string; trackingNumber: string; carrier: string } | null> {
      const fo = await client.findFulfillmentOrderByExternalRef(input.externalRef);
      if (!fo || fo.status !== 'shipped' || !fo.tracking_number || !fo.carrier) return null;
      return { fulfillmentOrderId: fo.id, trackingNumber: fo.tracking_number, carrier: fo.carrier };
    },
  };
}

export type WmsOrderActivities = ReturnType<typeof createWmsOrderActivities>;
