export { startWmsSimulator } from './server';
export type { WmsFulfillmentOrder, WmsSku, WmsStockLevel } from './types';
