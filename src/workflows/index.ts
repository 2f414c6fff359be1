/** Every workflow the hub's worker runs. The worker bundles this file (and only what it imports). */
export { syncNewProduct } from './products/sync-new-product';
