import { ApplicationFailure } from '@temporalio/common';
import type { CreateResult, WriteOptions } from '../ports/common';

/**
 * The do/undo pair the ERP (items) and the WMS (SKUs) share: "create a record keyed by SKU and
 * marked with our external_ref" and "delete the record of a SKU if its external_ref is ours".
 * Each system's products.ts keeps its named activities and wraps these, so the saga logic (what
 * a 409 means, what proves a record is ours, how the undo copes with a create that never
 * happened) is written once. Only `import type` of the client, so nothing Node-only comes along.
 */

/**
 * external_ref of a record being imported into Medusa, set before the Medusa product exists and
 * replaced by its id right after. The product-created flow that Medusa starts for that product
 * waits for the link instead of taking the record for someone else's.
 */
export const PENDING_IMPORT_REF_PREFIX = 'medusa-import-pending:';

/** The fields the pair relies on; both systems' records have them. */
export interface SkuRecord {
  id: string;
  sku: string;
  external_ref: string | null;
  /**
   * The Idempotency-Key of the request that created the record (null without one). Part of the
   * REST contract since issue 9, optional so a system that does not return it still parses: its
   * records then prove nothing, and an undo that needs proof leaves them.
   */
  creation_key?: string | null;
}

/**
 * One system's side of the pair: the client calls for its record type and the names that make
 * its failures and keys read as they always have (failure types and idempotency keys are
 * matched on by retry policies, dashboards and in-flight compensations, so they must not drift).
 */
export interface SkuRecordSystem<R extends SkuRecord, I extends CreateSkuRecordInput> {
  /** e.g. "ERP". */
  system: string;
  /** What the system calls the record, e.g. "item" in "ERP refused item SKU-1"; "itemId" in failure details. */
  noun: string;
  /** How an owned-elsewhere failure names the existing record, e.g. `belongs to item ${id}`. */
  describeExisting(id: string): string;
  /** Idempotency key of the undo's DELETE. */
  deleteKey(id: string): string;
  failureTypes: {
    /** A 409 other than sku_conflict: nothing we can resolve. */
    conflict: string;
    /** sku_conflict, but the record was gone by the time we looked. */
    race: string;
    /** The SKU belongs to another external_ref: a data problem no retry fixes. */
    ownedElsewhere: string;
  };
  create(input: I, opts: WriteOptions): Promise<CreateResult<R>>;
  findBySku(sku: string): Promise<R | null>;
  delete(id: string, opts: WriteOptions): Promise<boolean>;
}

export interface CreateSkuRecordInput {
  /** Stable across retries of this step (e.g. workflow id + step name), so a retry cannot create twice. */
  idempotencyKey: string;
  sku: string;
  /** Our id for the thing (e.g. the Medusa variant id); it is what proves a record in the system is ours. */
  externalRef: string;
  /** Sent as X-Origin so the system's webhook for this write can be recognised as our own echo. */
  origin?: string;
}

/** What the create returns: the record, and whether this call made it or found it. */
export interface CreateSkuRecordResult {
  id: string;
  /** true: the record existed before this step (same SKU, our external_ref) and was adopted, not made. */
  adopted: boolean;
}

export interface DeleteSkuRecordInput {
  sku: string;
  externalRef: string;
  /**
   * The create's idempotency key. Given, the undo deletes only what that create made: the record
   * the create returned (`created`), or, when its outcome is unknown, a record whose
   * creation_key is this key. Absent (inputs from before issue 9, reconciliation's deletes of
   * orphans), external_ref alone decides, as it always did.
   */
  idempotencyKey?: string;
  /** The create's settled result, when it returned one; absent when its outcome is unknown. */
  created?: CreateSkuRecordResult;
}

export interface DeleteSkuRecordResult {
  deleted: boolean;
  /**
   * Why nothing was deleted, for the workflow history: `adopted`, the step found the record
   * and did not make it; `not_created_by_step`, the outcome was unknown and nothing proves the
   * record is this step's.
   */
  skipped?: 'not_found' | 'external_ref_mismatch' | 'adopted' | 'not_created_by_step';
}

