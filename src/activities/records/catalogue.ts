import { forEachItem, type BatchResult } from '../catalog/batch';
import type { Page } from '../ports/common';
import type { CreateSkuRecordInput, DeleteSkuRecordInput, SkuRecord } from './sku-records';

/**
 * What reading and bulk-writing a SaaS catalogue (ERP items, WMS SKUs) have in common. Each
 * system's catalog.ts names its activities and supplies the calls; the writes reuse the saga's
 * do/undo activities (erpCreateItem, wmsDeleteSku, …), so a backfill treats "409 with our
 * external_ref" as "already there" exactly as a single product sync does.
 */

/** A record reduced to what reconciliation compares: SKU, owner and the one text field we write. */
export interface CatalogueRecord {
  sku: string;
  externalRef: string | null;
  /** ERP item name or WMS SKU description. */
  text: string;
}

export interface CataloguePageInput {
  cursor: string | null;
  limit: number;
  skuPrefix?: string;
}

export interface CataloguePage {
  records: CatalogueRecord[];
  nextCursor: string | null;
}

export interface TextUpdate {
  sku: string;
  text: string;
}

/** One system's side: its list, its text field, and its saga do/undo activities for one record. */
export interface SkuCatalogueSystem<R extends SkuRecord, I extends CreateSkuRecordInput> {
  system: string;
  list(q: { limit: number; cursor?: string }): Promise<Page<R>>;
  text(record: R): string;
  create(input: I): Promise<unknown>;
  delete(input: DeleteSkuRecordInput): Promise<unknown>;
  findBySku(sku: string): Promise<R | null>;
  updateText(record: R, text: string): Promise<unknown>;
}

/** The catalogue activities of one SKU-keyed system; each system's catalog.ts names them. */
export function skuCatalogue<R extends SkuRecord, I extends CreateSkuRecordInput>(sys: SkuCatalogueSystem<R, I>) {
  return {
    async listPage(input: CataloguePageInput): Promise<CataloguePage> {
      const page = await sys.list({ limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) });
      const prefix = input.skuPrefix;
      return {
        records: page.data.filter((r) => !prefix || r.sku.startsWith(prefix)).map((r) => ({ sku: r.sku, externalRef: r.external_ref, text: sys.text(r) })),
        nextCursor: page.next_cursor,
      };
    },

    /** Creates each record unless the SKU already carries our external_ref (then it is already there). */
    upsert(input: { items: I[]; concurrency: number }): Promise<BatchResult> {
      return forEachItem(input.items, { concurrency: input.concurrency, key: (i) => i.sku }, async (i) => {
        await sys.create(i);
      });
    },

    /** Rewrites the text field of records found by SKU; a record that is gone is a failed item. */
    updateTexts(input: { items: TextUpdate[]; concurrency: number }): Promise<BatchResult> {
      return forEachItem(input.items, { concurrency: input.concurrency, key: (i) => i.sku }, async (i) => {
        const record = await sys.findBySku(i.sku);
        if (!record) throw new Error(`${sys.system} has no record for sku ${i.sku}`);
        await sys.updateText(record, i.text);
      });
    },

    /** Deletes only records whose external_ref is ours (the saga's undo); someone else's stay. */
    delete(input: { items: DeleteSkuRecordInput[]; concurrency: number }): Promise<BatchResult> {
      return forEachItem(input.items, { concurrency: input.concurrency, key: (i) => i.sku }, async (i) => {
        await sys.delete(i);
      });
    },
  };
}
