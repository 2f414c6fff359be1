/**
 * Which system owns which product field: the one place that decides it. The product entity
 * (product-entity.ts) applies a change only to the fields its source owns, then writes those
 * fields to the systems that hold a copy. README.md shows the same table; keep them in step.
 *
 * Workflow-safe: plain data and pure functions only.
 */

export type ProductSource = 'medusa' | 'erp' | 'cms';

/**
 * A product field. Per-variant fields are keyed by SKU (`price:SHIRT-S`), because the ERP keeps
 * one item per SKU and reports each on its own.
 */
export type FieldKey = 'title' | 'handle' | 'description' | 'subtitle' | 'seo_title' | 'seo_description' | `price:${string}` | `status:${string}`;

export interface Money {
  amount: number;
  currency_code: string;
}

export type FieldValue = string | null | Money;

export type ProductFields = Partial<Record<FieldKey, FieldValue>>;

/**
 * The owners, with why:
 * - title, handle: Medusa. The storefront is where products are named and their URLs live; ERP
 *   item names are often internal and the CMS mirrors what the shop shows.
 * - description, subtitle, SEO copy: the CMS. Editors write copy there, with review.
 * - price, status (per SKU): the ERP. Prices and whether an item may be sold are back-office
 *   decisions, and the ERP is the book of record for them.
 */
export const FIELD_OWNERS = {
  title: 'medusa',
  handle: 'medusa',
  description: 'cms',
  subtitle: 'cms',
  seo_title: 'cms',
  seo_description: 'cms',
  price: 'erp',
  status: 'erp',
} as const satisfies Record<string, ProductSource>;

type FieldName = keyof typeof FIELD_OWNERS;

const fieldName = (key: string): FieldName | undefined => {
  const name = key.split(':', 1)[0] ?? '';
  return Object.hasOwn(FIELD_OWNERS, name) ? (name as FieldName) : undefined;
};

export const ownerOf = (key: string): ProductSource | undefined => {
  const name = fieldName(key);
  return name ? FIELD_OWNERS[name] : undefined;
};

/** The fields of a change its source owns; the rest is dropped, so a non-owner never wins a field. */
export function ownedBy(source: ProductSource, fields: ProductFields): ProductFields {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => ownerOf(k) === source)) as ProductFields;
}

/** Values are built field by field in a fixed order, so JSON equality is value equality. */
export const sameValue = (a: FieldValue | undefined, b: FieldValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields of `next` whose value differs from `current`: what actually changed. */
export function changedFields(current: ProductFields, next: ProductFields): ProductFields {
  return Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameValue(current[k as FieldKey], v))) as ProductFields;
}

/** Where each field is copied to, besides its owner. */
export const FIELD_TARGETS: Record<FieldName, ReadonlyArray<'medusa' | 'erp' | 'wms' | 'cms'>> = {
  title: ['erp', 'wms', 'cms'],
  handle: ['cms'],
  description: ['medusa'],
  subtitle: ['medusa'],
  seo_title: ['medusa'],
  seo_description: ['medusa'],
  price: ['medusa'],
  status: ['medusa'],
};

export const targetsOf = (key: string): ReadonlyArray<'medusa' | 'erp' | 'wms' | 'cms'> => {
  const name = fieldName(key);
  return name ? FIELD_TARGETS[name] : [];
};

/** The SKU of a per-variant key (`price:SKU` → `SKU`), else undefined. */
export const skuOf = (key: string): string | undefined => (key.includes(':') ? key.slice(key.indexOf(':') + 1) : undefined);
