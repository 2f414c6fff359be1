import { startErpSimulator } from '../../simulators/erp/server';
import { startWmsSimulator } from '../../simulators/wms/server';
import { API_KEY } from '../../simulators/core/test-support';
import { ErpRestClient } from '../rest/erp';
import { createErpProductChangeActivities } from '../erp/product-changes';
import { WmsRestClient } from '../rest/wms';
import { createWmsProductChangeActivities } from '../wms/product-changes';
import { simulatorPerTest } from '../../../test/support/simulators';

/**
 * Retiring a product must reach every one of its records. The systems page their lists (at most
 * 200 a page), so a product with more records than one page holds is the case that matters.
 */
const RECORDS = 205;
const PRODUCT = 'prod_many_variants';
const skuOf = (i: number): string => `MANY-${String(i).padStart(3, '0')}`;

describe('retiring a product with more records than one page', () => {
  describe('ERP', () => {
    let client: ErpRestClient;
    simulatorPerTest(startErpSimulator, (sim) => {
      client = new ErpRestClient({ baseUrl: sim.url, apiKey: API_KEY });
    });

    it('deactivates every item of the product, and a second retire writes nothing', async () => {
      for (let i = 0; i < RECORDS; i++) {
        await client.createItem({ sku: skuOf(i), name: `Item ${i}`, price: null, external_ref: PRODUCT }, { idempotencyKey: `seed-${i}` });
      }
      await client.createItem({ sku: 'OTHER-1', name: 'Not ours', price: null, external_ref: 'prod_other' }, { idempotencyKey: 'seed-other' });
      const acts = createErpProductChangeActivities(client);

      const { deactivated } = await acts.erpDeactivateProductItems({ productId: PRODUCT, origin: 'hub:test' });
      expect(deactivated).toHaveLength(RECORDS);
      const items = await client.listAllItems({ external_ref: PRODUCT });
      expect(items.filter((item) => item.status !== 'inactive')).toEqual([]);
      expect(await client.findItemBySku('OTHER-1')).toMatchObject({ status: 'active' });

      expect(await acts.erpDeactivateProductItems({ productId: PRODUCT, origin: 'hub:test' })).toEqual({ deactivated: [] });
    });
  });

  describe('WMS', () => {
    let client: WmsRestClient;
    simulatorPerTest(startWmsSimulator, (sim) => {
      client = new WmsRestClient({ baseUrl: sim.url, apiKey: API_KEY });
    });

    it('removes every SKU of the product and leaves other products alone', async () => {
      for (let i = 0; i < RECORDS; i++) {
        await client.createSku({ sku: skuOf(i), description: `SKU ${i}`, external_ref: PRODUCT }, { idempotencyKey: `seed-${i}` });
      }
      await client.createSku({ sku: 'OTHER-1', description: 'Not ours', external_ref: 'prod_other' }, { idempotencyKey: 'seed-other' });
      const acts = createWmsProductChangeActivities(client);

      const { removed } = await acts.wmsRemoveProductSkus({ productId: PRODUCT, origin: 'hub:test' });
      expect(removed).toHaveLength(RECORDS);
      expect(await client.listAllSkus({ external_ref: PRODUCT })).toEqual([]);
      expect(await client.findSkuBySku('OTHER-1')).not.toBeNull();
    });
  });
});
