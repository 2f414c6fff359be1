import { ApplicationFailure } from '@temporalio/common';
import { MicroBatcher } from '../batcher';
import type { CmsClient, CmsHubFields, CmsProductEntry, CmsProductWrite } from './client';

export type { CmsProductEntry } from './client';

export interface CmsUpsertProductInput {
  medusaId: string;
  title: string;
  handle: string;
  description: string | null;
  skus: string[];
  /**
   * The step's key (workflow id + step), stored on an entry this call creates (hub_created_by):
   * it lets the undo and a retried create tell the step's own entry from one made before.
   */
  creationKey?: string;
}

export interface CmsUpsertProductResult {
  documentId: string;
  /** true: this step made the entry (this call, or an earlier attempt whose response was lost). */
  created: boolean;
  /** The hub fields as they were, when this call changed an entry it did not create. */
  previous?: CmsHubFields;
}

export interface CmsDeleteProductEntryInput {
  medusaId: string;
  /**
   * The upsert's creationKey. Given, the undo touches only what that upsert did: the outcome in
   * `upserted` when the upsert returned, else (outcome unknown) it deletes the entry only if
   * hub_created_by proves the step made it. Absent (the entity's retire, older inputs): the
   * entry of medusaId is deleted, as it always was.
   */
  creationKey?: string;
  /** The upsert's result, when it returned one. */
  upserted?: CmsUpsertProductResult;
}

export interface CmsDeleteProductEntryResult {
  deleted: boolean;
  /** The hub fields were put back as they were before the upsert changed them. */
  restored?: boolean;
  /** Why the entry was left: the step did not create it (`not_created_by_step`). */
  skipped?: 'not_created_by_step';
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
    async cmsUpsertProductEntry(input: CmsUpsertProductInput): Promise<CmsUpsertProductResult> {
      const data: CmsProductWrite = {
        medusaId: input.medusaId,
        title: input.title,
        handle: input.handle,
        description: input.description,
        skus: input.skus,
      };
      const result = await client.createProduct(data, input.creationKey);
      if (result.kind === 'created') return { documentId: result.entry.documentId, created: true };
      const existing = await client.findProductByMedusaId(input.medusaId);
      if (!existing) {
        // Deleted between our create and the re-read (an undo racing us). Failing the attempt
        // lets the retry policy run the whole upsert again from a state that has settled.
        throw ApplicationFailure.retryable(`CMS reported medusa_id ${input.medusaId} as taken, but no such entry was found`, 'CmsEntryVanished');
      }
      // Made by this very step, by an attempt whose response was lost: still "created".
      if (input.creationKey !== undefined && existing.createdBy === input.creationKey) {
        if (!hubFieldsEqual(existing, data)) await client.updateProduct(existing.documentId, data);
        return { documentId: existing.documentId, created: true };
      }
      if (hubFieldsEqual(existing, data)) return { documentId: existing.documentId, created: false };
      await client.updateProduct(existing.documentId, data);
      const previous: CmsHubFields = { title: existing.title, handle: existing.handle, description: existing.description, skus: existing.skus };
      return { documentId: existing.documentId, created: false, previous };
    },

    /**
     * Undo of cmsUpsertProductEntry. The saga registers it BEFORE the create runs, so it has to
     * cope with a create that never happened, happened with a lost response, or happened: it
     * looks the entry up by medusa_id rather than trusting a documentId it may never have seen.
     * Not found means done, and so does an entry that vanishes between the lookup and the delete.
     * Given the upsert's key it undoes only what the upsert did (see CmsDeleteProductEntryInput):
     * an entry that existed before the run gets its hub fields back instead of being deleted.
     */
    async cmsDeleteProductEntry(input: CmsDeleteProductEntryInput): Promise<CmsDeleteProductEntryResult> {
      const { upserted } = input;
      if (upserted && !upserted.created) {
        if (!upserted.previous) return { deleted: false };
        const existing = await client.findProductByMedusaId(input.medusaId);
        if (!existing || existing.documentId !== upserted.documentId) return { deleted: false };
        await client.restoreProduct(existing.documentId, upserted.previous);
        return { deleted: false, restored: true };
      }
      const existing = await client.findProductByMedusaId(input.medusaId);
      if (!existing) return { deleted: false };
      if (upserted && existing.documentId !== upserted.documentId) return { deleted: false };
      if (!upserted && input.creationKey !== undefined && existing.createdBy !== input.creationKey) {
        return { deleted: false, skipped: 'not_created_by_step' };
      }
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
