import { z } from 'zod';
import type { Change, ChangePage } from '../ports/common';
import type { WmsStockLevel } from '../ports/wms';
import { changedRows, zChangeRow, type ChangeCursorOptions } from './change-cursor';
import { ALL_RECORDS } from './items';
import { isoFromMicros, zBool, zDatetime, type Domain, type TrytonRpc } from './rpc';
import { findWarehouse, WAREHOUSE_FIELDS, zWarehouse, type Warehouse } from './wms-setup';

/**
 * Stock levels from Tryton: on_hand is product.product's `quantity` with the warehouse as the
 * location context (its zones and bins included), which counts done moves only.
 *
 * `sequence`: Tryton keeps no version of a computed quantity, so it is derived from the moves
 * of that SKU touching that warehouse (any variant that ever carried the code, so a re-created
 * SKU keeps counting upwards):
 *
 *     sequence = latest last_modified_at of those moves, in ms, × 1000 + (done + 2 × cancelled) mod 1000
 *
 * - A level changes only when a move becomes done, or a done move is cancelled (Tryton can
 *   cancel a done shipment, putting the stock back). Either is a write, which stamps the move,
 *   so the first part grows.
 * - Tryton stamps with the transaction's *start*: two transactions on one SKU that commit in
 *   the other order leave the latest stamp unchanged while the level changes. The count breaks
 *   that tie: every level-changing transition raises done + 2 × cancelled by one (draft → done
 *   +1, done → cancelled −1 + 2).
 * - It does not go backwards, except when a person deletes the newest draft or cancelled move,
 *   which changes no quantity: the level read with the lower number is the same level.
 * - The move count is read before the quantity (separate requests, each its own transaction),
 *   so a change in between pairs the old number with the new quantity, never the reverse: the
 *   next read carries the new number and the same quantity.
 * An id would not do: a move's id is given when it is planned, not when it is done.
 */
const zVariant = z.object({ id: z.number().int(), active: zBool, create_date: zDatetime });
const zQuantity = z.object({ id: z.number().int(), quantity: z.number() });
const zMove = zChangeRow.extend({
  write_uid: z.number().int().nullable(),
  product: z.number().int(),
  from_location: z.number().int(),
  to_location: z.number().int(),
});
const zLocation = z.object({ id: z.number().int(), left: z.number().int(), right: z.number().int() });

/** Level reads of a feed page run a few at a time: each is four requests. */
const LEVEL_READS_AT_ONCE = 4;

export class TrytonStockLevels {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly hubUid: () => Promise<number>,
    private readonly cursor: ChangeCursorOptions,
  ) {}

  /** null when no active product has this code, or there is no warehouse with this code. */
  async get(sku: string, warehouseCode: string): Promise<WmsStockLevel | null> {
    const warehouse = await findWarehouse(this.rpc, warehouseCode);
    return warehouse ? this.level(sku, warehouse) : null;
  }

  async level(sku: string, warehouse: Warehouse): Promise<WmsStockLevel | null> {
    const variants = await this.rpc.model('product.product').searchRead(zVariant, [['code', '=', sku]], ['active', 'create_date'], { context: ALL_RECORDS });
    const live = variants.find((v) => v.active);
    if (!live) return null;
    const moves = this.rpc.model('stock.move');
    const touching: Domain = [
      ['product', 'in', variants.map((v) => v.id)],
      ['OR', ['from_location', 'child_of', [warehouse.id], 'parent'], ['to_location', 'child_of', [warehouse.id], 'parent']],
    ];
    const [latest, done, cancelled] = await Promise.all([
      moves.searchRead(zChangeRow, touching, ['last_modified_at'], { limit: 1, order: [['last_modified_at', 'DESC'], ['id', 'DESC']] }),
      moves.searchCount([...touching, ['state', '=', 'done']]),
      moves.searchCount([...touching, ['state', '=', 'cancelled']]),
    ]);
    // Only now the quantity: see "read before the quantity" above.
    const [quantity] = await this.rpc.model('product.product').read(zQuantity, [live.id], ['quantity'], { context: { locations: [warehouse.id] } });
    const stamp = latest[0]?.last_modified_at;
    return {
      sku,
      warehouse_code: warehouse.code,
      // Whole units: the port counts pieces, and the hub's products are kept in units.
      on_hand: Math.floor(quantity?.quantity ?? 0),
      sequence: stamp === undefined ? 0 : Math.floor(stamp / 1000) * 1000 + ((done + 2 * cancelled) % 1000),
      updated_at: isoFromMicros(stamp ?? live.create_date),
    };
  }

  /**
   * Done and cancelled moves after the cursor (change-cursor.ts), turned into the levels they
   * touched, each read as it is now (so one entry per SKU and warehouse however many moves a
   * page holds). byHub when every move of the page behind that level was written by the hub.
   * A level of a SKU that is gone (archived) is left out: there is nothing to sync it to.
   */
  async changesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsStockLevel>>> {
    const page = await changedRows(
      this.rpc.model('stock.move'),
      zMove,
      [['state', 'in', ['done', 'cancelled']]],
      ['write_uid', 'product', 'from_location', 'to_location'],
      cursor,
      limit,
      this.cursor,
    );
    if (page.rows.length === 0) return { changes: [], cursor: page.cursor, more: page.more };

    const [warehouses, locations, codes, hubUid] = await Promise.all([
      this.rpc.model('stock.location').searchRead(zWarehouse, [['type', '=', 'warehouse']], ['id', ...WAREHOUSE_FIELDS]),
      this.rpc.model('stock.location').read(zLocation, [...new Set(page.rows.flatMap((m) => [m.from_location, m.to_location]))], ['left', 'right']),
      this.rpc.model('product.product').read(z.object({ id: z.number().int(), code: z.string().nullable() }), [...new Set(page.rows.map((m) => m.product))], ['code']),
      this.hubUid(),
    ]);
    const warehouseOf = new Map(locations.map((l) => [l.id, warehouses.find((w) => w.left <= l.left && l.right <= w.right)]));
    const codeOf = new Map(codes.map((c) => [c.id, c.code]));

    const touched = new Map<string, { sku: string; warehouse: Warehouse; byHub: boolean }>();
    for (const move of page.rows) {
      const sku = codeOf.get(move.product);
      if (!sku) continue;
      for (const location of [move.from_location, move.to_location]) {
        const warehouse = warehouseOf.get(location);
        if (!warehouse) continue;
        const key = JSON.stringify([sku, warehouse.code]);
        const entry = touched.get(key) ?? { sku, warehouse, byHub: true };
        entry.byHub &&= move.write_uid === hubUid;
        touched.set(key, entry);
      }
    }

    const entries = [...touched.values()];
    const changes: Array<Change<WmsStockLevel>> = [];
    for (let i = 0; i < entries.length; i += LEVEL_READS_AT_ONCE) {
      const batch = entries.slice(i, i + LEVEL_READS_AT_ONCE);
      const levels = await Promise.all(batch.map((e) => this.level(e.sku, e.warehouse)));
      levels.forEach((record, k) => {
        if (record) changes.push({ record, byHub: batch[k]!.byHub });
      });
    }
    return { changes, cursor: page.cursor, more: page.more };
  }
}
