import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { convertDraft, draftMedusaOrder, placeMedusaOrder, setWebhookDelivery, shipInWms, simulatorOrdersByRef } from '../../../test/support/orders';
import { testFinishedRunsReplay } from '../../../test/support/replay';
import {
  activeFaults,
  clearFaults,
  eventually,
  type FaultSpec,
  injectFault,
  postSignedWebhook,
  uniq,
  runError,
  useSuiteConnections,
  waitForRun,
} from '../../../test/support/systems';
import { SHIPPED_DESPITE_CANCEL_KEYS } from '../../activities/medusa/orders';
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
    fields: 'id,status,metadata,fulfillments.id,fulfillments.shipped_at,fulfillments.labels.tracking_number',
  });
  // The typed fulfillment leaves out the labels that the fields above ask for.
  const fulfillments = (order.fulfillments ?? []) as Array<{ id: string; shipped_at: unknown; labels?: Array<{ tracking_number: string }> }>;
  return { status: order.status, metadata: (order.metadata ?? {}) as Record<string, unknown>, fulfillments };
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
      const error = await runError(handle);
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

  test('a cancel that comes after the warehouse shipped is refused: the order ships, and Medusa, the ERP and the run say so', async () => {
    const u = uniq();
    const { orderId } = await placeMedusaOrder(suite.sdk, { title: `Coat ${u}`, skus: [`COAT-${u}`] });
    const handle = await waitForRun(suite.client, fulfilOrderWorkflowId(orderId));
    const { fo, so } = await ordersInSystems(orderId);
    await eventually('the run to wait for the shipment', () => currentDetails(handle), (d) => d.includes('waiting for the WMS'));

    // The parcel leaves while its webhook is held up, and the customer cancels in Medusa (which
    // allows it: Medusa has no fulfillment yet). The run's cancel reaches a WMS that has shipped.
    await setWebhookDelivery('WMS', 'paused');
    try {
      await shipInWms(fo.id, `TRK-${u}`, 'GLS');
      await suite.sdk.admin.order.cancel(orderId);
      await eventually('the cancel to be refused', () => currentDetails(handle), (d) => d.includes('Cancel refused'));
    } finally {
      await setWebhookDelivery('WMS', 'on');
    }

    const result = (await handle.result()) as FulfilOrderResult;
    finishedRuns.push(handle.workflowId);
    expect(result).toMatchObject({
      outcome: 'shipped',
      salesOrderId: so.id,
      medusaFulfillmentId: null,
      trackingNumber: `TRK-${u}`,
      carrier: 'GLS',
      cancelRefused: expect.stringContaining('already shipped'),
      shippedDespiteCancel: expect.stringContaining('Canceled in Medusa after the warehouse had shipped it'),
    });
    expect((await handle.describe()).memo).toMatchObject({ shippedDespiteCancel: expect.stringContaining('shipped all the same (GLS') });
    expect(await simulatorOrdersByRef('ERP', orderId)).toEqual([expect.objectContaining({ id: so.id, status: 'shipped' })]);
    const medusaOrder = await fulfillmentsOf(orderId);
    expect(medusaOrder.status).toBe('canceled');
    expect(medusaOrder.metadata).toMatchObject({
      [SHIPPED_DESPITE_CANCEL_KEYS.trackingNumber]: `TRK-${u}`,
      [SHIPPED_DESPITE_CANCEL_KEYS.carrier]: 'GLS',
      [SHIPPED_DESPITE_CANCEL_KEYS.fulfillmentOrderId]: fo.id,
    });
    expect(Date.parse(String(medusaOrder.metadata[SHIPPED_DESPITE_CANCEL_KEYS.at]))).not.toBeNaN();
  });

  test('a shipment webhook that never arrives: the run finds the shipment by polling the WMS, across continue-as-new', async () => {
    const u = uniq();
    const draft = await draftMedusaOrder(suite.sdk, { title: `Belt ${u}`, skus: [`BELT-${u}`] });
    // A poll a second and a new run every few polls, so the test sees both without waiting days.
    const handle = await suite.client.workflow.start(fulfilOrder, {
      ...fulfilStart(draft.orderId, { pollEvery: '1 second', continueAsNewAfterEvents: 60 }),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    let fo: { id: string };
    await setWebhookDelivery('WMS', 'paused');
    try {
      await convertDraft(suite.sdk, draft);
      ({ fo } = await ordersInSystems(draft.orderId));
      await eventually('the waiting run to continue as new', () => handle.describe(), (d) => d.runId !== handle.firstExecutionRunId, 90_000);
      await shipInWms(fo.id, `TRK-${u}`);
      const result = (await handle.result()) as FulfilOrderResult;
      finishedRuns.push(handle.workflowId);
      expect(result).toMatchObject({ outcome: 'shipped', foundBy: 'poll', fulfillmentOrderId: fo.id, trackingNumber: `TRK-${u}`, carrier: 'DHL', escalated: false });
    } finally {
      await setWebhookDelivery('WMS', 'on');
      // A run that never found its shipment must not keep polling into the next tests.
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test failed; the run must not outlive it');
    }
    const { fulfillments } = await fulfillmentsOf(draft.orderId);
    expect(fulfillments.map((f) => f.labels?.map((l) => l.tracking_number))).toEqual([[`TRK-${u}`]]);
    expect((await simulatorOrdersByRef('ERP', draft.orderId))[0]).toMatchObject({ status: 'shipped' });
    // Memo and search attributes came along to the run the order finished in.
    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({ MedusaOrderId: [draft.orderId], HubFlow: [FULFIL_ORDER_FLOW] });
    expect(description.memo).toMatchObject({ order: { id: draft.orderId, wmsFulfillmentOrderId: fo.id } });
  });

  test('a WMS outage longer than a few minutes: the run keeps retrying, says so in its details, and ships when the WMS is back', async () => {
    const u = uniq();
    await waitForIdleOrderRuns();
    const draft = await draftMedusaOrder(suite.sdk, { title: `Cap ${u}`, skus: [`CAP-${u}`] });
    // The run waits for the draft to be placed, so the fault is armed before it reaches the WMS.
    const handle = await suite.client.workflow.start(fulfilOrder, {
      ...fulfilStart(draft.orderId, { reportOutageAfter: '2 seconds', retryStepsFor: '6 hours' }),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await injectFault('WMS', { method: 'POST', path: '/v1/fulfillment-orders', mode: 'fail_before', status: 503 });
    try {
      await convertDraft(suite.sdk, draft);
      const details = await eventually('the outage in the run\'s details', () => currentDetails(handle), (d) => d.includes('Waiting for the WMS'));
      expect(details).toContain('only then is the order rolled back');
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } catch (err) {
      // A run left waiting would hold up the next tests' waitForIdleOrderRuns.
      await handle.terminate('test failed; the run must not outlive it');
      throw err;
    } finally {
      await clearFaults('WMS');
    }
    const { fo } = await ordersInSystems(draft.orderId);
    await shipInWms(fo.id, `TRK-${u}`);
    const result = (await handle.result()) as FulfilOrderResult;
    finishedRuns.push(handle.workflowId);
    expect(result).toMatchObject({ outcome: 'shipped', fulfillmentOrderId: fo.id });
  });

  test('a rolled-back order is started again by a re-delivered order.placed and ships; a shipped order is not started again', async () => {
    const u = uniq();
    await waitForIdleOrderRuns();
    await injectFault('WMS', { method: 'POST', path: '/v1/fulfillment-orders', mode: 'fail_before', status: 422, times: 1 });
    let orderId: string;
    let failedRunId: string;
    try {
      ({ orderId } = await placeMedusaOrder(suite.sdk, { title: `Boot ${u}`, skus: [`BOOT-${u}`] }));
      const handle = await waitForRun(suite.client, fulfilOrderWorkflowId(orderId));
      const error = await runError(handle);
      expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe(ROLLED_BACK);
      failedRunId = (await handle.describe()).runId;
    } finally {
      await clearFaults('WMS');
    }

    const placed = { type: 'order.placed', data: { id: orderId } };
    const again = await postSignedWebhook('medusa', placed, `msg_placed_again_${u}`);
    expect(again.json).toMatchObject({ status: 'started', workflowId: fulfilOrderWorkflowId(orderId) });
    expect(again.json.runId).not.toBe(failedRunId);
    const handle = suite.client.workflow.getHandle(fulfilOrderWorkflowId(orderId));
    const { fo } = await ordersInSystems(orderId);
    await shipInWms(fo.id, `TRK-${u}`);
    expect(await handle.result()).toMatchObject({ outcome: 'shipped', fulfillmentOrderId: fo.id });
    finishedRuns.push(handle.workflowId);

    const afterShipping = await postSignedWebhook('medusa', placed, `msg_placed_late_${u}`);
    expect(afterShipping.json).toMatchObject({ status: 'duplicate', runId: again.json.runId });
  });

  test('an operator cancel while the WMS create is slow: the undo waits for it, so no fulfillment order stays open', async () => {
    const u = uniq();
    await waitForIdleOrderRuns();
    const draft = await draftMedusaOrder(suite.sdk, { title: `Scarf ${u}`, skus: [`SCARF-${u}`] });
    const handle = await suite.client.workflow.start(fulfilOrder, { ...fulfilStart(draft.orderId), workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    // The create waits 3 s in the WMS before it commits: before the fix, the cancelled run's undo
    // found no fulfillment order to cancel, and the create then left one open for a dead run.
    await injectFault('WMS', { method: 'POST', path: '/v1/fulfillment-orders', mode: 'delay', delay_ms: 3_000, times: 1 });
    try {
      await convertDraft(suite.sdk, draft);
      // The fault is used up once the create reached the WMS: the call is in flight.
      await eventually('the slow WMS create to be in flight', () => activeFaults('WMS'), (faults) => faults.length === 0);
      await handle.cancel();
      const error = await runError(handle);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    } finally {
      await clearFaults('WMS');
    }
    // The slow create commits either way: before the fix after the undo had looked, now before it.
    const wmsOrders = await eventually('the slow WMS create to commit', () => simulatorOrdersByRef('WMS', draft.orderId), (l) => l.length > 0);
    expect(wmsOrders.filter((o) => o.status !== 'canceled')).toEqual([]);
    expect((await simulatorOrdersByRef('ERP', draft.orderId)).filter((o) => o.status !== 'canceled')).toEqual([]);
  });

  testFinishedRunsReplay(suite, finishedRuns, 11);
});
