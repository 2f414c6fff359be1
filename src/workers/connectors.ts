import type { ErpChangeFeed, ErpPort } from '../activities/ports/erp';
import type { WmsChangeFeed, WmsPort } from '../activities/ports/wms';
import { ErpRestClient } from '../activities/rest/erp';
import { WmsRestClient } from '../activities/rest/wms';
import { TrytonErp } from '../activities/tryton/erp';
import { TrytonRpc } from '../activities/tryton/rpc';
import { TrytonWms } from '../activities/tryton/wms';
import type { ConnectorConfig, TrytonConnectorConfig } from '../config';

/**
 * The connector that speaks for each role. A connector without webhooks (Tryton) also has a
 * change feed, which the inbound pollers read (workers/pollers.ts); a REST system pushes its
 * changes to the bridge instead.
 */
export interface Connector<P, F> {
  port: P;
  feed?: F;
}

const rpc = (c: TrytonConnectorConfig, system: string): TrytonRpc =>
  new TrytonRpc({ url: c.url, database: c.database, user: c.user, password: c.password, system, maxRequestsPerSecond: c.maxRequestsPerSecond });

export function createErpConnector(c: ConnectorConfig): Connector<ErpPort, ErpChangeFeed> {
  if (c.kind === 'rest') return { port: new ErpRestClient(c) };
  const erp = new TrytonErp(rpc(c, 'Tryton ERP'), { webShop: c.webShop, customer: c.customer });
  return { port: erp, feed: erp };
}

export function createWmsConnector(c: ConnectorConfig): Connector<WmsPort, WmsChangeFeed> {
  if (c.kind === 'rest') return { port: new WmsRestClient(c) };
  const wms = new TrytonWms(rpc(c, 'Tryton WMS'), { warehouse: c.warehouse });
  return { port: wms, feed: wms };
}
