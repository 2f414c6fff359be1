import { ApplicationFailure } from '@temporalio/common';
import { MicroBatcher } from '../batcher';
import type { CmsClient, CmsProductEntry, CmsProductWrite } from './client';

export type { CmsProductEntry } from './client';

export interface CmsUpsertProductInput {
  medusaId: string;
  title: string;
  handle: string;
  description: string | null;
  skus: string[];
}

/**
 * CMS activities, each "do" next to its "undo". Workflows import only the type of this module
 * (`CmsActivities`) and reach these through proxyActivities, so nothing here runs in the
 * workflow sandbox. Failures come from the client already classified for Temporal's retries.
 */
export function createCmsActivities(client: CmsClient) {
  const entryReads = new MicroBatcher<string, CmsProductEntry | null>({
    flush: async (medusaIds) => {
      const entries = await client.findProductsByMedusaIds([...new Set(medusaIds)]);
      const byId = new Map(entries.map((e) => [e.medusaId, e]));
      return medusaIds.map((id) => ({ ok: true, value: byId.get(id) ?? null }));
    },
    // Strapi's page limit: one request answers at most 100 ids.
    maxItems: 100,
    maxWaitMs: 20,
  });
  return {
    /**
     * Creates or refreshes the entry for a Medusa product; safe to retry at any point.
     * Strapi has no idempotency keys: idempotency comes from the unique medusa_id. Create
     * first, since a new product is the common case and that costs Strapi one call; if the
     * create hits the unique constraint (a previous attempt whose response was lost, a
     * concurrent run, or an entry made earlier), read that entry and bring it up to date.
     * Only hub-owned fields are written, so an editor's subtitle and SEO copy survive.
     */
    async cmsUpsertProductEntry(input: CmsUpsertProductInput): Promise<{ documentId: string; created: boolean }> {
      const data: CmsProductWrite = {
        medusaId: input.medusaId,
        title: input.title,
        handle: input.handle,
        description: input.description,
        skus: input.skus,
      };
      const result = await client.createProduct(data);
      if (result.kind === 'created') return { documentId: result.entry.documentId, created: true };
      const existing = await client.findProductByMedusaId(input.medusaId);
      if (!existing) {
        // Deleted between our create and the re-read (an undo racing us). Failing the attempt
        // lets the retry policy run the whole upsert again from a state that has settled.
        throw ApplicationFailure.retryable(`CMS reported medusa_id ${input.medusaId} as taken, but no such entry was found`, 'CmsEntryVanished');
      }
      if (!hubFieldsEqual(existing, data)) await client.updateProduct(existing.documentId, data);
      return { documentId: existing.documentId, created: false };
    },

    /**
     * Undo of cmsUpsertProductEntry. The saga registers it BEFORE the create runs, so it has to
     * cope with a create that never happened, happened with a lost response, or happened: it
     * looks the entry up by medusa_id rather than trusting a documentId it may never have seen.
     * Not found means done, and so does an entry that vanishes between the lookup and the delete.
     */
    async cmsDeleteProductEntry(input: { medusaId: string }): Promise<{ deleted: boolean }> {
      const existing = await client.findProductByMedusaId(input.medusaId);
      if (!existing) return { deleted: false };
      return { deleted: await client.deleteProduct(existing.documentId) };
    },

    /** Batched: a bulk import starts an entity run per product, and each reads its entry. */
    async cmsGetProductEntry(input: { medusaId: string }): Promise<CmsProductEntry | null> {
      return entryReads.submit(input.medusaId);
    },
  };
}

export type CmsActivities = ReturnType<typeof createCmsActivities>;

/** Skips the write when nothing changed, so replays and no-op syncs do not fire webhooks. */
export function hubFieldsEqual(entry: CmsProductEntry, data: CmsProductWrite): boolean {
  return (
    entry.title === data.title &&
    entry.handle === data.handle &&
    entry.description === data.description &&
    entry.skus.length === data.skus.length &&
    entry.skus.every((sku, i) => sku === data.skus[i])
  );
}