/** The do/undo pair for one system; its activities wrap these under their own names. */
export function skuRecordSaga<R extends SkuRecord, I extends CreateSkuRecordInput>(sys: SkuRecordSystem<R, I>) {
  return {
    /**
     * Creates the record and returns its id. A 409 for a record that already carries our
     * external_ref counts as success: the record was made earlier (by an import or a backfill,
     * or by this very step under a key the system has since forgotten), and this makes the step
     * idempotent even across idempotency keys. The result says which, so the undo removes only
     * a record this step made.
     */
    async create(input: I): Promise<CreateSkuRecordResult> {
      const result = await sys.create(input, { idempotencyKey: input.idempotencyKey, origin: input.origin });
      if (result.outcome === 'created') return { id: result.record.id, adopted: false };
      const { system, failureTypes } = sys;
      if (result.code !== 'sku_conflict') {
        throw ApplicationFailure.nonRetryable(`${system} refused ${sys.noun} ${input.sku}: ${result.code}: ${result.message}`, failureTypes.conflict);
      }
      const existing = await sys.findBySku(input.sku);
      if (!existing) {
        // Deleted between the 409 and our lookup; the next attempt will simply create it.
        throw ApplicationFailure.retryable(`${system} reported sku ${input.sku} as taken but it is gone now`, failureTypes.race);
      }
      if (existing.external_ref?.startsWith(PENDING_IMPORT_REF_PREFIX)) {
        // An import from this system into Medusa created the product and is about to link the
        // record to it (backfill --from erp): retried with backoff, this sees the link and succeeds.
        throw ApplicationFailure.retryable(`${system} sku ${input.sku} is being imported into Medusa; its link is not set yet`, failureTypes.race);
      }
      if (existing.external_ref !== input.externalRef) {
        throw ApplicationFailure.nonRetryable(
          `${system} sku ${input.sku} already ${sys.describeExisting(existing.id)} with external_ref ${JSON.stringify(existing.external_ref)}, ` +
            `not ${JSON.stringify(input.externalRef)}; resolve the duplicate SKU in the ${system}`,
          failureTypes.ownedElsewhere,
          { sku: input.sku, [`${sys.noun}Id`]: existing.id, externalRef: existing.external_ref },
        );
      }
      return { id: existing.id, adopted: existing.creation_key !== input.idempotencyKey };
    },

    /**
     * Undo of create. The saga registers it BEFORE the create runs, so it must cope with a
     * create that never happened, happened with its response lost, or was retried: it looks the
     * record up by SKU (not by an id we may never have received) and deletes it only if the
     * external_ref shows it is ours — never someone else's record that shares the SKU — and,
     * given the create's key, only if that create made it: an adopted record (an ERP master
     * item the hub linked to, not made) outlives the run's rollback.
     */
    async delete(input: DeleteSkuRecordInput): Promise<DeleteSkuRecordResult> {
      if (input.created?.adopted) return { deleted: false, skipped: 'adopted' };
      const record = await sys.findBySku(input.sku);
      if (!record) return { deleted: false, skipped: 'not_found' };
      if (record.external_ref !== input.externalRef) return { deleted: false, skipped: 'external_ref_mismatch' };
      if (input.created && record.id !== input.created.id) return { deleted: false, skipped: 'not_found' };
      if (!input.created && input.idempotencyKey !== undefined && record.creation_key !== input.idempotencyKey) {
        return { deleted: false, skipped: 'not_created_by_step' };
      }
      // Keyed by the record id (ids are never reused), so the key means the same delete wherever
      // it is sent from. A retry after a lost DELETE response finds nothing and reports
      // not_found: the end state, record gone, is what the compensation needs.
      const deleted = await sys.delete(record.id, { idempotencyKey: sys.deleteKey(record.id) });
      return deleted ? { deleted: true } : { deleted: false, skipped: 'not_found' };
    },
  };
}
