/**
 * The catalogue flows on their own, for a worker that runs only these (the CLI's tests and a
 * dedicated backfill worker). The hub's main worker gets them from ../index.ts.
 */
export { backfillProducts } from './backfill-products';
export { reconcileCatalogue } from './reconcile-catalogue';
