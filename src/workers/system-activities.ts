import type { Client } from '@temporalio/client';
import { createInboundActivities, type PolledEvent } from '../activities/inbound/poll';
import { createMedusaCatalogActivities, createMedusaImportActivities } from '../activities/medusa/catalog';
import { createMedusaSdk } from '../activities/medusa/client';
import { createMedusaOrderActivities } from '../activities/medusa/orders';
import { createMedusaProductChangeActivities } from '../activities/medusa/product-changes';
import { MedusaProductReader } from '../activities/medusa/product-reader';
import { createMedusaActivities } from '../activities/medusa/products';
import { createErpCatalogActivities } from '../activities/erp/catalog';
import { createErpOrderActivities } from '../activities/erp/orders';
import { createErpProductChangeActivities } from '../activities/erp/product-changes';
import { createErpActivities } from '../activities/erp/products';
import { CmsClient } from '../activities/strapi/client';
import { createCmsCatalogActivities } from '../activities/strapi/catalog';
import { createCmsProductChangeActivities } from '../activities/strapi/product-changes';
import { createCmsActivities } from '../activities/strapi/products';
import { createWmsCatalogActivities } from '../activities/wms/catalog';
import { createWmsOrderActivities } from '../activities/wms/orders';
import { createWmsProductChangeActivities } from '../activities/wms/product-changes';
import { createWmsActivities } from '../activities/wms/products';
import { createWmsStockActivities } from '../activities/wms/stock';
import { erpEventRoutes, wmsEventRoutes } from '../api/rest-events';
import { deliverEvent } from '../api/routes';
import type { WorkerConfig } from '../config';
import { createErpConnector, createWmsConnector } from './connectors';

/**
 * Each external system's activities, built from the validated config. This is the one place
 * that knows where the systems are and which connector speaks for each role: the activities see
 * only the ERP and WMS ports (activities/ports), so ERP_CONNECTOR=tryton|rest changes nothing else.
 *
 * `temporal` is the client the inbound pollers hand changes to runs with; without it (a worker
 * that only runs catalogue flows) no poll activity is registered.
 */
export function createSystemActivities(config: WorkerConfig, temporal?: Client) {
  const medusaSdk = createMedusaSdk({ baseUrl: config.MEDUSA_BACKEND_URL, apiKey: config.MEDUSA_API_KEY });
  // One reader for every product activity: reads from different flows share Medusa list calls.
  const reader = new MedusaProductReader(medusaSdk);
  const erp = createErpConnector(config.connectors.erp);
  const wms = createWmsConnector(config.connectors.wms);
  const cms = new CmsClient({ baseUrl: config.CMS_BASE_URL, apiToken: config.CMS_API_TOKEN });
  const inbound = temporal
    ? createInboundActivities({
        erp: erp.feed,
        wms: wms.feed,
        // The same routes, schemas and handlers the bridge runs a webhook through.
        deliver: (e: PolledEvent) => deliverEvent(e.source === 'erp' ? erpEventRoutes : wmsEventRoutes, temporal, e),
      })
    : undefined;
  return {
    medusa: {
      ...createMedusaActivities({ sdk: medusaSdk, reader }),
      ...createMedusaCatalogActivities(medusaSdk),
      ...createMedusaImportActivities(medusaSdk, { salesChannelId: config.MEDUSA_SALES_CHANNEL_ID, shippingProfileId: config.MEDUSA_SHIPPING_PROFILE_ID }),
      ...createMedusaOrderActivities({ sdk: medusaSdk }),
      ...createMedusaProductChangeActivities({ sdk: medusaSdk, warehouseLocations: config.WMS_WAREHOUSE_LOCATIONS, reader }),
    },
    erp: {
      ...createErpActivities(erp.port),
      ...createErpCatalogActivities(erp.port),
      ...createErpOrderActivities(erp.port),
      ...createErpProductChangeActivities(erp.port),
      ...(inbound && erp.feed ? inbound : {}),
    },
    wms: {
      ...createWmsActivities(wms.port),
      ...createWmsCatalogActivities(wms.port),
      ...createWmsOrderActivities(wms.port),
      ...createWmsProductChangeActivities(wms.port),
      ...createWmsStockActivities(wms.port),
      ...(inbound && wms.feed ? inbound : {}),
    },
    cms: { ...createCmsActivities(cms), ...createCmsCatalogActivities(cms), ...createCmsProductChangeActivities(cms) },
  };
}
