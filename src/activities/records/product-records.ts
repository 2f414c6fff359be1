import type { WriteOptions } from '../ports/common';

/**
 * What the product entity does to the ERP's items and the WMS's SKUs of one product: rename
 * them, and retire them when the product is deleted in Medusa. Shared by both systems (they
 * key records by SKU and mark ours with external_ref = the Medusa product id).
 */
export interface ProductRecord {
  id: string;
  sku: string;
  external_ref: string | null;
}

export interface ProductRecordSystem<R extends ProductRecord> {
  findBySku(sku: string): Promise<R | null>;
  listByExternalRef(externalRef: string): Promise<R[]>;
  /** The record's current text for the field the entity writes (ERP name, WMS description). */
  text(record: R): string;
  setText(id: string, text: string, opts: WriteOptions): Promise<unknown>;
}

export interface SetProductTextsInput {
  productId: string;
  /** SKU → the text to write. */
  texts: Record<string, string>;
  /** Per-change prefix; the SKU is appended, so one key names one record's write. */
  idempotencyKey: string;
  origin: string;
}

export function productRecordWrites<R extends ProductRecord>(sys: ProductRecordSystem<R>) {
  return {
    /**
     * Writes each SKU's text, skipping records that already hold it (a retry, or a value that
     * never changed there) and records that are not ours. Returns how many records it wrote.
     */
    async setTexts(input: SetProductTextsInput): Promise<{ written: number }> {
      let written = 0;
      for (const [sku, text] of Object.entries(input.texts)) {
        const record = await sys.findBySku(sku);
        if (!record || record.external_ref !== input.productId || sys.text(record) === text) continue;
        await sys.setText(record.id, text, { idempotencyKey: `${input.idempotencyKey}/${sku}`, origin: input.origin });
        written++;
      }
      return { written };
    },

    /** Every record of the product (external_ref = the Medusa product id). */
    async ofProduct(productId: string): Promise<R[]> {
      return sys.listByExternalRef(productId);
    },
  };
}
