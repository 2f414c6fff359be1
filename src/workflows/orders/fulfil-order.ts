import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineSignal,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import type { ErpOrderActivities, ErpStatusChange } from '../../activities/erp/orders';
import type { MedusaOrderActivities } from '../../activities/medusa/orders';
import type { WmsCancelResult, WmsOrderActivities } from '../../activities/wms/orders';
import { runSaga } from '../saga';
import { SA } from '../search-attributes';
import { doOptions, settleBeforeUndo, undoOptions } from '../activity-options';
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
  /**
   * How often the waiting run asks the WMS whether it has shipped. The webhook is the fast path;
   * the WMS gives up on it after a few minutes of bridge outage, so without this a lost webhook
   * left the order waiting forever. One cheap activity per interval (see POLLING).
   */
  pollEvery?: Duration;
  /**
   * How long a create step (WMS fulfillment order, ERP sales order) is retried through an outage
   * before the order is rolled back. A paid order rolled back because the ERP was down for 11
   * minutes is a lost order, so this is what a business would wait, not what a product sync waits.
   */
  retryStepsFor?: Duration;
  /** After this long on one step, the run's details say the system is down and until when it is retried. */
  reportOutageAfter?: Duration;
  /** History length at which the waiting run continues as new (see POLLING); the server may suggest it sooner. */
  continueAsNewAfterEvents?: number;
  /** Set by the run itself when it continues as new while waiting for the shipment. */
  waiting?: WaitingState;
}

/** What a run waiting for the shipment hands to the run it continues as. */
export interface WaitingState {
  skus: string[];
  fulfillmentOrderId: string;
  salesOrderId: string;
  /** Workflow time (ms) when the wait began: the escalation is due escalateAfter after it. */
  waitingSince: number;
  escalated: boolean;
  cancelRefused?: string;
  /** Delivery ids already taken, so a re-delivered signal still counts once. */
  seen: string[];
}

export const DEFAULT_ESCALATE_AFTER: Duration = '3 days';
export const DEFAULT_POLL_EVERY: Duration = '15 minutes';
export const DEFAULT_RETRY_STEPS_FOR: Duration = '12 hours';
export const DEFAULT_REPORT_OUTAGE_AFTER: Duration = '1 minute';
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;
/** Set on the Medusa order (ISO time) when the warehouse is late; admins and reports can filter on it. */
export const ESCALATION_METADATA_KEY = 'hub_fulfilment_escalated_at';

export type FulfilOrderResult =
  | {
      outcome: 'shipped';
      orderId: string;
      fulfillmentOrderId: string;
      salesOrderId: string;
      /** null when the order was canceled in Medusa too late: the shipment is in its metadata (SHIPPED_DESPITE_CANCEL_KEYS). */
      medusaFulfillmentId: string | null;
      trackingNumber: string;
      carrier: string;
      escalated: boolean;
      /** Why a cancel that came too late was refused. */
      cancelRefused?: string;
      /** The order was canceled in Medusa after the warehouse had shipped it; it shipped all the same. */
      shippedDespiteCancel?: string;
      /** How the run learnt of the shipment (absent on runs from before polling). */
      foundBy?: 'webhook' | 'poll';
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
// A poll that fails (the WMS is down) is simply retried at the next interval; it must not hold up a webhook.
const pollWms = proxyActivities<WmsOrderActivities>({ taskQueue: TASK_QUEUES.wms, startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 2 } });

/**
 * POLLING, and why the history stays bounded. One poll is a timer and an activity: TimerStarted,
 * TimerFired, ActivityTaskScheduled/Started/Completed and two workflow tasks (3 events each),
 * about 11 events of well under 1 KB. Every 15 minutes that is 96 polls, ~1,060 events a day;
 * Temporal warns at 10,240 events (~10 days) and terminates a run at 51,200 (~48 days). So the
 * waiting run continues as new after continueAsNewAfterEvents (5,000: ~4.5 days at 15 minutes)
 * or sooner when the server suggests it, carrying only what the wait needs (WaitingState). Memo
 * and search attributes are handed on; the escalation stays due at the same time.
 */
