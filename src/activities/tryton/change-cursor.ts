import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { datetimeFromMicros, zDatetime, type Domain, type TrytonModel } from './rpc';

/**
 * Reading "what changed after a cursor" from a Tryton model, for the change feeds (Tryton has
 * no webhooks). Shared by the ERP and WMS adapters so both order, page and settle the same way.
 *
 * Order: `last_modified_at` (Tryton's searchable COALESCE(write_date, create_date), so a row
 * never written since its create is still seen) then `id`, which breaks ties; the cursor is
 * that pair of the last row handed out, "<microseconds>:<id>", so it only ever grows and a page
 * boundary inside one timestamp neither skips nor repeats a row.
 *
 * Settling: Tryton stamps write_date with PostgreSQL's CURRENT_TIMESTAMP, the time the
 * *transaction started*, not when it committed. A transaction that started earlier but commits
 * after a later one would land behind a cursor that already moved past it, and be skipped for
 * good. So rows younger than `settleMs` by Tryton's own clock (TrytonRpc.serverTime, the HTTP
 * Date of an answer, so the hub's clock plays no part) are left for a later poll: a change is
 * seen at least `settleMs` after its transaction began, and is never skipped as long as Tryton
 * transactions (a request each) commit within `settleMs`. The lag this adds is the price of not
 * skipping.
 */
export interface ChangeCursorOptions {
  /** Rows younger than this are left for a later poll (see above). */
  settleMs: number;
  /** Tryton's clock, in ms since the epoch. */
  clock: () => Promise<number>;
}

export interface ChangeRowsPage<R> {
  rows: R[];
  cursor: string;
  more: boolean;
}

/** The fields every change row must read, added to the caller's own. */
export const CHANGE_ROW_FIELDS = ['id', 'last_modified_at'] as const;

export const zChangeRow = z.object({ id: z.number().int(), last_modified_at: zDatetime });

const CURSOR = /^(\d+):(\d+)$/;
const START = '0:0';

export function encodeCursor(row: { id: number; last_modified_at: number }): string {
  return `${row.last_modified_at}:${row.id}`;
}

function decodeCursor(cursor: string | null): { micros: number; id: number } {
  const m = CURSOR.exec(cursor ?? START);
  if (!m) {
    // A cursor is only ever one this module made; anything else is a bug or another feed's cursor.
    throw ApplicationFailure.nonRetryable(`not a Tryton change cursor: ${JSON.stringify(cursor)}`, 'TrytonBadCursor');
  }
  return { micros: Number(m[1]), id: Number(m[2]) };
}

/**
 * The rows of `model` matching `domain` changed after `cursor`, oldest first, at most `limit`,
 * leaving out those younger than the settle window. `schema` validates one row and must keep
 * `id` and `last_modified_at` (microseconds, see zChangeRow).
 */
export async function changedRows<R extends { id: number; last_modified_at: number }>(
  model: TrytonModel,
  schema: z.ZodType<R>,
  domain: Domain,
  fields: readonly string[],
  cursor: string | null,
  limit: number,
  opts: ChangeCursorOptions,
): Promise<ChangeRowsPage<R>> {
  const after = decodeCursor(cursor);
  const settledUntil = ((await opts.clock()) - opts.settleMs) * 1000;
  const at = datetimeFromMicros(after.micros);
  const rows = await model.searchRead(
    schema,
    [
      ...domain,
      ['OR', [['last_modified_at', '>', at]], [['last_modified_at', '=', at], ['id', '>', after.id]]],
      ['last_modified_at', '<=', datetimeFromMicros(settledUntil)],
    ],
    [...new Set([...CHANGE_ROW_FIELDS, ...fields])],
    // One more than asked says whether another page waits, without a count.
    { limit: limit + 1, order: [['last_modified_at', 'ASC'], ['id', 'ASC']] },
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, cursor: last ? encodeCursor(last) : (cursor ?? START), more: rows.length > limit };
}
