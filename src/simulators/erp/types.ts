import type { ErpItem as PortErpItem, ErpMoney } from '../../activities/ports/erp';

/**
 * Record shapes of the ERP simulator's API: the generic REST contract, whose records are the ERP
 * port's (docs/connectors/rest-openapi.yaml). Types only, so tests can share them without
 * pulling in server code. The simulator always answers creation_key (null without a key).
 */
export type Money = ErpMoney;
export type ErpItem = PortErpItem & { creation_key: string | null };
export type { ErpSalesOrder, ErpSalesOrderLine } from '../../activities/ports/erp';
