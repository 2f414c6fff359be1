import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { MicroBatcher, type BatchItemResult } from '../batcher';
import { listProductsById, MedusaProductReader, type BatchTuning } from './product-reader';
import { HTTP_SERVER_ERROR } from '../http';
import { callMedusa, fetchErrorStatus } from './client';

export const MEDUSA_PRODUCT_NOT_FOUND = 'MedusaProductNotFound';

export const productSnapshotSchema = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string(),
  description: z.string().nullable(),
  status: z.string(),
  variants: z.array(
    z.object({
      id: z.string(),
      sku: z.string().nullable(),
      title: z.string(),
      prices: z.array(z.object({ amount: z.number(), currency_code: z.string() })),
    }),
  ),
  // Medusa answers null for a product that never had metadata; callers get an object either way.
  metadata: z
    .record(z.string(), z.unknown())
    .nullable()
    .transform((m) => m ?? {}),
});

export type MedusaProductSnapshot = z.output<typeof productSnapshotSchema>;


export interface MedusaActivityDeps {
  sdk: Medusa;
  /** Shared with the entity's activities, so their reads share list calls; one is made if absent. */
  reader?: MedusaProductReader;
  /** Batch tuning; the defaults suit one worker against one Medusa. */
  metadataBatch?: BatchTuning;
}

/** One queued metadata write; values are absolute, '' meaning "remove the key". */
interface MetadataWrite {
  productId: string;
  metadata: Record<string, string>;
  /** A clear of a product that is gone has nothing left to undo; a set of one is an error. */
  missingIsOk: boolean;
}

export function createMedusaActivities(deps: MedusaActivityDeps) {
  const { sdk } = deps;
  const reader = deps.reader ?? new MedusaProductReader(sdk);
  // A batch update costs Medusa ~65 ms of CPU whatever its size (the API key's scrypt check among
  // it; see product-reader.ts), plus ~1.5 ms per product: one in flight at a time, and a wait of
  // up to 250 ms, keep batches large under a bulk import.
  const metadataWrites = new MicroBatcher<MetadataWrite, void>({
    flush: (writes) => flushMetadataWrites(sdk, writes),
    maxItems: deps.metadataBatch?.maxItems ?? 100,
    maxWaitMs: deps.metadataBatch?.maxWaitMs ?? 250,
    maxConcurrentFlushes: deps.metadataBatch?.maxConcurrentFlushes ?? 1,
  });

  return {
    /**
     * Reads one product. Goes through a micro-batcher too: a burst of runs each reading its own
     * product becomes one list call by ids, which costs Medusa about what a single read does.
     */
    async medusaGetProduct(input: { productId: string }): Promise<MedusaProductSnapshot> {
      return parseSnapshot(input.productId, await reader.read(input.productId));
    },

    /**
     * Writes the given keys, leaving every other key as it is (Medusa merges metadata). Goes
     * through the micro-batcher: concurrent calls share one batch request.
     */
    async medusaSetProductMetadata(input: { productId: string; values: Record<string, string> }): Promise<void> {
      // '' means "delete" to Medusa; a set that deletes would be a surprising undo-in-disguise.
      const empty = Object.keys(input.values).filter((k) => input.values[k] === '');
      if (empty.length > 0) {
        throw ApplicationFailure.nonRetryable(`empty metadata values would delete keys ${empty.join(', ')}`, 'InvalidMetadataValue');
      }
      await metadataWrites.submit({ productId: input.productId, metadata: input.values, missingIsOk: false });
    },

    /**
     * Undo of medusaSetProductMetadata. Medusa merges metadata on update, so leaving a key out
     * keeps it; each key is sent as '' instead, which Medusa 2.21's mergeMetadata treats as
     * "delete this key" (verified by products.test.ts). Succeeds when the product is gone: a
     * deleted product carries no metadata worth clearing, and an undo must not fail on it.
     */
    async medusaClearProductMetadata(input: { productId: string; keys: string[] }): Promise<void> {
      if (input.keys.length === 0) return;
      const metadata = Object.fromEntries(input.keys.map((k) => [k, '']));
      await metadataWrites.submit({ productId: input.productId, metadata, missingIsOk: true });
    },
  };
}

export type MedusaActivities = ReturnType<typeof createMedusaActivities>;

/** A product read as the product-created flow's snapshot; not found and odd shapes are final. */
function parseSnapshot(productId: string, found: unknown): MedusaProductSnapshot {
  if (found === null) throw productNotFound(productId);
  const parsed = productSnapshotSchema.safeParse(found);
  if (parsed.success) return parsed.data;
  // Medusa answered, but not in the shape this code was written against: an upgrade or a bug,
  // which no retry fixes.
  throw ApplicationFailure.nonRetryable(`Medusa product ${productId} has an unexpected shape: ${z.prettifyError(parsed.error)}`, 'MedusaUnexpectedResponse');
}

/**
 * One batch of metadata writes: one batch update, which is all it takes when every product
 * exists. Medusa fails a whole batch update for one unknown id, though, and since every caller
 * in a failed batch is retried, one deleted product would keep failing its neighbours: on a 404
 * the batch looks up which products exist and updates only those.
 */
async function flushMetadataWrites(sdk: Medusa, writes: MetadataWrite[]): Promise<BatchItemResult<void>[]> {
  const ids = [...new Set(writes.map((w) => w.productId))];
  try {
    await updateMetadata(sdk, writes, new Set(ids));
    return writes.map(() => ({ ok: true, value: undefined }));
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
  }
  const existing = new Set((await listProductsById(sdk, ids, 'id')).keys());
  try {
    await updateMetadata(sdk, writes, existing);
  } catch (err) {
    // A product deleted between the look-up and the update: let every caller retry (as a
    // server error would) so the next look-up sorts it out.
    if (isStatus(err, 404)) {
      throw ApplicationFailure.retryable(`Medusa POST /admin/products/batch: a product vanished during the batch (${String(err)})`, HTTP_SERVER_ERROR);
    }
    throw err;
  }
  return writes.map((w) =>
    existing.has(w.productId) || w.missingIsOk ? { ok: true, value: undefined } : { ok: false, error: productNotFound(w.productId) },
  );
}

/** One batch update of the writes to these products. */
async function updateMetadata(sdk: Medusa, writes: MetadataWrite[], products: Set<string>): Promise<void> {
  // Two writes to one product in one batch (a set and its undo, say) become one update, applied
  // in arrival order, so the later write wins as it would have one request at a time.
  const merged = new Map<string, Record<string, string>>();
  for (const w of writes) {
    if (!products.has(w.productId)) continue;
    merged.set(w.productId, { ...merged.get(w.productId), ...w.metadata });
  }
  if (merged.size === 0) return;
  await callMedusa({ method: 'POST', path: '/admin/products/batch' }, () =>
    // fields=id: Medusa re-reads every updated product for the response, with all relations
    // by default; the batch needs none of it, and that re-read is a large part of its cost.
    sdk.admin.product.batch({ update: [...merged].map(([id, metadata]) => ({ id, metadata })) }, { fields: 'id' }),
  );
}

function productNotFound(productId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`Medusa has no product ${productId} (deleted or never existed)`, MEDUSA_PRODUCT_NOT_FOUND, {
    productId,
  });
}

/** True for an HTTP status from the js-sdk, or one already classified by callMedusa. */
export function isStatus(err: unknown, status: number): boolean {
  if (fetchErrorStatus(err) === status) return true;
  if (err instanceof ApplicationFailure) {
    const details = err.details?.[0];
    return typeof details === 'object' && details !== null && 'status' in details && details.status === status;
  }
  return false;
}
