import { CmsClient } from '../activities/cms/client';
import { createCmsActivities } from '../activities/cms/products';
import { ErpClient } from '../activities/erp/client';
import { createErpActivities } from '../activities/erp/products';
import { createMedusaSdk } from '../activities/medusa/client';
import { createMedusaActivities } from '../activities/medusa/products';
import { WmsClient } from '../activities/wms/client';
import { createWmsActivities } from '../activities/wms/products';
import type { WorkerConfig } from '../config';

/**
 * Each external system's activities, built from the validated config. This is the one place
 * that knows where the systems are: pointing the hub at a real ERP means changing ERP_BASE_URL
 * and ERP_API_KEY, nothing else.
 */
export function createSystemActivities(config: WorkerConfig) {
  return {
    medusa: createMedusaActivities({ sdk: createMedusaSdk({ baseUrl: config.MEDUSA_BACKEND_URL, apiKey: config.MEDUSA_API_KEY }) }),
    erp: createErpActivities(new ErpClient({ baseUrl: config.ERP_BASE_URL, apiKey: config.ERP_API_KEY })),
    wms: createWmsActivities(new WmsClient({ baseUrl: config.WMS_BASE_URL, apiKey: config.WMS_API_KEY })),
    cms: createCmsActivities(new CmsClient({ baseUrl: config.CMS_BASE_URL, apiToken: config.CMS_API_TOKEN })),
  };
}
