import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { convertDraft, draftMedusaOrder, placeMedusaOrder, shipInWms, simulatorOrdersByRef } from '../../../test/support/orders';
import { testFinishedRunsReplay } from '../../../test/support/replay';
import {
  clearFaults,
  eventually,
  type FaultSpec,
  injectFault,
  postSignedWebhook,
  uniq,
  useSuiteConnections,
  waitForRun,
} from '../../../test/support/systems';
import { fulfilStart } from '../../api/order-events';
import { ROLLED_BACK } from '../saga';
import { cancelFinishedOrderWorkflowId, type CancelFinishedOrderResult } from './cancel-order';
import { ESCALATION_METADATA_KEY, FULFIL_ORDER_FLOW, fulfilOrder, fulfilOrderWorkflowId, type FulfilOrderResult } from './fulfil-order';

/**
 * The order flow end to end on real parts: a draft order converted in Medusa → order.placed via
 * the subscriber and the bridge → this workflow → WMS and ERP simulators → the WMS ships, its
 * webhook reaches the bridge and signals the run → the shipment lands in Medusa and the ERP.
 */
const finishedRuns: string[] = [];

const suite = useSuiteConnections();

async function fulfillmentsOf(orderId: string) {
  const { order } = await suite.sdk.admin.order.retrieve(orderId, {
    fields: 'id,metadata,fulfillments.id,fulfillments.shipped_at,fulfillments.labels.tracking_number',
  });
  // The typed fulfillment leaves out the labels that the fields above ask for.
  const fulfillments = (order.fulfillments ?? []) as Array<{ id: string; shipped_at: unknown; labels?: Array<{ tracking_number: string }> }>;
  return { metadata: (order.metadata ?? {}) as Record<string, unknown>, fulfillments };
}

