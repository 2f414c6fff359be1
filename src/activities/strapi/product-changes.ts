import type { CmsClient, CmsProductWrite } from './client';

/** CMS activities of the product entity: copy the Medusa-owned fields onto the entry. */
export function createCmsProductChangeActivities(client: CmsClient) {
  return {
    /**
     * Writes the given fields if any differs from the entry (Strapi has no idempotency keys; an
     * unchanged entry is how a retry knows it is done). No entry: nothing to write to yet (the
     * product-created flow makes it, with the current values).
     */
    async cmsSetProductFields(input: { medusaId: string; fields: Partial<Pick<CmsProductWrite, 'title' | 'handle'>> }): Promise<{ written: boolean }> {
      const entry = await client.findProductByMedusaId(input.medusaId);
      if (!entry) return { written: false };
      const differs = Object.entries(input.fields).some(([k, v]) => entry[k as 'title' | 'handle'] !== v);
      if (!differs) return { written: false };
      await client.patchProduct(entry.documentId, input.fields);
      return { written: true };
    },
  };
}

export type CmsProductChangeActivities = ReturnType<typeof createCmsProductChangeActivities>;
