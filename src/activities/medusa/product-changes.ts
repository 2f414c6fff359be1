import type Medusa from '@medusajs/js-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { FieldKey, Money, ProductFields } from '../../domain/ownership';
import { SYNCED_MARKER_KEY } from '../../domain/synced-marker';
import { callMedusa } from './client';
import { MedusaProductReader } from './product-reader';
import { isStatus, productSnapshotSchema } from './products';

/**
 * Medusa's side of the product entity (workflows/products/product-entity.ts): read a product as
 * the entity's fields, write the fields other systems own, and set stock levels from the WMS.
 */

// The product-created flow's snapshot plus the subtitle, which the CMS owns.
const productSchema = productSnapshotSchema.extend({ subtitle: z.string().nullable() });

export interface MedusaVariantRef {
  id: string;
  sku: string;
  title: string;
}

export interface MedusaProductFieldsResult {
  fields: ProductFields;
  variants: MedusaVariantRef[];
  /** The product's synced marker (domain/synced-marker.ts) as Medusa holds it. */
  syncedMarker: string | null;
  /**
   * The product-created flow has written its links back (its last step), so ERP, WMS and CMS
   * hold the product. Optional: results recorded before it existed lack it.
   */
  linked?: boolean;
}

/** What the entity asks Medusa to change; only the keys present are written. */
export interface MedusaProductPatch {
  productId: string;
  product: { description?: string | null; subtitle?: string | null; status?: 'published' | 'draft'; metadata?: Record<string, string> };
  prices: Array<{ variantId: string } & Money>;
}

export interface MedusaProductChangeDeps {
  sdk: Medusa;
  /** WMS warehouse code → Medusa stock location id (WMS_WAREHOUSE_LOCATIONS). */
  warehouseLocations: Record<string, string>;
  /** Shared with the product-created flow's activities, so their reads share list calls. */
  reader?: MedusaProductReader;
}

