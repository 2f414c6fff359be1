import { CmsClient } from '../activities/strapi/client';
import { createCmsCatalogActivities } from '../activities/strapi/catalog';
import { createCmsProductChangeActivities } from '../activities/strapi/product-changes';
import { createCmsActivities } from '../activities/strapi/products';
import { ErpRestClient } from '../activities/rest/erp';
import { createErpCatalogActivities } from '../activities/erp/catalog';
import { createErpOrderActivities } from '../activities/erp/orders';
import { createErpProductChangeActivities } from '../activities/erp/product-changes';
import { createErpActivities } from '../activities/erp/products';
import { createMedusaCatalogActivities, createMedusaImportActivities } from '../activities/medusa/catalog';
import { createMedusaSdk } from '../activities/medusa/client';
import { createMedusaOrderActivities } from '../activities/medusa/orders';
import { createMedusaProductChangeActivities } from '../activities/medusa/product-changes';
import { MedusaProductReader } from '../activities/medusa/product-reader';
import { createMedusaActivities } from '../activities/medusa/products';
import { WmsRestClient } from '../activities/rest/wms';
import { createWmsCatalogActivities } from '../activities/wms/catalog';
import { createWmsOrderActivities } from '../activities/wms/orders';
import { createWmsProductChangeActivities } from '../activities/wms/product-changes';
import { createWmsActivities } from '../activities/wms/products';
import { createWmsStockActivities } from '../activities/wms/stock';
import type { WorkerConfig } from '../config';

/**
 * Each external system's activities, built from the validated config. This is the one place
 * that knows where the systems are: pointing the hub at a real ERP means changing ERP_BASE_URL
 * and ERP_API_KEY, nothing else.
 */
export function createSystemActivities(config: WorkerConfig) {
  const medusaSdk = createMedusaSdk({ baseUrl: config.MEDUSA_BACKEND_URL, apiKey: config.MEDUSA_API_KEY });
  // One reader for every product activity: reads from different flows share Medusa list calls.
  const reader = new MedusaProductReader(medusaSdk);
  const erp = new ErpRestClient({ baseUrl: config.ERP_BASE_URL, apiKey: config.ERP_API_KEY, maxRequestsPerSecond: config.ERP_MAX_REQUESTS_PER_SECOND });
  const wms = new WmsRestClient({ baseUrl: config.WMS_BASE_URL, apiKey: config.WMS_API_KEY, maxRequestsPerSecond: config.WMS_MAX_REQUESTS_PER_SECOND });
  const cms = new CmsClient({ baseUrl: config.CMS_BASE_URL, apiToken: config.CMS_API_TOKEN });
  return {
    medusa: {
      ...createMedusaActivities({ sdk: medusaSdk, reader }),
      ...createMedusaCatalogActivities(medusaSdk),
      ...createMedusaImportActivities(medusaSdk, { salesChannelId: config.MEDUSA_SALES_CHANNEL_ID, shippingProfileId: config.MEDUSA_SHIPPING_PROFILE_ID }),
      ...createMedusaOrderActivities({ sdk: medusaSdk }),
      ...createMedusaProductChangeActivities({ sdk: medusaSdk, warehouseLocations: config.WMS_WAREHOUSE_LOCATIONS, reader }),
    },
    erp: { ...createErpActivities(erp), ...createErpCatalogActivities(erp), ...createErpOrderActivities(erp), ...createErpProductChangeActivities(erp) },
    wms: { ...createWmsActivities(wms), ...createWmsCatalogActivities(wms), ...createWmsOrderActivities(wms), ...createWmsProductChangeActivities(wms), ...createWmsStockActivities(wms) },
    cms: { ...createCmsActivities(cms), ...createCmsCatalogActivities(cms), ...createCmsProductChangeActivities(cms) },
  };
}
