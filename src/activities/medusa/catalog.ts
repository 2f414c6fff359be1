import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { forEachItem, type ItemFailure } from '../catalog/batch';
import { callMedusa } from './client';

/**
 * Reading Medusa's catalogue page by page, for backfills and reconciliation. Reads are cheap in
 * Medusa (about 700 products/s in pages of 100), so a page carries only what the other systems
 * are derived from, to keep workflow histories small.
 */

export interface CatalogVariant {
  sku: string | null;
  title: string;
  price: { amount: number; currency_code: string } | null;
}

export interface CatalogProduct {
  id: string;
  title: string;
  handle: string;
  description: string | null;
  variants: CatalogVariant[];
}

export interface MedusaCataloguePage {
  products: CatalogProduct[];
  /** Products this page looked at, including those the SKU prefix left out (for progress). */
  scanned: number;
  /** Offset of the next page; null at the end. */
  nextOffset: number | null;
  /** Products in Medusa matching the query, for progress and ETA. */
  total: number;
}

export interface MedusaCataloguePageInput {
  offset: number;
  limit: number;
  /** Only products updated at or after this instant (ISO 8601). */
  since?: string;
  /** Only products with a variant SKU starting with this (scopes a run to part of the catalogue). */
  skuPrefix?: string;
  /** Only these products (a retry of failed items). */
  ids?: string[];
}

const pageSchema = z.object({
  count: z.number().int(),
  products: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      handle: z.string(),
      description: z.string().nullable(),
      variants: z
        .array(
          z.object({
            sku: z.string().nullable(),
            title: z.string(),
            prices: z.array(z.object({ amount: z.number(), currency_code: z.string() })).nullable().optional(),
          }),
        )
        .nullable(),
    }),
  ),
});

const FIELDS = 'id,title,handle,description,variants.sku,variants.title,variants.prices.amount,variants.prices.currency_code';

export function createMedusaCatalogActivities(sdk: Medusa) {
  return {
    async medusaListProductsPage(input: MedusaCataloguePageInput): Promise<MedusaCataloguePage> {
      const query = {
        fields: FIELDS,
        limit: input.limit,
        offset: input.offset,
        // Ordered by id (Medusa ids grow with time), so a page boundary stays put while products
        // are added during the run; new ones land at the end and are still seen.
        order: 'id',
        ...(input.since ? { updated_at: { $gte: input.since } } : {}),
        ...(input.ids ? { id: input.ids } : {}),
      };
      const body = await callMedusa({ method: 'GET', path: '/admin/products' }, () => sdk.admin.product.list(query));
      const parsed = pageSchema.safeParse(body);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(`Medusa product list has an unexpected shape: ${z.prettifyError(parsed.error)}`, 'MedusaUnexpectedResponse');
      }
      const { count, products } = parsed.data;
      const mapped = products.map(
        (p): CatalogProduct => ({
          id: p.id,
          title: p.title,
          handle: p.handle,
          description: p.description,
          variants: (p.variants ?? []).map((v) => {
            const price = v.prices?.[0];
            return { sku: v.sku, title: v.title, price: price ? { amount: price.amount, currency_code: price.currency_code } : null };
          }),
        }),
      );
      const prefix = input.skuPrefix;
      const end = input.offset + products.length;
      return {
        products: prefix ? mapped.filter((p) => p.variants.some((v) => v.sku?.startsWith(prefix))) : mapped,
        scanned: products.length,
        nextOffset: products.length < input.limit || end >= count ? null : end,
        total: count,
      };
    },
  };
}

export type MedusaCatalogActivities = ReturnType<typeof createMedusaCatalogActivities>;

/** A product to create in Medusa from one source record (e.g. an ERP item): one variant, one SKU. */
export interface ImportProduct {
  sku: string;
  title: string;
  /** In Medusa's major units. */
  price: { amount: number; currency_code: string } | null;
  published: boolean;
}

export interface ImportDefaults {
  /** Sales channel and shipping profile new products get; looked up once when not configured. */
  salesChannelId?: string;
  shippingProfileId?: string;
}

const variantsBySkuSchema = z.object({ variants: z.array(z.object({ sku: z.string().nullable(), product_id: z.string() })) });
const createdSchema = z.object({ created: z.array(z.object({ id: z.string(), variants: z.array(z.object({ sku: z.string().nullable() })).nullable() })) });
const idList = z.object({ id: z.string() });

