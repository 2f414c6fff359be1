import type { WmsSku as PortWmsSku } from '../../activities/ports/wms';

/**
 * Record shapes of the WMS simulator's API: the generic REST contract, whose records are the WMS
 * port's. The simulator always answers creation_key (null without a key).
 */
export type WmsSku = PortWmsSku & { creation_key: string | null };
export type { WmsFulfillmentOrder, WmsStockLevel } from '../../activities/ports/wms';