/** The WMS fulfillment order and the ERP sales order of an order, once the run has created both. */
async function ordersInSystems(orderId: string) {
  const [fo] = await eventually('the WMS fulfillment order', () => simulatorOrdersByRef('WMS', orderId), (l) => l.length > 0);
  const [so] = await eventually('the ERP sales order', () => simulatorOrdersByRef('ERP', orderId), (l) => l.length > 0);
  return { fo: fo!, so: so! };
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  return (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
}

/** Faults are scoped to order endpoints, so only another order run could take one: wait for those to settle. */
async function waitForIdleOrderRuns(): Promise<void> {
  await eventually('order runs to settle', () => suite.client.workflow.count(`HubFlow = '${FULFIL_ORDER_FLOW}' AND ExecutionStatus = 'Running'`), (c) => c.count === 0);
}

describe('order.placed → WMS, ERP → shipped', () => {
  test('an order is fulfilled, shipped by the WMS and recorded in Medusa and the ERP; duplicates change nothing; a late cancel is refused', async () => {
    const u = uniq();
    const { orderId } = await placeMedusaOrder(suite.sdk, { title: `Scarf ${u}`, skus: [`SCARF-${u}-A`, `SCARF-${u}-B`] });
    const handle = await waitForRun(suite.client, fulfilOrderWorkflowId(orderId));

    const { fo, so } = await ordersInSystems(orderId);
    expect(fo).toMatchObject({ status: 'pending' });
    expect(so).toMatchObject({ status: 'open' });

    // order.placed again (a re-emission): the same run, nothing new.
    const again = await postSignedWebhook('medusa', { type: 'order.placed', data: { id: orderId } });
    expect(again.json).toMatchObject({ status: 'duplicate', workflowId: handle.workflowId, runId: (await handle.describe()).runId });

    await shipInWms(fo.id, `TRK-${u}`);
    // The same shipment delivered twice more, under one delivery id: the run takes it once.
    const shipped = { type: 'fulfillment.shipped', id: `evt_${u}`, occurred_at: new Date().toISOString(), sequence: 1, origin: null, data: { ...fo, status: 'shipped', tracking_number: `TRK-${u}`, carrier: 'DHL' } };
    for (let i = 0; i < 2; i++) {
      const res = await postSignedWebhook('wms', shipped, `msg_dup_${u}`);
      expect(res.status).toBeLessThan(300);
    }

    const result = (await handle.result()) as FulfilOrderResult;
    finishedRuns.push(handle.workflowId);
    expect(result).toMatchObject({ outcome: 'shipped', orderId, fulfillmentOrderId: fo.id, salesOrderId: so.id, trackingNumber: `TRK-${u}`, carrier: 'DHL', escalated: false });

    const { fulfillments } = await fulfillmentsOf(orderId);
    expect(fulfillments).toHaveLength(1);
    expect(fulfillments[0]!.shipped_at).toBeTruthy();
    expect(fulfillments[0]!.labels?.map((l) => l.tracking_number)).toEqual([`TRK-${u}`]);
    // One status change in the ERP (version 1 → 2), however often the shipment arrived.
    expect(await simulatorOrdersByRef('ERP', orderId)).toEqual([expect.objectContaining({ id: so.id, status: 'shipped', version: 2 })]);

    // A re-delivery after the run finished has no run to signal.
    expect((await postSignedWebhook('wms', shipped, `msg_late_${u}`)).json).toMatchObject({ status: 'ignored' });

    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({ MedusaOrderId: [orderId], HubFlow: [FULFIL_ORDER_FLOW], HubSource: ['medusa'] });
    expect(await description.staticSummary()).toBe(`Order ${orderId} → WMS, ERP → shipped`);

    // Medusa refuses to cancel a shipped order itself; a late or replayed order.canceled still
    // reaches the hub, which refuses it with the reason on a run of its own.
    const cancel = await postSignedWebhook('medusa', { type: 'order.canceled', data: { id: orderId } });
    expect(cancel.json).toMatchObject({ status: 'started', workflowId: cancelFinishedOrderWorkflowId(orderId) });
    const cancelRun = suite.client.workflow.getHandle(cancelFinishedOrderWorkflowId(orderId));
    const refused = (await cancelRun.result()) as CancelFinishedOrderResult;
    finishedRuns.push(cancelRun.workflowId);
    expect(refused).toMatchObject({ outcome: 'refused', reason: expect.stringContaining(`has already shipped (DHL TRK-${u}`) });
    expect(await currentDetails(cancelRun)).toContain('Cancel refused');
    expect((await simulatorOrdersByRef('WMS', orderId))[0]).toMatchObject({ status: 'shipped' });
    expect((await simulatorOrdersByRef('ERP', orderId))[0]).toMatchObject({ status: 'shipped' });
  });

  test.each<[string, 'ERP' | 'WMS', FaultSpec, { wms: string | null; erp: string | null }]>([
    ['the WMS refuses the fulfillment order', 'WMS', { method: 'POST', path: '/v1/fulfillment-orders', mode: 'fail_before', status: 422 }, { wms: null, erp: null }],
    ['the ERP refuses the sales order', 'ERP', { method: 'POST', path: '/v1/sales-orders', mode: 'fail_before', status: 422 }, { wms: 'canceled', erp: null }],
    ['the ERP stores the sales order but answers 422', 'ERP', { method: 'POST', path: '/v1/sales-orders', mode: 'fail_after_commit', status: 422 }, { wms: 'canceled', erp: 'canceled' }],
  ])('%s: the run rolls back what it created', async (_name, system, fault, expected) => {
    const u = uniq();
    await waitForIdleOrderRuns();
    await injectFault(system, fault);
    let orderId: string;
    try {
      ({ orderId } = await placeMedusaOrder(suite.sdk, { title: `Glove ${u}`, skus: [`GLOVE-${u}`] }));
      const handle = await waitForRun(suite.client, fulfilOrderWorkflowId(orderId));
      const error = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      finishedRuns.push(handle.workflowId);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(ROLLED_BACK);
    } finally {
      await clearFaults(system);
    }
    const statusOf = async (s: 'ERP' | 'WMS') => (await simulatorOrdersByRef(s, orderId)).map((o) => o.status)[0] ?? null;
    expect({ wms: await statusOf('WMS'), erp: await statusOf('ERP') }).toEqual(expected);
  });

  test('a cancel in Medusa before shipping cancels the fulfillment order and the sales order in the same run', async () => {
    const u = uniq();
    const { orderId } = await placeMedusaOrder(suite.sdk, { title: `Hat ${u}`, skus: [`HAT-${u}`] });
    const handle = await waitForRun(suite.client, fulfilOrderWorkflowId(orderId));
    await ordersInSystems(orderId);
    await eventually('the run to wait for the shipment', () => currentDetails(handle), (d) => d.includes('waiting for the WMS'));

    await suite.sdk.admin.order.cancel(orderId);

    const result = (await handle.result()) as FulfilOrderResult;
    finishedRuns.push(handle.workflowId);
    expect(result).toMatchObject({ outcome: 'canceled', orderId, wms: 'canceled', erp: 'changed' });
    expect((await simulatorOrdersByRef('WMS', orderId))[0]).toMatchObject({ status: 'canceled' });
    expect((await simulatorOrdersByRef('ERP', orderId))[0]).toMatchObject({ status: 'canceled' });

    // The same order.canceled re-delivered after the run ended: one short cancel run finds
    // nothing left to do, and every further delivery is a duplicate of it.
    const late = { type: 'order.canceled', data: { id: orderId } };
    const first = await postSignedWebhook('medusa', late, `msg_cancel_${u}`);
    expect(first.json).toMatchObject({ status: 'started', workflowId: cancelFinishedOrderWorkflowId(orderId) });
    expect((await postSignedWebhook('medusa', late, `msg_cancel_${u}`)).json).toMatchObject({ status: 'duplicate' });
    const cancelRun = suite.client.workflow.getHandle(cancelFinishedOrderWorkflowId(orderId));
    expect(await cancelRun.result()).toMatchObject({ outcome: 'canceled', wms: 'canceled', erp: 'unchanged' });
    finishedRuns.push(cancelRun.workflowId);
    expect(await simulatorOrdersByRef('ERP', orderId)).toEqual([expect.objectContaining({ status: 'canceled', version: 2 })]);
  });

  test('a warehouse that is late escalates on the run and the Medusa order, and the run still completes when it ships', async () => {
    const u = uniq();
    // The draft's id is the order's id, so the run can be started with a short timeout before
    // the order is placed; the bridge's own start for order.placed then finds it (duplicate).
    const draft = await draftMedusaOrder(suite.sdk, { title: `Sock ${u}`, skus: [`SOCK-${u}`] });
    const handle = await suite.client.workflow.start(fulfilOrder, { ...fulfilStart(draft.orderId, { escalateAfter: '2 seconds' }), workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    await convertDraft(suite.sdk, draft);
    const { fo } = await ordersInSystems(draft.orderId);

    const { metadata } = await eventually('the escalation mark on the order', () => fulfillmentsOf(draft.orderId), (o) => Boolean(o.metadata[ESCALATION_METADATA_KEY]));
    expect(Date.parse(String(metadata[ESCALATION_METADATA_KEY]))).not.toBeNaN();
    expect(await currentDetails(handle)).toContain('Escalated: the warehouse has not shipped');
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await shipInWms(fo.id, `TRK-${u}`, 'UPS');
    const result = (await handle.result()) as FulfilOrderResult;
    finishedRuns.push(handle.workflowId);
    expect(result).toMatchObject({ outcome: 'shipped', escalated: true, trackingNumber: `TRK-${u}` });
  });

  testFinishedRunsReplay(suite, finishedRuns, 7);
});