/** Handles must be unique in Medusa; the SKU is unique in the source, so the handle follows it. */
const handleOf = (sku: string): string => `sku-${sku.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;

/** Creating products in Medusa from another system's catalogue, upserted by SKU. */
export function createMedusaImportActivities(sdk: Medusa, defaults: ImportDefaults = {}) {
  let resolved: Promise<Required<ImportDefaults>> | undefined;
  const lookUpDefaults = async (): Promise<Required<ImportDefaults>> => {
    const salesChannelId =
      defaults.salesChannelId ??
      z.object({ stores: z.array(z.object({ default_sales_channel_id: z.string() })).min(1) }).parse(
        await callMedusa({ method: 'GET', path: '/admin/stores' }, () => sdk.admin.store.list({ fields: 'default_sales_channel_id' })),
      ).stores[0]!.default_sales_channel_id;
    const shippingProfileId =
      defaults.shippingProfileId ??
      z.object({ shipping_profiles: z.array(idList).min(1) }).parse(
        await callMedusa({ method: 'GET', path: '/admin/shipping-profiles' }, () => sdk.admin.shippingProfile.list({ type: 'default', fields: 'id' })),
      ).shipping_profiles[0]!.id;
    return { salesChannelId, shippingProfileId };
  };

  const findProductsBySku = async (skus: string[]): Promise<Record<string, string>> => {
    if (skus.length === 0) return {};
    const body = await callMedusa({ method: 'GET', path: '/admin/product-variants' }, () =>
      sdk.admin.productVariant.list({ sku: skus, fields: 'sku,product_id', limit: skus.length }),
    );
    const parsed = variantsBySkuSchema.safeParse(body);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`Medusa variant list has an unexpected shape: ${z.prettifyError(parsed.error)}`, 'MedusaUnexpectedResponse');
    return Object.fromEntries(parsed.data.variants.flatMap((v) => (v.sku ? [[v.sku, v.product_id]] : [])));
  };

  return {
    /** The Medusa product that holds each SKU, for the SKUs that Medusa has (the upsert's lookup). */
    medusaFindProductsBySku: (input: { skus: string[] }): Promise<Record<string, string>> => findProductsBySku(input.skus),

    /**
     * Creates the products in one batch call (one-at-a-time creates manage a few per second,
     * a batch dozens). Medusa validates a batch as a whole, so if it refuses one (a handle taken
     * by another product, say), the batch is split into single creates to find which product is
     * bad: that one is a failed item, the others are created.
     */
    async medusaCreateProducts(input: { products: ImportProduct[]; concurrency: number }): Promise<{ created: Record<string, string>; failed: ItemFailure[] }> {
      resolved ??= lookUpDefaults();
      const { salesChannelId, shippingProfileId } = await resolved.catch((err: unknown) => {
        resolved = undefined;
        throw err;
      });
      const toCreate = (p: ImportProduct) => ({
        title: p.title,
        handle: handleOf(p.sku),
        status: p.published ? ('published' as const) : ('draft' as const),
        shipping_profile_id: shippingProfileId,
        sales_channels: [{ id: salesChannelId }],
        options: [{ title: 'Default', values: ['Default'] }],
        variants: [{ title: p.title, sku: p.sku, options: { Default: 'Default' }, prices: p.price ? [p.price] : [] }],
      });
      // Looked up again here, not only by the caller: a retry after a batch whose response was
      // lost (or whose worker died) must not create its products twice.
      const existing = await findProductsBySku(input.products.map((p) => p.sku));
      const missing = input.products.filter((p) => !existing[p.sku]);
      if (missing.length === 0) return { created: existing, failed: [] };
      const create = async (products: ImportProduct[]): Promise<Record<string, string>> => {
        const body = await callMedusa({ method: 'POST', path: '/admin/products/batch' }, () =>
          sdk.admin.product.batch({ create: products.map(toCreate) }, { fields: 'id,variants.sku' }),
        );
        const { created } = createdSchema.parse(body);
        return Object.fromEntries(created.flatMap((p) => (p.variants ?? []).flatMap((v) => (v.sku ? [[v.sku, p.id]] : []))));
      };
      try {
        return { created: { ...existing, ...(await create(missing)) }, failed: [] };
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.nonRetryable) || missing.length === 1) throw err;
      }
      const created: Record<string, string> = { ...existing };
      const result = await forEachItem(missing, { concurrency: input.concurrency, key: (p) => p.sku }, async (p) => {
        Object.assign(created, await create([p]));
      });
      return { created, failed: result.failed };
    },
  };
}

export type MedusaImportActivities = ReturnType<typeof createMedusaImportActivities>;
