import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
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
