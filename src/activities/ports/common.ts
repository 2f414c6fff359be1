/**
 * What every connector port shares. A port is what the hub's flows need of a role (an ERP, a
 * WMS), written as the generic REST contract's records (docs/connectors/rest-openapi.yaml); each
 * connector (rest/, tryton/) maps its system onto it. Plain types only, so activities and tests
 * depend on the port and never on a vendor.
 */

/**
 * Every write carries an idempotency key (the workflow id plus the step), so a retry of the same
 * step means the same write; `origin` marks the hub's own writes so their echoes start nothing.
 */
export interface WriteOptions {
  idempotencyKey: string;
  origin?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * A create either made the record or was refused as a conflict the caller may resolve.
 * `sku_conflict` / `external_ref_conflict` mean "a record with this natural key exists": the
 * activities then look it up and decide whether it is theirs.
 */
export type CreateResult<T> = { outcome: 'created'; record: T } | { outcome: 'conflict'; code: string; message: string };

/** A state change the system may refuse, e.g. canceling a shipped order. */
export type TransitionResult<T> = { outcome: 'ok'; record: T } | { outcome: 'refused'; code: string; message: string };

/** The natural-key conflicts every connector reports under these codes. */
export const SKU_CONFLICT = 'sku_conflict';
export const EXTERNAL_REF_CONFLICT = 'external_ref_conflict';

/** Which connector speaks for a role; validated once in config. */
export const CONNECTOR_KINDS = ['tryton', 'rest'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/**
 * Changes read from a system that cannot push them (Tryton has no webhooks): a page of changes
 * after `cursor`, in the order they happened, and the cursor to ask from next. The cursor is
 * opaque to the poller and strictly increasing (a timestamp plus a record id breaks ties), so a
 * poll that dies mid-page asks again from the last cursor it kept: nothing is skipped, and what
 * is read twice is dropped by the run it reaches (entities keep the last version they applied).
 */
export interface ChangePage<C> {
  changes: C[];
  /** Where the next poll starts; the same cursor when nothing changed. */
  cursor: string;
  /** true when more changes wait beyond this page: poll again at once. */
  more: boolean;
}

/** Whether the hub made a change itself (Tryton: the write's user is the hub's), so it is an echo to drop. */
export interface Change<T> {
  record: T;
  byHub: boolean;
}
