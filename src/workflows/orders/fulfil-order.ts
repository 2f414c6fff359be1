import {
  ApplicationFailure,
  condition,
  defineSignal,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ErpOrderActivities, ErpStatusChange } from '../../activities/erp/orders';
import type { MedusaOrderActivities } from '../../activities/medusa/orders';
import type { WmsCancelResult, WmsOrderActivities } from '../../activities/wms/orders';
import { runSaga } from '../saga';
import { SA } from '../search-attributes';
import { doOptions, undoOptions } from '../activity-options';
import { TASK_QUEUES, type SystemTaskQueue } from '../task-queues';

/**
 * An order placed in Medusa is fulfilled: a fulfillment order in the WMS and a sales order in the
 * ERP (either undone if the other fails), then the run waits (days if need be) for the warehouse
 * to ship, records the shipment with its tracking number in Medusa and marks the ERP order shipped.
 * A cancel that arrives meanwhile is handled by this same run, so a cancel and a shipment never
 * race in two runs.
 */
export const FULFIL_ORDER_FLOW = 'order-fulfilment';

/** order.placed happens once per order, so the order id alone names the run. */
export const fulfilOrderWorkflowId = (orderId: string): string => `${FULFIL_ORDER_FLOW}/${orderId}`;

/** The WMS's fulfillment.shipped webhook, as the bridge forwards it. */
export interface ShipmentEvent {
  /** The webhook delivery id: a re-delivered webhook is recognised and ignored. */
  messageId: string;
  fulfillmentOrderId: string;
  trackingNumber: string;
  carrier: string;
}

/** Medusa's order.canceled, as the bridge forwards it. */
export interface CancelRequest {
  messageId: string;
}

export const orderShippedSignal = defineSignal<[ShipmentEvent]>('orderShipped');
export const orderCancelRequestedSignal = defineSignal<[CancelRequest]>('orderCancelRequested');

export interface FulfilOrderInput {
  orderId: string;
  /**
   * How long the warehouse may take before the run escalates (a mark on the Medusa order and the
   * run's details). The run then keeps waiting: only a person knows whether to chase the
   * warehouse or cancel the order, and an automatic cancel of a parcel that is on the truck would
   * be worse than a late one.
   */
  escalateAfter?: Duration;
}

export const DEFAULT_ESCALATE_AFTER: Duration = '3 days';
/** Set on the Medusa order (ISO time) when the warehouse is late; admins and reports can filter on it. */
export const ESCALATION_METADATA_KEY = 'hub_fulfilment_escalated_at';

export type FulfilOrderResult =
  | {
      outcome: 'shipped';
      orderId: string;
      fulfillmentOrderId: string;
      salesOrderId: string;
      medusaFulfillmentId: string;
      trackingNumber: string;
      carrier: string;
      escalated: boolean;
      /** Why a cancel that came too late was refused. */
      cancelRefused?: string;
    }
  | { outcome: 'canceled'; orderId: string; reason: string; wms: WmsCancelResult['outcome'] | 'not created'; erp: ErpStatusChange['outcome'] | 'not created' };

/**
 * After the parcel left (and for a business cancel) there is nothing to roll back to, so these
 * calls retry until the system is back; a pending activity in the Web UI shows who is down.
 */
