import { requireEnv } from '../../test/support/env';
import { medusaEventRoutes } from '../api/medusa-events';
import { consumedEventTypes } from '../api/routes';
import { erpEventRoutes, wmsEventRoutes } from '../api/rest-events';
import { SUBSCRIBED_EVENTS } from './stack';

/** Run with the ERP and WMS the global setup started through startStack (HUB_TEST_SERVICES=erp,wms will do). */
const env = requireEnv('ERP_BASE_URL', 'ERP_CONTROL_KEY', 'WMS_BASE_URL', 'WMS_CONTROL_KEY');

async function subscribedEvents(system: 'ERP' | 'WMS'): Promise<string[] | null> {
  const res = await fetch(`${env[`${system}_BASE_URL`]}/_control/stats`, { headers: { 'x-control-key': env[`${system}_CONTROL_KEY`]! } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { webhooks: { events: string[] | null } }).webhooks.events;
}

describe('webhook subscriptions of the stack', () => {
  test('the ERP and WMS simulators send the bridge only the event types it has routes for', async () => {
    const erp = await subscribedEvents('ERP');
    const wms = await subscribedEvents('WMS');
    expect(erp).toEqual(consumedEventTypes(erpEventRoutes).sort());
    expect(wms).toEqual(consumedEventTypes(wmsEventRoutes).sort());
    // Types the bridge only acknowledges are not sent either.
    expect(erp).not.toContain('sales_order.created');
    // What a burst of new products would otherwise send for nothing.
    expect(erp).not.toContain('item.created');
    expect(wms).not.toContain('sku.created');
  });

  test("Medusa's subscriber forwards what a flow consumes, not the inventory events no flow reads yet", () => {
    expect(SUBSCRIBED_EVENTS.medusa).toEqual(expect.arrayContaining(['product.created', 'product.updated', 'product.deleted', 'order.placed', 'order.canceled']));
    expect(SUBSCRIBED_EVENTS.medusa).not.toContain('inventory-item.created');
    expect(medusaEventRoutes['inventory-item.created']?.ignored).toBe(true);
  });

  test("Strapi's webhook gets the events of the CMS routes, named as Strapi names them", () => {
    expect(SUBSCRIBED_EVENTS.cms).toEqual(['entry.update']);
  });
});
