import { z } from 'zod';
import { TrytonUserWarning, zBool, type TrytonRpc } from './rpc';

/**
 * Retiring a product variant the way both Tryton databases need it: archived, never deleted
 * (Tryton keeps its moves and history, and a deleted record's audit entries lose their link).
 * The variant's own flag is what frees its code (the unique constraint looks only at it), and
 * its template is archived with it when no other active variant is left on it, in one write.
 *
 * Tryton warns before archiving a product that still has stock. In the WMS that stock is the
 * warehouse's to clear (a SKU Medusa no longer sells), in the ERP it is the booking of shipped
 * sales; neither is a reason to keep selling, so the hub acknowledges that one warning and
 * writes again. Any other warning fails the call.
 */
export async function archiveVariant(rpc: TrytonRpc, variant: { id: number; templateId: number }): Promise<void> {
  const products = rpc.model('product.product');
  const siblings = await products.searchRead(z.object({ id: z.number().int(), active: zBool }), [['template', '=', variant.templateId], ['id', '!=', variant.id]], ['id', 'active'], {
    context: { active_test: false },
  });
  const write = () =>
    siblings.some((s) => s.active)
      ? products.write([variant.id], { active: false })
      : rpc.model('product.template').write([variant.templateId], { active: false, products: [['write', [variant.id], { active: false }]] });
  await acknowledgingStockWarning(rpc, write);
}

/**
 * Runs `write`; on Tryton's "archive a product with stock?" warning, acknowledges it and writes
 * again. Tryton warns once per record (a template write that archives its variant too warns
 * for the template, then for the variant), so a few rounds may be needed.
 */
export async function acknowledgingStockWarning(rpc: TrytonRpc, write: () => Promise<void>): Promise<void> {
  for (let acknowledged = 0; ; acknowledged++) {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof TrytonUserWarning && err.warningName.endsWith('.deactivate_product_with_stock')) || acknowledged >= 4) throw err;
      await rpc.acknowledgeWarning(err);
    }
  }
}
