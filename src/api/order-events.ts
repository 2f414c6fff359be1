import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { cancelFinishedOrder, cancelFinishedOrderWorkflowId, CANCEL_FINISHED_ORDER_FLOW } from '../workflows/orders/cancel-order';
import {
  fulfilOrder,
  fulfilOrderWorkflowId,
  FULFIL_ORDER_FLOW,
  orderCancelRequestedSignal,
  orderShippedSignal,
  type FulfilOrderInput,
} from '../workflows/orders/fulfil-order';
import { SA } from '../workflows/search-attributes';
import { TASK_QUEUES } from '../workflows/task-queues';
import { externalRefSchema, medusaIdSchema, recordIdSchema } from './ids';
import { ignore, route } from './routes';
import { startOnce } from './start-once';

/**
 * The order routes of the bridge (Medusa's order.placed and order.canceled, the WMS's
 * fulfillment.shipped), kept together because they all address the one fulfilment run per order.
 * Ids only: the order id is not personal data, and nothing else goes into ids or search attributes.
 */
const orderId = z.object({ id: medusaIdSchema('order') });

/** How the bridge starts an order's fulfilment run; exported so a script or test can start one the same way. */
export const fulfilStart = (id: string, input: Partial<FulfilOrderInput> = {}) => ({
  workflowId: fulfilOrderWorkflowId(id),
  taskQueue: TASK_QUEUES.workflows,
  args: [{ ...input, orderId: id }] as [FulfilOrderInput],
  staticSummary: `Order ${id} → WMS, ERP → shipped`,
  staticDetails:
    `Started by Medusa's order.placed (or its order.canceled, if that came first) for ${id}. Creates the WMS fulfillment order and the ERP sales order ` +
    `(either retried for hours through an outage, then undone if the other fails), waits for the WMS to ship (its webhook, or polling the WMS; escalating if it takes too long), ` +
    `then records the shipment in Medusa and the ERP. A cancel before shipping cancels both; after shipping it is refused and the order ships.`,
  typedSearchAttributes: new TypedSearchAttributes([
    { key: SA.flow, value: FULFIL_ORDER_FLOW },
    { key: SA.source, value: 'medusa' },
    { key: SA.medusaOrderId, value: id },
  ]),
});

/**
 * A run that failed (rolled back after an outage outlasted its steps' retries, or stopped by an
 * operator) may be started again by a re-delivered order.placed: a paid order must not be lost
 * for good to an ERP that was down. A run that completed (shipped or canceled) is final, so a
 * duplicate of its order.placed still starts nothing.
 */
export const orderPlacedRoute = route({
  data: orderId,
  async handle({ id }, { client }) {
    return startOnce(client, fulfilOrder, fulfilStart(id), { restartFailed: true });
  },
});

/**
 * A cancel goes to the order's fulfilment run, so a cancel and a shipment are decided in one place.
 * Signal-with-start: a running run is signalled; a run that does not exist yet (order.placed lost
 * or late) is started with the cancel already pending and ends without creating anything. A run
 * that has finished cannot take signals (REJECT_DUPLICATE keeps it from being started again), so
 * the cancel gets its own short run, which refuses it if the order shipped.
 */
export const orderCanceledRoute = route({
  data: orderId,
  async handle({ id }, { client, messageId }) {
    try {
      const handle = await client.workflow.signalWithStart(fulfilOrder, {
        ...fulfilStart(id),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        signal: orderCancelRequestedSignal,
        signalArgs: [{ messageId }],
      });
      return { status: 'signaled', workflowId: handle.workflowId, runId: handle.signaledRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return startOnce(client, cancelFinishedOrder, {
      workflowId: cancelFinishedOrderWorkflowId(id),
      taskQueue: TASK_QUEUES.workflows,
      args: [{ orderId: id }],
      staticSummary: `Cancel order ${id} (fulfilment run already finished)`,
      staticDetails: `Medusa's order.canceled for ${id} came after its fulfilment run ended. Cancels the WMS fulfillment order and the ERP sales order, or refuses if the order has shipped.`,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SA.flow, value: CANCEL_FINISHED_ORDER_FLOW },
        { key: SA.source, value: 'medusa' },
        { key: SA.medusaOrderId, value: id },
      ]),
    });
  },
});

/**
 * The WMS shipped a fulfillment order: the run waiting for it is the one of the Medusa order in
 * its external_ref. Fulfillment orders the hub did not create (other refs) are not ours; a run
 * that has finished already recorded its shipment (a re-delivery) or was canceled.
 */
export const fulfillmentShippedRoute = route({
  data: z.object({ id: recordIdSchema, external_ref: externalRefSchema('order'), tracking_number: z.string().min(1).max(100), carrier: z.string().min(1).max(100) }),
  async handle(fo, { client, messageId }) {
    if (!fo.external_ref.startsWith('order_')) return { status: 'ignored', reason: `fulfillment order ${fo.id} is not for a Medusa order` };
    const workflowId = fulfilOrderWorkflowId(fo.external_ref);
    try {
      await client.workflow.getHandle(workflowId).signal(orderShippedSignal, {
        messageId,
        fulfillmentOrderId: fo.id,
        trackingNumber: fo.tracking_number,
        carrier: fo.carrier,
      });
      return { status: 'signaled', workflowId };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return { status: 'ignored', reason: `no running fulfilment run ${workflowId}` };
    }
  },
});

const recordId = z.object({ id: recordIdSchema });

/**
 * The simulators also report the order records the hub itself wrote. Acknowledged, so they are
 * not retried as undeliverable, and said to be ignored: the order run already knows.
 */
export const wmsOrderEchoRoutes = {
  'fulfillment.created': ignore(recordId, 'the hub creates fulfillment orders itself; only the shipment comes back to it'),
  'fulfillment.canceled': ignore(recordId, 'the hub cancels fulfillment orders itself'),
};
export const erpOrderEchoRoutes = {
  'sales_order.created': ignore(recordId, 'the hub creates sales orders itself'),
  'sales_order.updated': ignore(recordId, 'the hub sets the sales order status itself; changes made in the ERP are not synced back yet'),
};
