import { forEachItem, type BatchResult } from '../catalog/batch';
import type { CmsClient, CmsProductEntry } from './client';
import { createCmsActivities, hubFieldsEqual, type CmsUpsertProductInput } from './products';

/** A CMS entry reduced to what reconciliation compares. */
export interface CmsCatalogueEntry {
  medusaId: string;
  title: string | null;
  skus: string[];
}

/** The CMS's product entries in pages and in batches: for backfills and reconciliation. */
export function createCmsCatalogActivities(client: CmsClient) {
  const entries = createCmsActivities(client);
  return {
    /** Pages are numbered from 1 (Strapi's pagination); nextPage is null after the last. */
    async cmsListEntriesPage(input: { page: number; pageSize: number; skuPrefix?: string }): Promise<{ entries: CmsCatalogueEntry[]; nextPage: number | null }> {
      const { entries: page, pageCount } = await client.listProducts(input.page, input.pageSize);
      const prefix = input.skuPrefix;
      return {
        entries: page
          .filter((e) => !prefix || e.skus.some((s) => s.startsWith(prefix)))
          .map((e) => ({ medusaId: e.medusaId, title: e.title, skus: e.skus })),
        nextPage: input.page < pageCount ? input.page + 1 : null,
      };
    },

    /** Creates or refreshes each entry by its unique medusa_id (Strapi has no idempotency keys). */
    async cmsUpsertEntries(input: { entries: CmsUpsertProductInput[]; concurrency: number }): Promise<BatchResult> {
      // One look-up for up to 100 entries instead of one per entry: Strapi is the slowest of the
      // targets, and on a second backfill this turns every unchanged entry into no request at all.
      const existing = new Map<string, CmsProductEntry>();
      for (let i = 0; i < input.entries.length; i += 100) {
        for (const e of await client.findProductsByMedusaIds(input.entries.slice(i, i + 100).map((x) => x.medusaId))) existing.set(e.medusaId, e);
      }
      return forEachItem(input.entries, { concurrency: input.concurrency, key: (e) => e.medusaId }, async (e) => {
        const found = existing.get(e.medusaId);
        if (found && hubFieldsEqual(found, e)) return;
        if (!found && (await client.createProduct(e)).kind === 'created') return;
        // Changed, or created meanwhile by someone else: the single upsert re-reads and settles it.
        await entries.cmsUpsertProductEntry(e);
      });
    },

    async cmsDeleteEntries(input: { medusaIds: string[]; concurrency: number }): Promise<BatchResult> {
      return forEachItem(input.medusaIds, { concurrency: input.concurrency, key: (id) => id }, async (medusaId) => {
        await entries.cmsDeleteProductEntry({ medusaId });
      });
    },
  };
}

export type CmsCatalogActivities = ReturnType<typeof createCmsCatalogActivities>;