export async function fulfilOrder(input: FulfilOrderInput): Promise<FulfilOrderResult> {
  const {
    orderId,
    escalateAfter = DEFAULT_ESCALATE_AFTER,
    pollEvery = DEFAULT_POLL_EVERY,
    retryStepsFor = DEFAULT_RETRY_STEPS_FOR,
    reportOutageAfter = DEFAULT_REPORT_OUTAGE_AFTER,
    continueAsNewAfterEvents = DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
    waiting: resumed,
  } = input;
  const { workflowId } = workflowInfo();
  const key = (step: string): string => `${workflowId}/${step}`;
  const progress = (step: string): void => setCurrentDetails(`Order ${orderId}: ${step}`);

  // Signals may arrive at any point, even before the first step (signal-with-start). Each
  // delivery id counts once; the first shipment and the first cancel win.
  const seen = new Set<string>(resumed?.seen);
  let shipment: ShipmentEvent | undefined;
  let foundBy: 'webhook' | 'poll' = 'webhook';
  let cancel: CancelRequest | undefined;
  let cancelRefused: string | undefined = resumed?.cancelRefused;
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

  const created = resumed ?? (await createOrders());
  if ('outcome' in created) return created;
  const { skus, fulfillmentOrderId, salesOrderId } = created;
  return waitForShipment();

  /** Reads the order and creates it in the WMS and the ERP, each undone if the other fails. */
  async function createOrders(): Promise<FulfilOrderResult | { skus: string[]; fulfillmentOrderId: string; salesOrderId: string }> {
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

    // Runs from before this patch give up on a step after doOptions' 10 minutes and do not report
    // the outage; their history has no timer around the steps.
    const patient = patched('fulfil-order-retry-steps-for-hours');
    // settleBeforeUndo: a cancelled run's undo (cancel by external_ref) must not overtake a create
    // still in flight, or the create would then commit an order for a cancelled run (saga.ts).
    const createWms = patient ? proxyActivities<WmsOrderActivities>(settleBeforeUndo({ ...doOptions('wms'), scheduleToCloseTimeout: retryStepsFor })) : wms;
    const createErp = patient ? proxyActivities<ErpOrderActivities>(settleBeforeUndo({ ...doOptions('erp'), scheduleToCloseTimeout: retryStepsFor })) : erp;
    /**
     * Runs one create step. Through an outage it is retried for retryStepsFor (hours), and after
     * reportOutageAfter the run's details say so, and until when, so a person looking at a paid
     * order that has not reached the warehouse sees why (the pending activity has the last error).
     */
    const step = async <T>(what: string, system: string, call: () => Promise<T>): Promise<T> => {
      progress(what);
      if (!patient) return call();
      let settled = false;
      const result = call();
      // Observing both outcomes keeps a rejection from counting as unhandled while the timer runs.
      const done = result.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Not cancellable: a cancelled run must go on waiting for the call to settle (settleBeforeUndo
      // makes the promise settle only once the activity has ended), never unwind while the step
      // may still commit.
      if (!(await CancellationScope.nonCancellable(() => condition(() => settled, reportOutageAfter)))) {
        const until = new Date(Date.now() + msToNumber(retryStepsFor) - msToNumber(reportOutageAfter)).toISOString();
        setCurrentDetails(
          `### Waiting for the ${system}\nOrder ${orderId}: ${what}. The ${system} has not accepted the call for ${String(reportOutageAfter)} ` +
            `(down or failing: the pending activity shows its last error). Retried until about ${until}; only then is the order rolled back.`,
        );
        await done;
      }
      return result;
    };

    const { fulfillmentOrderId, salesOrderId } = await runSaga({ continueWithError: true }, async (saga) => {
      saga.addCompensation('WMS fulfillment order', async () => {
        const result = await undoWms.wmsCancelFulfillmentOrder({ idempotencyKey: key('undo/wms-fulfillment-order'), externalRef: orderId });
        if (result.outcome === 'refused') throw ApplicationFailure.nonRetryable(result.reason, 'WmsCancelRefused');
      });
      const { fulfillmentOrderId } = await step('creating the WMS fulfillment order', 'WMS', () =>
        createWms.wmsCreateFulfillmentOrder({
          idempotencyKey: key('wms-fulfillment-order'),
          externalRef: orderId,
          lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        }),
      );

      saga.addCompensation('ERP sales order', async () => {
        const result = await undoErp.erpSetSalesOrderStatus({ idempotencyKey: key('undo/erp-sales-order'), externalRef: orderId, status: 'canceled' });
        if (result.outcome === 'refused') throw ApplicationFailure.nonRetryable(result.reason, 'ErpCancelRefused');
      });
      const { salesOrderId } = await step('creating the ERP sales order', 'ERP', () =>
        createErp.erpCreateSalesOrder({
          idempotencyKey: key('erp-sales-order'),
          externalRef: orderId,
          currencyCode: order.currency_code,
          lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unit_price })),
        }),
      );
      return { fulfillmentOrderId, salesOrderId };
    });
    upsertMemo({ order: { id: orderId, skus, wmsFulfillmentOrderId: fulfillmentOrderId, erpSalesOrderId: salesOrderId } });
    return { skus, fulfillmentOrderId, salesOrderId };
  }

  async function waitForShipment(): Promise<FulfilOrderResult> {
    const waiting = (): string =>
      `waiting for the WMS to ship fulfillment order ${fulfillmentOrderId} (ERP sales order ${salesOrderId})` +
      (cancelRefused ? `\n\n**${cancelRefused}**` : '');
    let escalated = resumed?.escalated ?? false;
    const waitingSince = resumed?.waitingSince ?? Date.now();
    const escalate = async (): Promise<void> => {
      escalated = true;
      const at = new Date().toISOString();
      upsertMemo({ escalation: { at, after: escalateAfter } });
      setCurrentDetails(
        `### Escalated: the warehouse has not shipped\nOrder ${orderId}: fulfillment order ${fulfillmentOrderId} not shipped ${String(escalateAfter)} after it was created (escalated ${at}). ` +
          `Still waiting: chase the warehouse, or cancel the order in Medusa.`,
      );
      await medusa.medusaSetOrderMetadata({ orderId, values: { [ESCALATION_METADATA_KEY]: at } });
    };
    const wakeUp = (): boolean => shipment !== undefined || cancel !== undefined;
    // Runs from before this patch wait for the webhook only (their history has one escalation
    // timer and no polls). Taken once, at the start of the wait, so a run never mixes the two.
    const poll = resumed !== undefined || patched('fulfil-order-poll-wms-for-shipment');
    progress(waiting() + (escalated ? `\n\n**Escalated: not shipped ${String(escalateAfter)} after it was created**` : ''));
    while (!shipment) {
      if (cancel) {
        const canceled = await cancelBeforeShipping(cancel);
        if (canceled) return canceled;
        progress(waiting());
        continue;
      }
      if (!poll) {
        // After the escalation there is nothing more to time out on: wait for the shipment or a cancel.
        if (escalated) await condition(wakeUp);
        else if (!(await condition(wakeUp, escalateAfter))) await escalate();
        continue;
      }
      const untilEscalation = escalated ? Infinity : waitingSince + msToNumber(escalateAfter) - Date.now();
      if (await condition(wakeUp, Math.max(1, Math.min(msToNumber(pollEvery), untilEscalation)))) continue;
      const found = await pollWms.wmsGetShipment({ externalRef: orderId }).catch((err: unknown) => {
        log.warn('polling the WMS for the shipment failed; trying again at the next interval', { orderId, error: String(err) });
        return null;
      });
      if (found && !shipment) {
        shipment = { messageId: `poll/${found.fulfillmentOrderId}`, ...found };
        foundBy = 'poll';
        break;
      }
      if (!escalated && Date.now() >= waitingSince + msToNumber(escalateAfter)) await escalate();
      const info = workflowInfo();
      if (!wakeUp() && (info.continueAsNewSuggested || info.historyLength >= continueAsNewAfterEvents)) {
        const state: WaitingState = { skus, fulfillmentOrderId, salesOrderId, waitingSince, escalated, seen: [...seen], ...(cancelRefused ? { cancelRefused } : {}) };
        // The server keeps search attributes across continue-as-new but not the memo: hand both on.
        await makeContinueAsNewFunc<typeof fulfilOrder>({ memo: info.memo, typedSearchAttributes: info.typedSearchAttributes })({ ...input, waiting: state });
      }
    }

    const shipped = shipment;
    progress(`shipped by ${shipped.carrier} (${shipped.trackingNumber}): recording the shipment in Medusa`);
    const recorded = await medusa.medusaRecordShipment({
      orderId,
      fulfillmentOrderId: shipped.fulfillmentOrderId,
      trackingNumber: shipped.trackingNumber,
      carrier: shipped.carrier,
    });
    const medusaFulfillmentId = recorded.fulfillmentId;
    // The order was canceled in Medusa after the parcel had left (a late cancel, refused by the
    // WMS, or one the hub never heard of). It shipped: the ERP is told so below, Medusa has it in
    // the order's metadata, and the run's result and memo say so. Older runs did not note it.
    let shippedDespiteCancel: string | undefined;
    if (recorded.recordedAs === 'order-metadata' && patched('fulfil-order-note-shipped-despite-cancel')) {
      shippedDespiteCancel =
        `Canceled in Medusa after the warehouse had shipped it: shipped all the same (${shipped.carrier} ${shipped.trackingNumber}); ` +
        `recorded in the Medusa order's metadata, which takes no fulfillment once canceled, and in the ERP`;
      upsertMemo({ shippedDespiteCancel });
    }
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
    progress(
      `shipped by ${shipped.carrier} (${shipped.trackingNumber}); ${medusaFulfillmentId ? `Medusa fulfillment ${medusaFulfillmentId}` : 'in the Medusa order\'s metadata'}, ERP sales order ${salesOrderId} shipped` +
        (cancelRefused ? `\n\n**${cancelRefused}**` : '') +
        (shippedDespiteCancel ? `\n\n**${shippedDespiteCancel}**` : ''),
    );
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
      ...(shippedDespiteCancel ? { shippedDespiteCancel } : {}),
      ...(poll ? { foundBy } : {}),
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
}
