import { ApplicationFailure } from '@temporalio/common';
import type { ErpClient } from './client';

/** Failure type when the SKU already belongs to another product: a data problem no retry fixes. */
export const ERP_SKU_OWNED_ELSEWHERE = 'ErpSkuOwnedElsewhere';

export interface ErpCreateItemInput {
  /** Stable across retries of this step (e.g. workflow id + step name), so a retry cannot create twice. */
  idempotencyKey: string;
  sku: string;
  name: string;
  price: { amount: number; currency_code: string } | null;
  /** Our id for the thing (e.g. the Medusa variant id); it is what proves an ERP item is ours. */
  externalRef: string;
  /** Sent as X-Origin so the ERP's webhook for this write can be recognised as our own echo. */
  origin?: string;
}

export interface ErpDeleteItemInput {
  sku: string;
  externalRef: string;
}

export interface ErpDeleteItemResult {
  deleted: boolean;
  /** Why nothing was deleted, for the workflow history. */
  skipped?: 'not_found' | 'external_ref_mismatch';
}

/**
 * ERP product activities, each "do" next to its "undo". Closures over the client rather than
 * methods, so Temporal can register them as plain functions and workflows can `import type`.
 */
export function createErpActivities(client: ErpClient) {
  return {
    /**
     * Creates the item for one variant. A 409 for an item that already carries our external_ref
     * counts as success: the create happened earlier (another key, or a lost response), and
     * this makes the step idempotent even across idempotency keys.
     */
    async erpCreateItem(input: ErpCreateItemInput): Promise<{ itemId: string }> {
      const result = await client.createItem(
        { sku: input.sku, name: input.name, price: input.price, external_ref: input.externalRef },
        { idempotencyKey: input.idempotencyKey, origin: input.origin },
      );
      if (result.outcome === 'created') return { itemId: result.record.id };
      if (result.code !== 'sku_conflict') {
        throw ApplicationFailure.nonRetryable(`ERP refused item ${input.sku}: ${result.code}: ${result.message}`, 'ErpConflict');
      }
      const existing = await client.findItemBySku(input.sku);
      if (!existing) {
        // Deleted between the 409 and our lookup; the next attempt will simply create it.
        throw ApplicationFailure.retryable(`ERP reported sku ${input.sku} as taken but it is gone now`, 'ErpSkuRace');
      }
      if (existing.external_ref !== input.externalRef) {
        throw ApplicationFailure.nonRetryable(
          `ERP sku ${input.sku} already belongs to item ${existing.id} with external_ref ${JSON.stringify(existing.external_ref)}, ` +
            `not ${JSON.stringify(input.externalRef)}; resolve the duplicate SKU in the ERP`,
          ERP_SKU_OWNED_ELSEWHERE,
          { sku: input.sku, itemId: existing.id, externalRef: existing.external_ref },
        );
      }
      return { itemId: existing.id };
    },

    /**
     * Undo of erpCreateItem. The saga registers it BEFORE the create runs, so it must cope with
     * a create that never happened, happened with its response lost, or was retried: it looks
     * the item up by SKU (not by an id we may never have received) and deletes it only if the
     * external_ref shows it is ours — never someone else's item that shares the SKU.
     */
    async erpDeleteItem(input: ErpDeleteItemInput): Promise<ErpDeleteItemResult> {
      const item = await client.findItemBySku(input.sku);
      if (!item) return { deleted: false, skipped: 'not_found' };
      if (item.external_ref !== input.externalRef) return { deleted: false, skipped: 'external_ref_mismatch' };
      // Keyed by the item id (ids are never reused), so the key means the same delete wherever
      // it is sent from. A retry after a lost DELETE response finds nothing and reports
      // not_found: the end state, item gone, is what the compensation needs.
      const deleted = await client.deleteItem(item.id, { idempotencyKey: `erp-delete-item:${item.id}` });
      return deleted ? { deleted: true } : { deleted: false, skipped: 'not_found' };
    },
  };
}

export type ErpActivities = ReturnType<typeof createErpActivities>;
