import { z } from 'zod';

/**
 * One schema per kind of id the bridge takes from a webhook. Every id ends up in a workflow id,
 * a search attribute, a signal or a request to another system, so each is held to the shape its
 * system really produces: an odd id (a NUL, a megabyte of text) is refused at the door with a
 * clear 422 instead of starting a run that fails later, or worse, failing other runs' batches.
 * Temporal accepts workflow ids up to 1000 bytes; these caps keep every id far below that.
 */

/**
 * Medusa ids are `<prefix>_<ULID>` (generateEntityId in @medusajs/utils), e.g.
 * `prod_01JB2Z…`; a custom id given at creation keeps the prefix. Letters and digits after it.
 */
export const MEDUSA_ID_MAX_LENGTH = 100;
export const medusaIdSchema = (prefix: string) =>
  z
    .string()
    .max(MEDUSA_ID_MAX_LENGTH, `a Medusa id is at most ${MEDUSA_ID_MAX_LENGTH} characters`)
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]+$`), `must be a Medusa id: "${prefix}_" then letters and digits only`);

/**
 * Another system's reference to a record (an `external_ref`). References the hub did not set are
 * ignored, but one that names a Medusa record (`prod_…`, `order_…`) addresses that record's run,
 * so it must be a Medusa id.
 */
export const externalRefSchema = (medusaPrefix: string) => {
  const medusaId = medusaIdSchema(medusaPrefix);
  return z
    .string()
    .max(256, 'an external_ref is at most 256 characters')
    .refine(
      (ref) => !ref.startsWith(`${medusaPrefix}_`) || medusaId.safeParse(ref).success,
      `an external_ref to a Medusa record must be a Medusa id: "${medusaPrefix}_" then letters and digits only`,
    );
};

/**
 * Record ids of the ERP, WMS and CMS (`itm_3f…`, `evt_…`, Strapi's documentId): letters, digits
 * and `_ - . :`, starting with a letter or digit.
 */
export const RECORD_ID_MAX_LENGTH = 128;
export const recordIdSchema = z
  .string()
  .max(RECORD_ID_MAX_LENGTH, `a record id is at most ${RECORD_ID_MAX_LENGTH} characters`)
  .regex(/^[0-9A-Za-z][0-9A-Za-z_.:-]*$/, 'must be letters, digits and _ - . : only, starting with a letter or digit');

/**
 * SKUs: the ERP allows up to 100 characters. Printable ASCII, no leading or trailing space: SKUs
 * go into workflow ids and search attributes (where an operator types them), and a control
 * character in one is a bug upstream, not a product.
 */
export const SKU_MAX_LENGTH = 100;
export const skuSchema = z
  .string()
  .max(SKU_MAX_LENGTH, `a SKU is at most ${SKU_MAX_LENGTH} characters`)
  .regex(/^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/, 'must be printable ASCII without leading or trailing spaces');

/** A WMS warehouse code, e.g. `WH-1`. */
export const warehouseCodeSchema = z
  .string()
  .max(64, 'a warehouse code is at most 64 characters')
  .regex(/^[0-9A-Za-z][0-9A-Za-z_-]*$/, 'must be letters, digits, _ and - only');

/**
 * A delivery id (the webhook-id header, or the one the CMS's is derived from): Standard Webhooks
 * senders use `msg_<base64url>`, the simulators `evt_<hex>`. It keys the entities' deduplication,
 * so it is kept in their state: printable ASCII without spaces, at most 256 characters.
 */
export const DELIVERY_ID_MAX_LENGTH = 256;
export const deliveryIdSchema = z
  .string()
  .max(DELIVERY_ID_MAX_LENGTH, `a delivery id is at most ${DELIVERY_ID_MAX_LENGTH} characters`)
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

/** Per-entity event sequences count from 1 (the simulators' counters start there). */
export const sequenceSchema = z.number().int().positive('a sequence counts from 1');

/**
 * Keys that reach an object's prototype when a body is merged or spread into another object.
 * No sender has a reason to use them, so a body that does is refused whole.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The path of the first prototype key anywhere in a parsed JSON value, or undefined. Iterative:
 * a deeply nested body (within the size limit) must not overflow the stack.
 */
export function findPrototypeKey(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    // JSON.parse makes `__proto__` an own property, so Object.keys sees it.
    for (const key of Object.keys(v)) {
      const at = Array.isArray(v) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(v) && PROTOTYPE_KEYS.has(key)) return at;
      stack.push({ value: (v as Record<string, unknown>)[key], path: at });
    }
  }
  return undefined;
}