/** Medusa's product as the entity's fields: what each system's copy is compared against. */
function toProductFields(productId: string, product: unknown): MedusaProductFieldsResult {
  const parsed = productSchema.safeParse(product);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Medusa product ${productId} has an unexpected shape: ${z.prettifyError(parsed.error)}`, 'MedusaUnexpectedResponse');
  }
  const p = parsed.data;
  const fields: ProductFields = {
    title: p.title,
    handle: p.handle,
    description: p.description,
    subtitle: p.subtitle,
    // Medusa has no SEO fields of its own; the CMS's SEO copy lives in the product's metadata.
    seo_title: metaString(p.metadata.seo_title),
    seo_description: metaString(p.metadata.seo_description),
  };
  const variants: MedusaVariantRef[] = [];
  for (const v of p.variants) {
    if (!v.sku) continue;
    variants.push({ id: v.id, sku: v.sku, title: v.title });
    const price = v.prices[0];
    fields[`price:${v.sku}` as FieldKey] = price ? { amount: price.amount, currency_code: price.currency_code } : null;
    fields[`status:${v.sku}` as FieldKey] = p.status === 'published' ? 'active' : 'inactive';
  }
  const marker = p.metadata[SYNCED_MARKER_KEY];
  // Products synced before the marker existed have the links without it.
  const linked = typeof marker === 'string' || typeof p.metadata.cms_document_id === 'string';
  return { fields, variants, syncedMarker: typeof marker === 'string' ? marker : null, linked };
}

const metaString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function createMedusaProductChangeActivities(deps: MedusaProductChangeDeps) {
  const { sdk, warehouseLocations } = deps;
  const reader = deps.reader ?? new MedusaProductReader(sdk);
  return {
    /**
     * The product as the entity sees it, or null when Medusa no longer has it. Through the shared
     * reader: a bulk import starts an entity run per product, each reading.
     */
    async medusaReadProductFields(input: { productId: string }): Promise<MedusaProductFieldsResult | null> {
      const found = await reader.read(input.productId);
      return found === null ? null : toProductFields(input.productId, found);
    },

    /** Writes the product-level fields in one update and each changed variant price. */
    async medusaApplyProductFields(input: MedusaProductPatch): Promise<{ written: boolean }> {
      try {
        if (Object.keys(input.product).length > 0) {
          await callMedusa({ method: 'POST', path: `/admin/products/${input.productId}` }, () =>
            sdk.admin.product.update(input.productId, input.product, { fields: 'id' }),
          );
        }
        for (const price of input.prices) {
          await callMedusa({ method: 'POST', path: `/admin/products/${input.productId}/variants/${price.variantId}` }, () =>
            sdk.admin.product.updateVariant(
              input.productId,
              price.variantId,
              { prices: [{ amount: price.amount, currency_code: price.currency_code }] },
              { fields: 'id' },
            ),
          );
        }
      } catch (err) {
        // The product was deleted meanwhile; its product.deleted event will end the entity.
        if (isStatus(err, 404)) return { written: false };
        throw err;
      }
      return { written: true };
    },

    /**
     * Sets the stocked quantity of a SKU at the Medusa stock location mapped to a WMS warehouse,
     * creating the level the first time. Absolute, so a retry or a re-delivery is harmless.
     */
    async medusaSetStockLevel(input: { sku: string; warehouseCode: string; onHand: number }): Promise<{ inventoryItemId: string; locationId: string }> {
      const locationId = warehouseLocations[input.warehouseCode] ?? (await locationByWarehouseCode(sdk, input.warehouseCode));
      const { inventory_items } = await callMedusa({ method: 'GET', path: '/admin/inventory-items' }, () =>
        sdk.admin.inventoryItem.list({ sku: input.sku, fields: 'id', limit: 1 }),
      );
      const item = inventory_items[0];
      if (!item) {
        throw ApplicationFailure.nonRetryable(`Medusa has no inventory item for SKU ${input.sku}`, 'MedusaUnknownSku', { sku: input.sku });
      }
      const { inventory_levels } = await callMedusa({ method: 'GET', path: `/admin/inventory-items/${item.id}/location-levels` }, () =>
        sdk.admin.inventoryItem.listLevels(item.id, { location_id: locationId, fields: 'id,location_id,stocked_quantity' }),
      );
      if (inventory_levels.some((l) => l.location_id === locationId)) {
        await callMedusa({ method: 'POST', path: `/admin/inventory-items/${item.id}/location-levels/${locationId}` }, () =>
          sdk.admin.inventoryItem.updateLevel(item.id, locationId, { stocked_quantity: input.onHand }),
        );
      } else {
        await callMedusa({ method: 'POST', path: `/admin/inventory-items/${item.id}/location-levels/batch` }, () =>
          sdk.admin.inventoryItem.batchInventoryItemLocationLevels(item.id, { create: [{ location_id: locationId, stocked_quantity: input.onHand }] }),
        );
      }
      return { inventoryItemId: item.id, locationId };
    },
  };
}

export type MedusaProductChangeActivities = ReturnType<typeof createMedusaProductChangeActivities>;

/**
 * Fallback when WMS_WAREHOUSE_LOCATIONS does not name the warehouse: a stock location that says
 * which warehouse it is in its metadata (`wms_warehouse_code`), so a location added in Medusa's
 * admin is mapped without restarting the workers.
 */
async function locationByWarehouseCode(sdk: Medusa, code: string): Promise<string> {
  const { stock_locations } = await callMedusa({ method: 'GET', path: '/admin/stock-locations' }, () =>
    sdk.admin.stockLocation.list({ fields: 'id,metadata', limit: 500 }),
  );
  const match = stock_locations.find((l) => (l.metadata as Record<string, unknown> | null | undefined)?.wms_warehouse_code === code);
  if (!match) {
    throw ApplicationFailure.nonRetryable(
      `no Medusa stock location is mapped to WMS warehouse ${code}: add it to WMS_WAREHOUSE_LOCATIONS or set metadata.wms_warehouse_code on the location`,
      'UnmappedWarehouse',
      { warehouseCode: code },
    );
  }
  return match.id;
}