const untilDoneOptions = (system: SystemTaskQueue): ActivityOptions => ({
  taskQueue: TASK_QUEUES[system],
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// Reading the order retries a draft (see medusaGetOrder) until it is placed, for up to a day.
const readMedusa = proxyActivities<MedusaOrderActivities>({ ...doOptions('medusa'), scheduleToCloseTimeout: '1 day' });
const medusa = proxyActivities<MedusaOrderActivities>(untilDoneOptions('medusa'));
const wms = proxyActivities<WmsOrderActivities>(doOptions('wms'));
const erp = proxyActivities<ErpOrderActivities>(doOptions('erp'));
const wmsUntilDone = proxyActivities<WmsOrderActivities>(untilDoneOptions('wms'));
const erpUntilDone = proxyActivities<ErpOrderActivities>(untilDoneOptions('erp'));
const undoWms = proxyActivities<WmsOrderActivities>(undoOptions('wms'));
const undoErp = proxyActivities<ErpOrderActivities>(undoOptions('erp'));

export async function fulfilOrder({ orderId, escalateAfter = DEFAULT_ESCALATE_AFTER }: FulfilOrderInput): Promise<FulfilOrderResult> {
  const { workflowId } = workflowInfo();
  const key = (step: string): string => `${workflowId}/${step}`;
  const progress = (step: string): void => setCurrentDetails(`Order ${orderId}: ${step}`);

  // Signals may arrive at any point, even before the first step (signal-with-start). Each
  // delivery id counts once; the first shipment and the first cancel win.
  const seen = new Set<string>();
  let shipment: ShipmentEvent | undefined;
  let cancel: CancelRequest | undefined;
  let cancelRefused: string | undefined;
  setHandler(orderShippedSignal, (event) => {
    if (seen.has(event.messageId)) return;
    seen.add(event.messageId);
    shipment ??= event;
  });
  setHandler(orderCancelRequestedSignal, (request) => {
    if (seen.has(request.messageId)) return;
    seen.add(request.messageId);
    if (!cancelRefused) cancel ??= request;
  });
  const refuseCancel = (reason: string): void => {
    cancelRefused = `Cancel refused: ${reason}`;
    cancel = undefined;
    upsertMemo({ cancelRefused });
    log.warn('order cancel refused', { orderId, reason });
  };

  progress('reading the order from Medusa');
  const order = await readMedusa.medusaGetOrder({ orderId });
  if (order.status === 'canceled' || cancel) {
    // Nothing was created yet, so there is nothing to cancel elsewhere either.
    const reason = 'canceled before fulfilment started';
    progress(reason);
    return { outcome: 'canceled', orderId, reason, wms: 'not created', erp: 'not created' };
  }
  const lines = order.items.map((item) => ({ ...item, sku: item.variant_sku ?? '' }));
  const missing = lines.filter((l) => !l.sku);
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Order ${orderId} has lines without a SKU (${missing.map((l) => l.id).join(', ')}); the warehouse cannot pick them`,
      'MissingSku',
    );
  }
  const skus = [...new Set(lines.map((l) => l.sku))];
  upsertSearchAttributes([{ key: SA.sku, value: skus }]);
  upsertMemo({ order: { id: orderId, skus } });

  const { fulfillmentOrderId, salesOrderId } = await runSaga({ continueWithError: true }, async (saga) => {
    progress('creating the WMS fulfillment order');
    saga.addCompensation('WMS fulfillment order', async () => {
      const result = await undoWms.wmsCancelFulfillmentOrder({ idempotencyKey: key('undo/wms-fulfillment-order'), externalRef: orderId });
      if (result.outcome === 'refused') throw ApplicationFailure.nonRetryable(result.reason, 'WmsCancelRefused');
    });
    const { fulfillmentOrderId } = await wms.wmsCreateFulfillmentOrder({
      idempotencyKey: key('wms-fulfillment-order'),
      externalRef: orderId,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    });

    progress('creating the ERP sales order');
    saga.addCompensation('ERP sales order', async () => {
      const result = await undoErp.erpSetSalesOrderStatus({ idempotencyKey: key('undo/erp-sales-order'), externalRef: orderId, status: 'canceled' });
      if (result.outcome === 'refused') throw ApplicationFailure.nonRetryable(result.reason, 'ErpCancelRefused');
    });
    const { salesOrderId } = await erp.erpCreateSalesOrder({
      idempotencyKey: key('erp-sales-order'),
      externalRef: orderId,
      currencyCode: order.currency_code,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unit_price })),
    });
    return { fulfillmentOrderId, salesOrderId };
  });
  upsertMemo({ order: { id: orderId, skus, wmsFulfillmentOrderId: fulfillmentOrderId, erpSalesOrderId: salesOrderId } });

  const waiting = (): string =>
    `waiting for the WMS to ship fulfillment order ${fulfillmentOrderId} (ERP sales order ${salesOrderId})` +
    (cancelRefused ? `\n\n**${cancelRefused}**` : '');
  let escalated = false;
  progress(waiting());
  while (!shipment) {
    if (cancel) {
      const canceled = await cancelBeforeShipping(cancel);
      if (canceled) return canceled;
      progress(waiting());
      continue;
    }
    const wakeUp = (): boolean => shipment !== undefined || cancel !== undefined;
    // After the escalation there is nothing more to time out on: wait for the shipment or a cancel.
    if (escalated) {
      await condition(wakeUp);
      continue;
    }
    if (!(await condition(wakeUp, escalateAfter))) {
      escalated = true;
      const at = new Date().toISOString();
      upsertMemo({ escalation: { at, after: escalateAfter } });
      setCurrentDetails(
        `### Escalated: the warehouse has not shipped\nOrder ${orderId}: fulfillment order ${fulfillmentOrderId} not shipped ${String(escalateAfter)} after it was created (escalated ${at}). ` +
          `Still waiting: chase the warehouse, or cancel the order in Medusa.`,
      );
      await medusa.medusaSetOrderMetadata({ orderId, values: { [ESCALATION_METADATA_KEY]: at } });
    }
  }

  const shipped = shipment;
  progress(`shipped by ${shipped.carrier} (${shipped.trackingNumber}): recording the shipment in Medusa`);
  const { fulfillmentId: medusaFulfillmentId } = await medusa.medusaRecordShipment({
    orderId,
    fulfillmentOrderId: shipped.fulfillmentOrderId,
    trackingNumber: shipped.trackingNumber,
    carrier: shipped.carrier,
  });
  progress('telling the ERP the order shipped');
  const erpShipped = await erpUntilDone.erpSetSalesOrderStatus({ idempotencyKey: key('erp-shipped'), externalRef: orderId, status: 'shipped' });
  if (erpShipped.outcome === 'refused' || erpShipped.outcome === 'absent') {
    // The parcel is gone but the ERP disagrees: only a person can reconcile the books.
    throw ApplicationFailure.nonRetryable(
      `Order ${orderId} shipped, but the ERP cannot record it: ${erpShipped.outcome === 'refused' ? erpShipped.reason : 'its sales order is missing'}`,
      'ErpShipmentRefused',
    );
  }
  // A cancel that came while the shipment was being recorded is too late as well.
  if (cancel) refuseCancel(`order ${orderId} has already shipped (${shipped.carrier} ${shipped.trackingNumber})`);
  progress(`shipped by ${shipped.carrier} (${shipped.trackingNumber}); Medusa fulfillment ${medusaFulfillmentId}, ERP sales order ${salesOrderId} shipped` + (cancelRefused ? `\n\n**${cancelRefused}**` : ''));
  return {
    outcome: 'shipped',
    orderId,
    fulfillmentOrderId,
    salesOrderId,
    medusaFulfillmentId,
    trackingNumber: shipped.trackingNumber,
    carrier: shipped.carrier,
    escalated,
    ...(cancelRefused ? { cancelRefused } : {}),
  };

  /**
   * The business cancel: the warehouse first, since once it has shipped nothing else may be
   * canceled. A refusal there means the parcel left and its webhook is on the way: the cancel is
   * refused and the run goes on waiting for that shipment.
   */
  async function cancelBeforeShipping(request: CancelRequest): Promise<FulfilOrderResult | undefined> {
    progress('cancel requested: canceling the WMS fulfillment order');
    const wmsResult = await wmsUntilDone.wmsCancelFulfillmentOrder({ idempotencyKey: key(`cancel/${request.messageId}/wms`), externalRef: orderId });
    if (wmsResult.outcome === 'refused') {
      refuseCancel(`the warehouse has already shipped it (${wmsResult.reason})`);
      return undefined;
    }
    progress('cancel requested: canceling the ERP sales order');
    const erpResult = await erpUntilDone.erpSetSalesOrderStatus({ idempotencyKey: key(`cancel/${request.messageId}/erp`), externalRef: orderId, status: 'canceled' });
    if (erpResult.outcome === 'refused') {
      throw ApplicationFailure.nonRetryable(`Order ${orderId} canceled in the WMS, but the ERP refused: ${erpResult.reason}`, 'ErpCancelRefused');
    }
    const reason = 'canceled in Medusa before shipping';
    upsertMemo({ canceled: { reason, wms: wmsResult.outcome, erp: erpResult.outcome } });
    progress(`${reason}: WMS fulfillment order ${fulfillmentOrderId} and ERP sales order ${salesOrderId} canceled`);
    return { outcome: 'canceled', orderId, reason, wms: wmsResult.outcome, erp: erpResult.outcome };
  }
}
