import { HttpError } from './errors';
import type { RouteContext, RouteResult } from './server';
import type { Collection } from './store';

/**
 * The two lookups every simulated SaaS API makes around its records, so each system's server
 * states only its names and messages and all answer 404s and uniqueness 409s the same way.
 */

/** A getter by id that answers a missing record with 404 not_found ("<what> <id> not found"). */
export function getOr404<T>(collection: Collection<T>, what: string): (id: string) => T {
  return (id) => {
    const record = collection.get(id);
    if (!record) throw new HttpError(404, 'not_found', `${what} ${id} not found`);
    return record;
  };
}

/**
 * Refuses with 409 `code` when another record (not `exceptId`) already has `value` in the unique
 * index; `existing_id` in the error lets a client resolve the conflict without a second lookup.
 */
export function assertUnique<T extends { id: string }>(
  collection: Collection<T>,
  index: string,
  value: string,
  conflict: { code: string; message: string },
  exceptId?: string,
): void {
  const existing = collection.findBy(index, value).find((r) => r.id !== exceptId);
  if (existing) throw new HttpError(409, conflict.code, conflict.message, {}, { existing_id: existing.id });
}

type Writes = Pick<RouteContext, 'tx' | 'emit'>;

/**
 * Stores `record` and emits `<entity>.<change>` for it in the same transaction, so a webhook
 * never describes a write that did not happen; the event's entity is `<entity>:<id>`.
 */
export function putAndEmit<T extends { id: string }>({ tx, emit }: Writes, collection: Collection<T>, entity: string, change: string, record: T): void {
  tx.put(collection, record.id, record);
  emit({ type: `${entity}.${change}`, entity: `${entity}:${record.id}`, data: record });
}

/** Deletes `record`, emits `<entity>.deleted` with what was deleted, and gives the usual 200 answer. */
export function deleteAndEmit<T extends { id: string }>({ tx, emit }: Writes, collection: Collection<T>, entity: string, record: T): RouteResult {
  tx.del(collection, record.id);
  emit({ type: `${entity}.deleted`, entity: `${entity}:${record.id}`, data: record });
  return { status: 200, body: { id: record.id, object: entity, deleted: true } };
}
