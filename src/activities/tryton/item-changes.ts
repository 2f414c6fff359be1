import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Change, ChangePage } from '../ports/common';
import type { ErpItem } from '../ports/erp';
import type { ErpSetup } from './erp-setup';
import { ALL_RECORDS, itemVersion, lastChange, toItem, type TrytonItems, type VariantRow } from './items';
import { datetimeFromMicros, zDatetime, type Domain, type TrytonRpc } from './rpc';

/**
 * The ERP's item changes, polled (Tryton has no webhooks). An item changes when its variant or
 * its template is created or written; Tryton stamps each with its transaction's time, and a
 * template write leaves the variant's stamp alone, so both models are read, by
 * last_modified_at (write_date, or create_date until the first write).
 *
 * A change is the item as it is now, at its version (the latest stamp of template and variant),
 * and the cursor is (version, variant id) of the last change handed out: strictly increasing,
 * so a poll that dies after any page asks again from the last cursor it kept and nothing is
 * skipped or handed out twice.
 *
 * Two things make a naive "write_date > cursor" skip changes, and are handled here:
 * - Many records share one stamp (a batched create is one transaction). A page that ends inside
 *   such a group reads the rest of the group, so a page boundary never splits a timestamp.
 * - A stamp is the transaction's start, and a transaction commits later: a change stamped
 *   before the cursor could become visible after the cursor moved past it. The feed reads only
 *   up to Tryton's clock minus `settleMs`, so a write is missed only if its transaction runs
 *   longer than that (Tryton's own requests take well under a second; a long import as a
 *   person's batch job is the case to size it for).
 *
 * byHub: the hub writes as its own Tryton user, so a change is its echo when every record stamp
 * after the cursor is the hub's and ir.model.log (Tryton's audit log of every write) shows no
 * write by anyone else in between; a person's price change followed by a hub rename is not
 * taken for an echo.
 */
const MAX_ID = Number.MAX_SAFE_INTEGER;
const DEFAULT_SETTLE_MS = 3_000;

interface Cursor {
  at: number;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return `${c.at}:${c.id}`;
}

function decodeCursor(cursor: string | null): Cursor {
  if (cursor === null) return { at: 0, id: 0 };
  const m = /^(\d+):(\d+)$/.exec(cursor);
  if (!m) throw ApplicationFailure.nonRetryable(`not a Tryton item-change cursor: ${JSON.stringify(cursor)}`, 'TrytonBadCursor');
  return { at: Number(m[1]), id: Number(m[2]) };
}

const stampRow = z.object({ id: z.number().int(), last_modified_at: zDatetime });
type StampRow = z.infer<typeof stampRow>;

const after = (a: Cursor, b: Cursor): boolean => a.at > b.at || (a.at === b.at && a.id > b.id);

