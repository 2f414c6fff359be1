export { startErpSimulator } from './server';
export type { ErpItem, ErpSalesOrder, ErpSalesOrderLine, Money } from './types';
