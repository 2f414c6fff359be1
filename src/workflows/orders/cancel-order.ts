import { proxyActivities, setCurrentDetails, upsertMemo, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ErpOrderActivities } from '../../activities/erp/orders';
import type { WmsOrderActivities } from '../../activities/wms/orders';
import { TASK_QUEUES } from '../task-queues';

/**
 * Medusa's order.canceled for an order whose fulfilment run has already finished (shipped, rolled
 * back, or canceled). A running fulfilment run handles its own cancel (see fulfil-order.ts); this
 * short run answers the rest, so every cancel leaves a run in the Web UI that says what happened:
 * refused because the order shipped, or done in the WMS and the ERP.
 */
export const CANCEL_FINISHED_ORDER_FLOW = 'order-cancel';

/** order.canceled happens once per order. */
export const cancelFinishedOrderWorkflowId = (orderId: string): string => `${CANCEL_FINISHED_ORDER_FLOW}/${orderId}`;

export interface CancelFinishedOrderInput {
  orderId: string;
}

export type CancelFinishedOrderResult =
  | { outcome: 'refused'; orderId: string; reason: string }
  | { outcome: 'canceled'; orderId: string; wms: string; erp: string };

const options = (queue: string): ActivityOptions => ({
  taskQueue: queue,
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const wms = proxyActivities<WmsOrderActivities>(options(TASK_QUEUES.wms));
const erp = proxyActivities<ErpOrderActivities>(options(TASK_QUEUES.erp));

export async function cancelFinishedOrder({ orderId }: CancelFinishedOrderInput): Promise<CancelFinishedOrderResult> {
  const { workflowId } = workflowInfo();
  const refuse = (reason: string): CancelFinishedOrderResult => {
    const message = `Cancel refused: ${reason}`;
    upsertMemo({ cancelRefused: message });
    setCurrentDetails(`Order ${orderId}: **${message}**`);
    return { outcome: 'refused', orderId, reason };
  };

  setCurrentDetails(`Order ${orderId}: checking whether the warehouse has shipped`);
  const shipment = await wms.wmsGetShipment({ externalRef: orderId });
  if (shipment) return refuse(`order ${orderId} has already shipped (${shipment.carrier} ${shipment.trackingNumber}, WMS fulfillment order ${shipment.fulfillmentOrderId})`);

  const wmsResult = await wms.wmsCancelFulfillmentOrder({ idempotencyKey: `${workflowId}/wms`, externalRef: orderId });
  if (wmsResult.outcome === 'refused') return refuse(`the warehouse has already shipped it (${wmsResult.reason})`);
  const erpResult = await erp.erpSetSalesOrderStatus({ idempotencyKey: `${workflowId}/erp`, externalRef: orderId, status: 'canceled' });
  if (erpResult.outcome === 'refused') return refuse(erpResult.reason);
  setCurrentDetails(`Order ${orderId}: canceled (WMS ${wmsResult.outcome}, ERP ${erpResult.outcome})`);
  return { outcome: 'canceled', orderId, wms: wmsResult.outcome, erp: erpResult.outcome };
}
