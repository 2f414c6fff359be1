import type Medusa from '@medusajs/js-sdk';

/**
 * What a Medusa store needs before it can take an order the hub fulfils: a region that can be
 * paid in (the system payment provider), a tax region, a stock location that ships through the
 * manual fulfilment provider, a shipping fulfilment set with a service zone, and a shipping option
 * in it. Medusa's migration creates none of these.
 *
 * Everything is found by its name first, so a second start (or a start after a crash halfway)
 * creates only what is missing. Only our own local Medusa is set up this way; someone else's store
 * is looked up by the same names and left alone.
 */
export const COMMERCE_NAMES = {
  region: 'Hub Europe',
  stockLocation: 'Hub warehouse',
  fulfillmentSet: 'Hub warehouse shipping',
  serviceZone: 'Hub Europe zone',
  shippingOption: 'Hub standard shipping',
} as const;

/** Countries the region and the service zone cover; the tests and scripts ship to Germany. */
const COUNTRIES = ['de', 'fr', 'nl', 'at'];
const CURRENCY = 'eur';
const PAYMENT_PROVIDER = 'pp_system_default';
const TAX_PROVIDER = 'tp_system';
const FULFILLMENT_PROVIDER = 'manual_manual';

export interface CommerceSetup {
  regionId: string;
  stockLocationId: string;
  shippingOptionId: string;
}

export async function ensureOrderCommerce(
  sdk: Medusa,
  ids: { salesChannelId: string; shippingProfileId: string },
  mayCreate: boolean,
): Promise<Partial<CommerceSetup>> {
  const regionId = await ensureRegion(sdk, mayCreate);
  if (mayCreate) await ensureTaxRegions(sdk);
  const location = await ensureStockLocation(sdk, ids.salesChannelId, mayCreate);
  const shippingOptionId = location?.serviceZoneId
    ? await ensureShippingOption(sdk, location.serviceZoneId, ids.shippingProfileId, mayCreate)
    : undefined;
  return { regionId, stockLocationId: location?.id, shippingOptionId };
}

async function ensureRegion(sdk: Medusa, mayCreate: boolean): Promise<string | undefined> {
  const { regions } = await sdk.admin.region.list({ q: COMMERCE_NAMES.region, fields: 'id,name', limit: 20 });
  const found = regions.find((r) => r.name === COMMERCE_NAMES.region);
  if (found || !mayCreate) return found?.id;
  const { region } = await sdk.admin.region.create({
    name: COMMERCE_NAMES.region,
    currency_code: CURRENCY,
    countries: COUNTRIES,
    payment_providers: [PAYMENT_PROVIDER],
    automatic_taxes: true,
  });
  return region.id;
}

async function ensureTaxRegions(sdk: Medusa): Promise<void> {
  const { tax_regions } = await sdk.admin.taxRegion.list({ fields: 'id,country_code,parent_id', limit: 200 });
  const have = new Set(tax_regions.filter((t) => !t.parent_id).map((t) => t.country_code));
  for (const country of COUNTRIES) {
    if (!have.has(country)) await sdk.admin.taxRegion.create({ country_code: country, provider_id: TAX_PROVIDER });
  }
}

async function ensureStockLocation(
  sdk: Medusa,
  salesChannelId: string,
  mayCreate: boolean,
): Promise<{ id: string; serviceZoneId?: string } | undefined> {
  const read = async () => {
    const { stock_locations } = await sdk.admin.stockLocation.list({
      q: COMMERCE_NAMES.stockLocation,
      fields: 'id,name,*fulfillment_providers,*fulfillment_sets,*fulfillment_sets.service_zones,*sales_channels',
      limit: 20,
    });
    return stock_locations.find((l) => l.name === COMMERCE_NAMES.stockLocation);
  };
  let location = await read();
  if (!mayCreate) {
    const zone = location?.fulfillment_sets?.flatMap((s) => s.service_zones ?? []).find((z) => z.name === COMMERCE_NAMES.serviceZone);
    return location ? { id: location.id, serviceZoneId: zone?.id } : undefined;
  }
  if (!location) {
    await sdk.admin.stockLocation.create({ name: COMMERCE_NAMES.stockLocation, address: { address_1: 'Lagerstraße 1', city: 'Berlin', country_code: 'de' } });
    location = await read();
    if (!location) throw new Error(`stock location "${COMMERCE_NAMES.stockLocation}" was created but cannot be found`);
  }
  const id = location.id;
  if (!location.fulfillment_providers?.some((p) => p.id === FULFILLMENT_PROVIDER)) {
    await sdk.admin.stockLocation.updateFulfillmentProviders(id, { add: [FULFILLMENT_PROVIDER] });
  }
  if (!location.sales_channels?.some((c) => c.id === salesChannelId)) {
    await sdk.admin.stockLocation.updateSalesChannels(id, { add: [salesChannelId] });
  }
  let set = location.fulfillment_sets?.find((s) => s.name === COMMERCE_NAMES.fulfillmentSet);
  if (!set) {
    await sdk.admin.stockLocation.createFulfillmentSet(id, { name: COMMERCE_NAMES.fulfillmentSet, type: 'shipping' });
    set = (await read())?.fulfillment_sets?.find((s) => s.name === COMMERCE_NAMES.fulfillmentSet);
    if (!set) throw new Error(`fulfilment set "${COMMERCE_NAMES.fulfillmentSet}" was created but cannot be found`);
  }
  let zone = set.service_zones?.find((z) => z.name === COMMERCE_NAMES.serviceZone);
  if (!zone) {
    const { fulfillment_set } = await sdk.admin.fulfillmentSet.createServiceZone(set.id, {
      name: COMMERCE_NAMES.serviceZone,
      geo_zones: COUNTRIES.map((country_code) => ({ type: 'country' as const, country_code })),
    });
    zone = fulfillment_set.service_zones?.find((z) => z.name === COMMERCE_NAMES.serviceZone);
    if (!zone) throw new Error(`service zone "${COMMERCE_NAMES.serviceZone}" was created but cannot be found`);
  }
  return { id, serviceZoneId: zone.id };
}

