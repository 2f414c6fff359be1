import { startWmsSimulator } from '../../simulators/wms/server';
import { API_KEY } from '../../simulators/core/test-support';
import { simulatorPerTest } from '../../../test/support/simulators';
import { describeWmsContract } from '../../../test/support/wms-contract';
import { WmsRestClient } from './wms';

// The generic REST connector against the WMS simulator, the contract's reference implementation.
describeWmsContract('WmsRestClient (WMS simulator)', () => {
  let wms: WmsRestClient;
  let n = 0;
  simulatorPerTest(startWmsSimulator, (sim) => {
    wms = new WmsRestClient({ baseUrl: sim.url, apiKey: API_KEY });
  });
  return {
    wms: () => wms,
    warehouseCode: 'WH1',
    // What the warehouse does, through the contract's own endpoints for it.
    putStock: async (sku, warehouseCode, onHand) => {
      await wms.setStock(sku, warehouseCode, onHand, { idempotencyKey: `contract-stock-${++n}` });
    },
    ship: async (order) => {
      const result = await wms.shipFulfillmentOrder(order.id, { tracking_number: `TRK-${order.id}`, carrier: 'dhl' }, { idempotencyKey: `contract-ship-${order.id}` });
      if (result.outcome !== 'ok') throw new Error(`the simulator refused to ship ${order.id}: ${result.message}`);
    },
  };
});
