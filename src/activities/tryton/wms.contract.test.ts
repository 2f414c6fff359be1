import { trytonConnection } from '../../../test/support/tryton';
import { TrytonWarehouseStaff } from '../../../test/support/tryton-warehouse';
import { describeWmsContract } from '../../../test/support/wms-contract';
import { TrytonRpc } from './rpc';
import { TrytonWms } from './wms';

// The Tryton connector against the stack's Tryton WMS database (HUB_TEST_SERVICES=tryton); the
// warehouse's part is played by Tryton's admin, as a person in the Tryton client would.
describeWmsContract('TrytonWms', () => {
  let wms: TrytonWms;
  let staff: TrytonWarehouseStaff;
  const warehouseCode = process.env.TRYTON_WAREHOUSE ?? 'WH';
  beforeAll(() => {
    wms = new TrytonWms(new TrytonRpc(trytonConnection('wms')), { warehouse: warehouseCode });
    staff = TrytonWarehouseStaff.fromEnv();
  });
  return {
    wms: () => wms,
    warehouseCode,
    putStock: (sku, code, onHand) => staff.putStock(sku, code, onHand),
    ship: async (order) => {
      await staff.ship(Number(order.id));
    },
  };
});
