import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { MicroBatcher, type BatchItemResult } from '../batcher';
import { listProductsById, MedusaProductReader, type BatchTuning } from './product-reader';
import { HTTP_SERVER_ERROR } from '../http';
import { callMedusa, fetchErrorStatus, splitRefusedCall } from './client';

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
  /** Batch tuning; the defaults suit one worker against one Medusa. Flushes are always one at a time. */
  metadataBatch?: Omit<BatchTuning, 'maxConcurrentFlushes'>;
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
  // up to 250 ms, keep batches large under a bulk import. One at a time is also what serializes
  // the worker's writes to a product: a flush (its checks included) ends before the next begins,
  // so the worker never races itself (see flushMetadataWrites for other writers).
  const metadataWrites = new MicroBatcher<MetadataWrite, void>({
    flush: (writes) => flushMetadataWrites(sdk, writes),
    maxItems: deps.metadataBatch?.maxItems ?? 100,
    maxWaitMs: deps.metadataBatch?.maxWaitMs ?? 250,
    maxConcurrentFlushes: 1,
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
     * Writes the given keys, leaving every other key as it is (Medusa merges metadata), and
     * checks they hold afterwards (a concurrent writer can reset them). Goes through the
     * micro-batcher: concurrent calls share one batch request.
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
     * `restore` (issue 9, optional) gives keys the value they had before the run wrote them:
     * an undo puts back what it overwrote instead of deleting it.
     */
    async medusaClearProductMetadata(input: { productId: string; keys: string[]; restore?: Record<string, string> }): Promise<void> {
      if (input.keys.length === 0) return;
      const metadata = { ...Object.fromEntries(input.keys.map((k) => [k, ''])), ...input.restore };
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
 * Medusa 2.21 updates metadata by read-modify-write with no lock (ProductRepository.deepUpdate
 * reads the product, mergeMetadata()s the keys sent into what it read, writes the whole column
 * back), so two writers at once (two workers, or the hub and a person in the admin) can each
 * write back a copy read before the other's write landed, dropping the other's keys. Every
 * metadata write therefore reads the products before and after, and re-applies whatever a
 * concurrent writer reset, a bounded number of rounds; what is still reset after that fails as
 * retryable, so the activity's retries go on until the hub's links are in place.
 */
const METADATA_WRITE_ROUNDS = 4;
const METADATA_RACE = 'MedusaMetadataRace';

/** The keys each product must end up with, the writes to one product merged in arrival order. */
type WantedMetadata = Map<string, Record<string, string>>;

/**
 * One batch of metadata writes: a read, one batch update and a read back when nothing races it
 * (the reads are list calls, which cost Medusa little beside the update); see above for when
 * something does. Products Medusa does not have (deleted meanwhile) are left out of the update,
 * since Medusa fails a whole batch update for one unknown id; a call Medusa refuses because of
 * one odd id is split (splitRefusedCall), so that only that product's writes fail.
 */
async function flushMetadataWrites(sdk: Medusa, writes: MetadataWrite[]): Promise<BatchItemResult<void>[]> {
  // Two writes to one product in one batch (a set and its undo, say) become one update, applied
  // in arrival order, so the later write wins as it would have one request at a time.
  const wanted: WantedMetadata = new Map();
  for (const w of writes) wanted.set(w.productId, { ...wanted.get(w.productId), ...w.metadata });
  const outcomes = await splitRefusedCall([...wanted.keys()], (ids) => writeVerified(sdk, new Map(ids.map((id) => [id, wanted.get(id)!]))));
  return writes.map((w): BatchItemResult<void> => {
    const outcome = outcomes.get(w.productId)!;
    if (!outcome.ok) return outcome;
    if (outcome.value === 'missing' && !w.missingIsOk) return { ok: false, error: productNotFound(w.productId) };
    return { ok: true, value: undefined };
  });
}

/** Writes the keys and checks they hold, re-applying what a concurrent writer reset. */
async function writeVerified(sdk: Medusa, wanted: WantedMetadata): Promise<Map<string, BatchItemResult<'written' | 'missing'>>> {
  const outcomes = new Map<string, BatchItemResult<'written' | 'missing'>>();
  const before = await readMetadata(sdk, [...wanted.keys()]);
  let pending: WantedMetadata = new Map();
  for (const [id, values] of wanted) {
    if (before.has(id)) pending.set(id, values);
    else outcomes.set(id, { ok: true, value: 'missing' });
  }
  for (let round = 1; pending.size > 0 && round <= METADATA_WRITE_ROUNDS; round++) {
    await updateMetadata(sdk, pending);
    const after = await readMetadata(sdk, [...pending.keys()]);
    const next: WantedMetadata = new Map();
    for (const [id, values] of pending) {
      const now = after.get(id);
      // Deleted since the update: gone is gone, like a product missing from the start.
      const reset = now ? resetKeys(values, before.get(id)!, now) : {};
      if (Object.keys(reset).length > 0) next.set(id, reset);
      else outcomes.set(id, { ok: true, value: now ? 'written' : 'missing' });
    }
    pending = next;
  }
  for (const [id, values] of pending) {
    const keys = Object.keys(values).join(', ');
    const error = ApplicationFailure.retryable(
      `Medusa product ${id}: metadata keys ${keys} were reset by a concurrent writer ${METADATA_WRITE_ROUNDS} times in a row`,
      METADATA_RACE,
      { productId: id, keys },
    );
    outcomes.set(id, { ok: false, error });
  }
  return outcomes;
}

/**
 * The keys of `values` that a concurrent writer reset: the product holds what it held before the
 * write, not the value written ('' meaning absent). A key holding a third value was written by
 * someone after the hub, and theirs is the newer change, so it stands.
 */
function resetKeys(values: Record<string, string>, before: Record<string, unknown>, now: Record<string, unknown>): Record<string, string> {
  const reset: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const holds = (m: Record<string, unknown>, v: string): boolean => (v === '' ? !Object.hasOwn(m, key) : m[key] === v);
    if (holds(now, value)) continue;
    const unchanged = Object.hasOwn(before, key) ? isDeepStrictEqual(now[key], before[key]) : !Object.hasOwn(now, key);
    if (unchanged) reset[key] = value;
  }
  return reset;
}

const metadataOnly = z.object({ metadata: z.record(z.string(), z.unknown()).nullable().optional() });

/** Each product's metadata as Medusa holds it now ({} for none); products it does not have are absent. */
async function readMetadata(sdk: Medusa, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = await listProductsById(sdk, ids, 'id,metadata');
  return new Map([...found].map(([id, p]) => [id, metadataOnly.parse(p).metadata ?? {}]));
}

/** One batch update of these products' metadata. */
async function updateMetadata(sdk: Medusa, wanted: WantedMetadata): Promise<void> {
  try {
    await callMedusa({ method: 'POST', path: '/admin/products/batch' }, () =>
      // fields=id: Medusa re-reads every updated product for the response, with all relations
      // by default; the batch needs none of it, and that re-read is a large part of its cost.
      sdk.admin.product.batch({ update: [...wanted].map(([id, metadata]) => ({ id, metadata })) }, { fields: 'id' }),
    );
  } catch (err) {
    // A product deleted since it was read: let every caller retry (as a server error would) so
    // the next read leaves it out.
    if (isStatus(err, 404)) {
      throw ApplicationFailure.retryable(`Medusa POST /admin/products/batch: a product vanished during the batch (${String(err)})`, HTTP_SERVER_ERROR);
    }
    throw err;
  }
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
