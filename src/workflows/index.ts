/** Every workflow the hub's worker runs. The worker bundles this file (and only what it imports). */
export { syncNewProduct } from './products/sync-new-product';
export { productEntity } from './products/product-entity';
export { stockLevel } from './inventory/stock-level';
export { fulfilOrder } from './orders/fulfil-order';
export { cancelFinishedOrder } from './orders/cancel-order';
export { backfillProducts } from './backfill/backfill-products';
export { reconcileCatalogue } from './backfill/reconcile-catalogue';
export { pollChanges } from './inbound/poll-changes';