export class TrytonItemChanges {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly setup: () => Promise<ErpSetup>,
    private readonly items: TrytonItems,
    private readonly settleMs = DEFAULT_SETTLE_MS,
  ) {}

  async since(cursorText: string | null, limit: number): Promise<ChangePage<Change<ErpItem>>> {
    const from = decodeCursor(cursorText);
    const unchanged = { changes: [], cursor: cursorText ?? encodeCursor(from), more: false };
    const settled = ((await this.rpc.serverTime()) - this.settleMs) * 1000;
    if (settled <= from.at) return unchanged;

    // Every stamp in (from, settled], about `limit` per model; `complete` is how far both
    // models are known to be read in full.
    const templates = await this.part('product.template', from, settled, limit);
    const variants = await this.part('product.product', from, settled, limit);
    const complete = Math.min(templates.complete, variants.complete);
    const touched = (r: StampRow) => r.last_modified_at <= complete;
    const templateIds = [...new Set(templates.rows.filter(touched).map((t) => t.id))];
    const variantIds = new Set(variants.rows.filter(touched).map((v) => v.id));
    if (templateIds.length) {
      for (const id of await this.rpc.model('product.product').search([['template', 'in', templateIds]], { context: ALL_RECORDS })) variantIds.add(id);
    }
    const rows = variantIds.size ? await this.items.rows([['id', 'in', [...variantIds]], ['code', '!=', null]]) : [];
    const due = rows
      .map((row) => ({ row, key: { at: itemVersion(row), id: row.id } }))
      .filter(({ key }) => key.at <= complete && after(key, from))
      .sort((a, b) => a.key.at - b.key.at || a.key.id - b.key.id);
    const page = due.slice(0, limit);
    const last = page.at(-1);
    const truncated = complete < settled;
    if (!last) {
      // Every stamp up to `complete` was read and none is a change still due: skip past them.
      return truncated ? { changes: [], cursor: encodeCursor({ at: complete, id: MAX_ID }), more: true } : unchanged;
    }
    const setup = await this.setup();
    const foreign = await this.foreignWrites(page.map((p) => p.row), from, setup.hubUid);
    return {
      changes: page.map(({ row }) => ({ record: toItem(row, setup.companyCurrency), byHub: this.byHub(row, from, setup.hubUid, foreign) })),
      cursor: encodeCursor(last.key),
      more: page.length < due.length || truncated,
    };
  }

  /**
   * One model's stamps after `from` (its time included while ties at it may still be due),
   * oldest first, by last_modified_at (Tryton's COALESCE(write_date, create_date), searchable).
   * A full page is extended by every record sharing its last stamp, so the model is read in
   * full up to that stamp even when one batched create stamped thousands of records alike.
   */
  private async part(model: string, from: Cursor, settled: number, limit: number): Promise<{ rows: StampRow[]; complete: number }> {
    const op = from.id === MAX_ID ? '>' : '>=';
    const search = (domain: Domain, lim: number | null) =>
      this.rpc.model(model).searchRead(stampRow, domain, ['id', 'last_modified_at'], { context: ALL_RECORDS, order: [['last_modified_at', 'ASC'], ['id', 'ASC']], limit: lim });
    const rows = await search([['last_modified_at', op, datetimeFromMicros(from.at)], ['last_modified_at', '<=', datetimeFromMicros(settled)]], limit);
    const edge = rows.at(-1)?.last_modified_at;
    if (rows.length < limit || edge === undefined) return { rows, complete: settled };
    const seen = new Set(rows.map((r) => r.id));
    const ties = (await search([['last_modified_at', '=', datetimeFromMicros(edge)]], null)).filter((r) => !seen.has(r.id));
    return { rows: [...rows, ...ties], complete: edge };
  }

  /** When someone other than the hub wrote each template and variant ("model,id") since `from`. */
  private async foreignWrites(rows: VariantRow[], from: Cursor, hubUid: number): Promise<Map<string, number[]>> {
    const refs = rows.flatMap((r) => [`product.product,${r.id}`, `product.template,${r['template.'].id}`]);
    const logs = await this.rpc
      .model('ir.model.log')
      .searchRead(z.object({ resource: z.string().nullable(), create_date: zDatetime }), [['resource', 'in', refs], ['create_date', '>=', datetimeFromMicros(from.at)], ['user', '!=', hubUid]], [
        'resource',
        'create_date',
      ]);
    const writes = new Map<string, number[]>();
    for (const l of logs) if (l.resource) writes.set(l.resource, [...(writes.get(l.resource) ?? []), l.create_date]);
    return writes;
  }

  /**
   * Whether everything that changed in this item since the cursor was the hub's. A stamp at the
   * cursor's own time belongs to this change only for an item after the cursor's id: one at or
   * before it was handed out with that time already.
   */
  private byHub(row: VariantRow, from: Cursor, hubUid: number, foreign: Map<string, number[]>): boolean {
    const sinceCursor = (at: number) => at > from.at || (at === from.at && row.id > from.id);
    const records = [
      { ref: `product.product,${row.id}`, r: row },
      { ref: `product.template,${row['template.'].id}`, r: row['template.'] },
    ];
    return records.every(({ ref, r }) => {
      if (!sinceCursor(lastChange(r).at)) return true;
      if ((foreign.get(ref) ?? []).some(sinceCursor)) return false;
      if (sinceCursor(r.create_date) && r.create_uid !== hubUid) return false;
      return lastChange(r).uid === hubUid;
    });
  }
}
