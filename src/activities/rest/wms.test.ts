import { Webhook } from 'standardwebhooks';
import { startWmsSimulator } from '../../simulators/wms/server';
import { API_KEY, WEBHOOK_SECRET, WebhookReceiver } from '../../simulators/core/test-support';
import { simulatorPerTest } from '../../../test/support/simulators';
import { WmsRestClient } from './wms';

interface Event {
  type: string;
  sequence: number;
  origin: string | null;
  data: Record<string, unknown>;
}

// The WMS domain rules, exercised through the typed client the activities use.
describe('WmsRestClient against the WMS simulator', () => {
  let receiver: WebhookReceiver;
  let wms: WmsRestClient;
  let n = 0;
  const key = () => `test-key-${++n}`;
  const events = (type: string): Event[] =>
    receiver
      .accepted()
      .map((r) => new Webhook(WEBHOOK_SECRET).verify(r.body, r.headers) as Event)
      .filter((e) => e.type === type);

  // The receiver must be up before the simulator (its URL is an option) and go down after it.
  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  simulatorPerTest(
    startWmsSimulator,
    (sim) => {
      wms = new WmsRestClient({ baseUrl: sim.url, apiKey: API_KEY });
    },
    () => ({ webhook: { url: receiver.url, secret: WEBHOOK_SECRET, retry: { baseMs: 20 } } }),
  );
  afterEach(async () => {
    await receiver.close();
  });

  it('sets stock levels with a sequence per sku and warehouse and emits stock.changed', async () => {
    await expect(wms.setStock('S1', 'WH1', 5, { idempotencyKey: key() })).rejects.toMatchObject({ message: expect.stringContaining('sku_not_found') });
    await wms.createSku({ sku: 'S1', description: 'one' }, { idempotencyKey: key() });

    expect(await wms.setStock('S1', 'WH1', 5, { idempotencyKey: key(), origin: 'hub' })).toMatchObject({ on_hand: 5, sequence: 1 });
    expect(await wms.setStock('S1', 'WH1', 3, { idempotencyKey: key() })).toMatchObject({ on_hand: 3, sequence: 2 });
    // Unchanged: no new sequence and no event.
    expect(await wms.setStock('S1', 'WH1', 3, { idempotencyKey: key() })).toMatchObject({ sequence: 2 });
    expect(await wms.setStock('S1', 'WH2', 9, { idempotencyKey: key() })).toMatchObject({ sequence: 1 });

    expect(await wms.getStock('S1', 'WH1')).toMatchObject({ on_hand: 3 });
    expect(await wms.getStock('S1', 'NOPE')).toBeNull();
    expect((await wms.listStock({ sku: 'S1' })).data.map((l) => l.warehouse_code)).toEqual(['WH1', 'WH2']);
    expect((await wms.listStock({ warehouse_code: 'WH2' })).data).toHaveLength(1);

    await receiver.waitFor(() => events('stock.changed').length === 3);
    const changes = events('stock.changed').map((e) => [e.data.warehouse_code, e.sequence, e.data.on_hand, e.origin]);
    expect(changes.sort()).toEqual([
      ['WH1', 1, 5, 'hub'],
      ['WH1', 2, 3, null],
      ['WH2', 1, 9, null],
    ]);
  });

  it('runs fulfillment orders through ship and cancel with their conflicts', async () => {
    const lines = [{ sku: 'S1', quantity: 2 }];
    const a = await wms.createFulfillmentOrder({ external_ref: 'order_a', lines }, { idempotencyKey: key() });
    const b = await wms.createFulfillmentOrder({ external_ref: 'order_b', lines }, { idempotencyKey: key() });
    if (a.outcome !== 'created' || b.outcome !== 'created') throw new Error('setup failed');
    expect(await wms.createFulfillmentOrder({ external_ref: 'order_a', lines }, { idempotencyKey: key() })).toMatchObject({
      outcome: 'conflict',
      code: 'external_ref_conflict',
    });

    const shipment = { tracking_number: 'TRK1', carrier: 'dhl' };
    const shipped = await wms.shipFulfillmentOrder(a.record.id, shipment, { idempotencyKey: key(), origin: 'wms-ui' });
    expect(shipped).toMatchObject({ outcome: 'ok', record: { status: 'shipped', tracking_number: 'TRK1', carrier: 'dhl' } });
    expect(await wms.shipFulfillmentOrder(a.record.id, shipment, { idempotencyKey: key() })).toMatchObject({ outcome: 'ok' });
    expect(await wms.cancelFulfillmentOrder(a.record.id, { idempotencyKey: key() })).toMatchObject({ outcome: 'refused', code: 'already_shipped' });

    expect(await wms.cancelFulfillmentOrder(b.record.id, { idempotencyKey: key() })).toMatchObject({ outcome: 'ok', record: { status: 'canceled' } });
    expect(await wms.cancelFulfillmentOrder(b.record.id, { idempotencyKey: key() })).toMatchObject({ outcome: 'ok' });
    expect(await wms.shipFulfillmentOrder(b.record.id, shipment, { idempotencyKey: key() })).toMatchObject({ outcome: 'refused', code: 'already_canceled' });

    expect(await wms.findFulfillmentOrderByExternalRef('order_b')).toMatchObject({ status: 'canceled' });
    expect((await wms.listFulfillmentOrders({ status: 'shipped' })).data.map((f) => f.id)).toEqual([a.record.id]);

    await receiver.waitFor(() => events('fulfillment.shipped').length === 1);
    expect(events('fulfillment.shipped')[0]).toMatchObject({ origin: 'wms-ui', sequence: 2, data: { id: a.record.id, tracking_number: 'TRK1' } });
  });

  it('deleting a SKU removes its stock levels', async () => {
    const created = await wms.createSku({ sku: 'S2' }, { idempotencyKey: key() });
    if (created.outcome !== 'created') throw new Error('setup failed');
    await wms.setStock('S2', 'WH1', 1, { idempotencyKey: key() });
    expect(await wms.updateSku(created.record.id, { description: 'two' }, { idempotencyKey: key() })).toMatchObject({ description: 'two' });
    expect(await wms.deleteSku(created.record.id, { idempotencyKey: key() })).toBe(true);
    expect((await wms.listStock({ sku: 'S2' })).data).toEqual([]);
  });
});
