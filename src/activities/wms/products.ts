import { ApplicationFailure } from '@temporalio/common';
import type { WmsClient } from './client';

/** Failure type when the SKU already belongs to another product: a data problem no retry fixes. */
export const WMS_SKU_OWNED_ELSEWHERE = 'WmsSkuOwnedElsewhere';

export interface WmsCreateSkuInput {
  /** Stable across retries of this step (e.g. workflow id + step name), so a retry cannot create twice. */
  idempotencyKey: string;
  sku: string;
  description: string;
  /** Our id for the thing (e.g. the Medusa variant id); it is what proves a WMS SKU is ours. */
  externalRef: string;
  /** Sent as X-Origin so the WMS's webhook for this write can be recognised as our own echo. */
  origin?: string;
}

export interface WmsDeleteSkuInput {
  sku: string;
  externalRef: string;
}

export interface WmsDeleteSkuResult {
  deleted: boolean;
  /** Why nothing was deleted, for the workflow history. */
  skipped?: 'not_found' | 'external_ref_mismatch';
}

/**
 * WMS product activities, "do" next to "undo"; plain closures so workflows can `import type`
 * them and the worker registers them as ordinary functions.
 */
export function createWmsActivities(client: WmsClient) {
  return {
    /**
     * Registers the SKU in the WMS. A 409 for a SKU already carrying our external_ref is
     * success: the create happened before (lost response, or another idempotency key).
     */
    async wmsCreateSku(input: WmsCreateSkuInput): Promise<{ skuId: string }> {
      const result = await client.createSku(
        { sku: input.sku, description: input.description, external_ref: input.externalRef },
        { idempotencyKey: input.idempotencyKey, origin: input.origin },
      );
      if (result.outcome === 'created') return { skuId: result.record.id };
      if (result.code !== 'sku_conflict') {
        throw ApplicationFailure.nonRetryable(`WMS refused sku ${input.sku}: ${result.code}: ${result.message}`, 'WmsConflict');
      }
      const existing = await client.findSkuBySku(input.sku);
      if (!existing) {
        // Deleted between the 409 and our lookup; the next attempt will simply create it.
        throw ApplicationFailure.retryable(`WMS reported sku ${input.sku} as taken but it is gone now`, 'WmsSkuRace');
      }
      if (existing.external_ref !== input.externalRef) {
        throw ApplicationFailure.nonRetryable(
          `WMS sku ${input.sku} already exists as ${existing.id} with external_ref ${JSON.stringify(existing.external_ref)}, ` +
            `not ${JSON.stringify(input.externalRef)}; resolve the duplicate SKU in the WMS`,
          WMS_SKU_OWNED_ELSEWHERE,
          { sku: input.sku, skuId: existing.id, externalRef: existing.external_ref },
        );
      }
      return { skuId: existing.id };
    },

    /**
     * Undo of wmsCreateSku, registered before the create runs: finds the SKU by its code (we may
     * never have learned its id), deletes it only when the external_ref proves it is ours, and
     * treats "not there" as done.
     */
    async wmsDeleteSku(input: WmsDeleteSkuInput): Promise<WmsDeleteSkuResult> {
      const record = await client.findSkuBySku(input.sku);
      if (!record) return { deleted: false, skipped: 'not_found' };
      if (record.external_ref !== input.externalRef) return { deleted: false, skipped: 'external_ref_mismatch' };
      // Keyed by the record id (never reused). A retry after a lost DELETE response finds
      // nothing and reports not_found: the end state, SKU gone, is what the compensation needs.
      const deleted = await client.deleteSku(record.id, { idempotencyKey: `wms-delete-sku:${record.id}` });
      return deleted ? { deleted: true } : { deleted: false, skipped: 'not_found' };
    },
  };
}

export type WmsActivities = ReturnType<typeof createWmsActivities>;
