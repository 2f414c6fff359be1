import { z } from 'zod';
import type { Domain } from './rpc';

/**
 * How the hub marks a Tryton product variant as its own, the same in the ERP and the WMS
 * database: as product identifiers (`product.identifier`, type empty, so Tryton applies no
 * EAN/ISBN check), one per fact, with a prefix that names it.
 *
 * - `hub-external-ref:<Medusa id>`: what proves the record is the hub's (sku-records.ts) and
 *   what lists a product's SKUs (`identifiers.code = …` is a plain indexed search).
 * - `hub-creation-key:<idempotency key>`: which create made the record, the proof an undo needs
 *   when a create's answer was lost. Written in the same `create` call as the product, so a
 *   product never exists without it.
 *
 * Identifiers rather than a free-text field: they are searchable, visible to staff on the
 * product's "Identifiers" tab, and survive a rename; the `description` is the staff's.
 */
export const EXTERNAL_REF_PREFIX = 'hub-external-ref:';
export const CREATION_KEY_PREFIX = 'hub-creation-key:';

/** The nested field list that reads a variant's identifiers along with it. */
export const IDENTIFIER_FIELDS = ['identifiers.code'] as const;

/** One identifier row as `search_read` returns it under `identifiers.`. */
export const zIdentifierRow = z.object({ id: z.number().int(), code: z.string() });

export interface HubIdentifiers {
  external_ref: string | null;
  creation_key: string | null;
}

/** The hub's two facts from a variant's identifier rows; other identifiers (EANs…) are the staff's. */
export function readHubIdentifiers(rows: ReadonlyArray<{ code: string }> | undefined): HubIdentifiers {
  const value = (prefix: string) => rows?.find((r) => r.code.startsWith(prefix))?.code.slice(prefix.length) ?? null;
  return { external_ref: value(EXTERNAL_REF_PREFIX), creation_key: value(CREATION_KEY_PREFIX) };
}

/** The `identifiers` one2many commands of a new variant. */
export function createIdentifiers(facts: { externalRef?: string | null; creationKey?: string | null }): unknown[] {
  const rows = [
    ...(facts.externalRef ? [{ code: EXTERNAL_REF_PREFIX + facts.externalRef }] : []),
    ...(facts.creationKey ? [{ code: CREATION_KEY_PREFIX + facts.creationKey }] : []),
  ];
  return rows.length ? [['create', rows]] : [];
}

/**
 * The commands that set (or, with null, clear) external_ref on a variant whose identifier rows
 * were read: the old row is deleted, so a variant never carries two.
 */
export function replaceExternalRef(rows: ReadonlyArray<{ id: number; code: string }> | undefined, externalRef: string | null): unknown[] {
  const old = (rows ?? []).filter((r) => r.code.startsWith(EXTERNAL_REF_PREFIX)).map((r) => r.id);
  return [...(old.length ? [['delete', old]] : []), ...(externalRef ? [['create', [{ code: EXTERNAL_REF_PREFIX + externalRef }]]] : [])];
}

/** product.product domain: the variants linked to `externalRef`. */
export function externalRefDomain(externalRef: string): Domain {
  return [['identifiers.code', '=', EXTERNAL_REF_PREFIX + externalRef]];
}
