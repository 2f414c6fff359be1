import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * The search attributes runs carry, so an operator finds them in the Web UI
 * (e.g. `MedusaProductId = "prod_…"` or `Sku IN ("SHIRT-S")`). They are not encrypted by the
 * payload codec: ids and SKUs only, never names, emails or addresses.
 * temporal-dev.yml registers the same names; a test keeps the two in step.
 */
export const SA = {
  flow: defineSearchAttributeKey('HubFlow', 'KEYWORD'),
  source: defineSearchAttributeKey('HubSource', 'KEYWORD'),
  medusaProductId: defineSearchAttributeKey('MedusaProductId', 'KEYWORD'),
  sku: defineSearchAttributeKey('Sku', 'KEYWORD_LIST'),
  medusaOrderId: defineSearchAttributeKey('MedusaOrderId', 'KEYWORD'),
} as const;