async function ensureShippingOption(sdk: Medusa, serviceZoneId: string, shippingProfileId: string, mayCreate: boolean): Promise<string | undefined> {
  const { shipping_options } = await sdk.admin.shippingOption.list({ service_zone_id: serviceZoneId, fields: 'id,name', limit: 50 });
  const found = shipping_options.find((o) => o.name === COMMERCE_NAMES.shippingOption);
  if (found || !mayCreate) return found?.id;
  const { shipping_option } = await sdk.admin.shippingOption.create({
    name: COMMERCE_NAMES.shippingOption,
    service_zone_id: serviceZoneId,
    shipping_profile_id: shippingProfileId,
    provider_id: FULFILLMENT_PROVIDER,
    price_type: 'flat',
    type: { label: 'Standard', description: 'Ships from the hub warehouse', code: 'standard' },
    prices: [{ currency_code: CURRENCY, amount: 500 }],
    rules: [
      { attribute: 'enabled_in_store', operator: 'eq', value: 'true' },
      { attribute: 'is_return', operator: 'eq', value: 'false' },
    ],
  });
  return shipping_option.id;
}

/**
 * Points the hub's stock location at a WMS warehouse (metadata.wms_warehouse_code, by which the
 * stock flow finds the Medusa location of a warehouse), so the WMS's counts land where the store
 * sells from. For our own local Medusa only; written only when it differs, so a restart changes
 * nothing. Returns whether it wrote.
 */
export async function mapStockLocationToWarehouse(sdk: Medusa, locationId: string, warehouseCode: string): Promise<boolean> {
  const { stock_location } = await sdk.admin.stockLocation.retrieve(locationId, { fields: 'id,metadata' });
  if (stock_location.metadata?.wms_warehouse_code === warehouseCode) return false;
  await sdk.admin.stockLocation.update(locationId, { metadata: { ...stock_location.metadata, wms_warehouse_code: warehouseCode } });
  return true;
}

/** The ids as the stack exports them (stack.env, tests, scripts); a missing one is left out. */
export function orderCommerceEnv(setup: Partial<CommerceSetup>): Record<string, string> {
  const env: Record<string, string> = {};
  if (setup.regionId) env.MEDUSA_REGION_ID = setup.regionId;
  if (setup.stockLocationId) env.MEDUSA_STOCK_LOCATION_ID = setup.stockLocationId;
  if (setup.shippingOptionId) env.MEDUSA_SHIPPING_OPTION_ID = setup.shippingOptionId;
  return env;
}

/**
 * A draft order of one of each SKU, shipped to a test address in Germany with the hub's shipping
 * option; SKUs without stock at the hub's warehouse get 100 there first. For the local stack's
 * scripts and tests: it is how an admin places an order by hand.
 */
export async function draftOrderForSkus(sdk: Medusa, ids: { regionId: string; salesChannelId: string; stockLocationId: string; shippingOptionId: string }, skus: string[]): Promise<string> {
  const { inventory_items } = await sdk.admin.inventoryItem.list({ sku: skus, fields: 'id,sku,location_levels.location_id', limit: skus.length });
  const unknown = skus.filter((s) => !inventory_items.some((i) => i.sku === s));
  if (unknown.length > 0) throw new Error(`no product variant with SKU ${unknown.join(', ')}`);
  const unstocked = inventory_items.filter((i) => !i.location_levels?.some((l) => l.location_id === ids.stockLocationId));
  if (unstocked.length > 0) {
    await sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({
      create: unstocked.map((i) => ({ inventory_item_id: i.id, location_id: ids.stockLocationId, stocked_quantity: 100 })),
    });
  }
  const { variants } = await sdk.admin.productVariant.list({ sku: skus, fields: 'id,sku', limit: skus.length });
  const address = { first_name: 'Erika', last_name: 'Muster', address_1: 'Teststraße 1', city: 'Berlin', postal_code: '10115', country_code: 'de' };
  const { draft_order } = await sdk.admin.draftOrder.create({
    region_id: ids.regionId,
    sales_channel_id: ids.salesChannelId,
    email: 'erika@example.com',
    // By variant id: Medusa prices a draft's line from its variant, and does not look one up by SKU.
    items: variants.map((v) => ({ variant_id: v.id, quantity: 1 })),
    shipping_address: address,
    billing_address: address,
    // Medusa's validator wants a name and an amount too, which the SDK's type leaves out.
    shipping_methods: [{ shipping_option_id: ids.shippingOptionId, ...{ name: 'Standard', amount: 5 } }],
  });
  return draft_order.id;
}
