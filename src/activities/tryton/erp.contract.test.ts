import { describeErpContract } from '../../../test/support/erp-contract';
import { trytonConnection } from '../../../test/support/tryton';
import { TrytonErp } from './erp';
import { TrytonRpc } from './rpc';

// The Tryton connector against the stack's Tryton ERP database (HUB_TEST_SERVICES=tryton).
describeErpContract('TrytonErp', () => {
  let erp: TrytonErp;
  beforeAll(() => {
    erp = new TrytonErp(new TrytonRpc(trytonConnection('erp')), { webShop: process.env.TRYTON_WEB_SHOP ?? 'Medusa', customer: process.env.TRYTON_CUSTOMER ?? 'Medusa customer' });
  });
  return { erp: () => erp };
});
