import { startErpSimulator } from '../../simulators/erp/server';
import { API_KEY } from '../../simulators/core/test-support';
import { describeErpContract } from '../../../test/support/erp-contract';
import { simulatorPerTest } from '../../../test/support/simulators';
import { ErpRestClient } from './erp';

// The generic REST connector against the ERP simulator, the contract's reference implementation.
describeErpContract('ErpRestClient (ERP simulator)', () => {
  let erp: ErpRestClient;
  simulatorPerTest(startErpSimulator, (sim) => {
    erp = new ErpRestClient({ baseUrl: sim.url, apiKey: API_KEY });
  });
  return { erp: () => erp };
});
