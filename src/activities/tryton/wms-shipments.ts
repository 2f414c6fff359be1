import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { EXTERNAL_REF_CONFLICT, type Change, type ChangePage, type CreateResult, type TransitionResult } from '../ports/common';
import type { CreateFulfillmentOrderInput, WmsFulfillmentOrder } from '../ports/wms';
import { changedRows, zChangeRow, type ChangeCursorOptions } from './change-cursor';
import { decimal, isoFromMicros, TRYTON_CONCURRENCY, TrytonUserError, zDatetime, type TrytonRpc } from './rpc';
import type { WmsSetup } from './wms-setup';

/**
 * Fulfilment orders as Tryton customer shipments (stock.shipment.out) in the WMS database, one
 * per Medusa order, with `reference` = the Medusa order id: an outgoing move per line (output
 * zone → customer), created and then set to `waiting`, from where the warehouse assigns, picks,
 * packs and ships it.
 *
 * One shipment per reference. Tryton does not keep `reference` unique, so a create first looks
 * for one, and two creates racing past that look make two. They converge: the lowest id is the
 * order's shipment, and whoever sees the others (a create, right after its own, and every find)
 * cancels those not yet shipped. The create whose shipment is not the lowest reports
 * external_ref_conflict, as the REST contract does, so the activity adopts the lowest; a create
 * that saw only its own and reported `created` may still lose to a lower id committed after it
 * looked, which is why the activities go back to the order by external_ref, never by the id.
 *
 * Status: draft, waiting, assigned, picked, packed → pending; shipped (goods handed over, moves
 * done) and done → shipped; cancelled → canceled. Tryton can cancel even a done shipment (it
 * puts the stock back), so the hub's cancel checks the state and sends the `_timestamp` it read:
 * a warehouse that ships in between makes Tryton refuse the cancel (ConcurrencyException), and
 * the hub reads again and answers already_shipped.
 *
 * Tracking: the WMS has stock and stock_package only, which know no carrier. What a Tryton
 * warehouse hands over with a parcel is the shipment's `number` (on its delivery note), so that
 * is the tracking number, and the carrier is the warehouse's name. With stock_package_shipping
 * installed the carrier's reference would be `shipping_reference` and `carrier`; the adapter
 * would read those instead.
 */
export const WMS_UNKNOWN_SKU = 'WmsUnknownSku';

const PENDING = new Set(['draft', 'waiting', 'assigned', 'picked', 'packed']);
const SHIPPED = new Set(['shipped', 'done']);
/** How often a cancel re-reads after the warehouse wrote the shipment in between. */
const CANCEL_ATTEMPTS = 5;
/** Tryton's refusal of a button the record's state no longer offers (e.g. cancel on a cancelled shipment). */
const BUTTON_NOT_OFFERED = /you can not call/i;

/**
 * The shipment changed since it was read: written (ConcurrencyException on the `_timestamp`
 * sent) or moved to a state where the button is gone (someone cancelled it first).
 */
function changedMeanwhile(err: unknown): boolean {
  return (err instanceof ApplicationFailure && err.type === TRYTON_CONCURRENCY) || (err instanceof TrytonUserError && BUTTON_NOT_OFFERED.test(err.trytonMessage));
}

const zShipment = zChangeRow.extend({
  reference: z.string().nullable(),
  number: z.string().nullable(),
  state: z.string(),
  create_date: zDatetime,
  write_uid: z.number().int().nullable(),
  _timestamp: z.string(),
  'warehouse.': z.object({ name: z.string() }),
  'outgoing_moves.': z.array(z.object({ id: z.number().int(), quantity: z.number(), state: z.string(), 'product.': z.object({ code: z.string().nullable() }) })),
});
type ShipmentRow = z.infer<typeof zShipment>;
const SHIPMENT_FIELDS = [
  'reference',
  'number',
  'state',
  'create_date',
  'last_modified_at',
  'write_uid',
  '_timestamp',
  'warehouse.name',
  'outgoing_moves.quantity',
  'outgoing_moves.state',
  'outgoing_moves.product.code',
];

export function toFulfillmentOrder(s: ShipmentRow): WmsFulfillmentOrder {
  const status = SHIPPED.has(s.state) ? 'shipped' : s.state === 'cancelled' ? 'canceled' : 'pending';
  // Lines per SKU in move order: Tryton may split a move when it assigns part of it. A
  // cancelled shipment's moves are all cancelled, and still say what it was for.
  const lines = new Map<string, number>();
  for (const m of [...s['outgoing_moves.']].sort((a, b) => a.id - b.id)) {
    if (m.state === 'cancelled' && status !== 'canceled') continue;
    const sku = m['product.'].code ?? '';
    lines.set(sku, (lines.get(sku) ?? 0) + m.quantity);
  }
  const updatedAt = isoFromMicros(s.last_modified_at);
  return {
    id: String(s.id),
    external_ref: s.reference ?? '',
    status,
    lines: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
    tracking_number: status === 'shipped' ? (s.number ?? String(s.id)) : null,
    carrier: status === 'shipped' ? s['warehouse.'].name : null,
    created_at: isoFromMicros(s.create_date),
    updated_at: updatedAt,
    // Tryton stamps the transition as a write; its own effective date is a day, not a time.
    shipped_at: status === 'shipped' ? updatedAt : null,
    canceled_at: status === 'canceled' ? updatedAt : null,
  };
}

export class TrytonShipments {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly setup: () => Promise<WmsSetup>,
    private readonly cursor: ChangeCursorOptions,
  ) {}

  private get model() {
    return this.rpc.model('stock.shipment.out');
  }

  private rowsOf(externalRef: string): Promise<ShipmentRow[]> {
    return this.model.searchRead(zShipment, [['reference', '=', externalRef]], SHIPMENT_FIELDS, { order: [['id', 'ASC']] });
  }

  private async row(id: number): Promise<ShipmentRow | null> {
    return (await this.model.searchRead(zShipment, [['id', '=', id]], SHIPMENT_FIELDS))[0] ?? null;
  }

  async create(input: CreateFulfillmentOrderInput): Promise<CreateResult<WmsFulfillmentOrder>> {
    const existing = await this.rowsOf(input.external_ref);
    if (existing.length) {
      await this.converge(existing);
      return refTaken(input.external_ref);
    }
    const setup = await this.setup();
    const products = await this.productsOf(input.lines.map((l) => l.sku));
    const { warehouse } = setup;
    const [id] = await this.model.create([
      {
        reference: input.external_ref,
        company: setup.company,
        customer: setup.customer,
        delivery_address: setup.address,
        warehouse: warehouse.id,
        // A create over RPC runs no on_change, so the zones the form would fill in are sent.
        warehouse_storage: warehouse.storage_location,
        warehouse_output: warehouse.output_location,
        outgoing_moves: [
          [
            'create',
            input.lines.map((l) => ({
              product: products.get(l.sku),
              unit: setup.unit,
              quantity: l.quantity,
              from_location: warehouse.output_location,
              to_location: setup.customerLocation,
              company: setup.company,
              // Tryton prices every move to a customer; the WMS does not sell, so it is zero.
              unit_price: decimal(0),
              currency: setup.currency,
            })),
          ],
        ],
      },
    ]);
    const rows = await this.rowsOf(input.external_ref);
    const canonical = await this.converge(rows);
    if (!canonical || canonical.id !== id) return refTaken(input.external_ref);
    return { outcome: 'created', record: toFulfillmentOrder(canonical) };
  }

  /** The order's shipment (the lowest id), after converging any duplicates; null when it has none. */
  async find(externalRef: string): Promise<WmsFulfillmentOrder | null> {
    const canonical = await this.converge(await this.rowsOf(externalRef));
    return canonical ? toFulfillmentOrder(canonical) : null;
  }

  /** already_shipped once the warehouse has shipped it; a cancelled one is ok as it is. */
  async cancel(idText: string): Promise<TransitionResult<WmsFulfillmentOrder>> {
    const id = Number(idText);
    for (let attempt = 1; ; attempt++) {
      const row = Number.isSafeInteger(id) ? await this.row(id) : null;
      if (!row) throw ApplicationFailure.nonRetryable(`${this.rpc.system} has no fulfilment order ${idText}`, 'TrytonShipmentNotFound', { id: idText });
      if (SHIPPED.has(row.state)) return { outcome: 'refused', code: 'already_shipped', message: `${this.rpc.system} shipment ${row.number ?? row.id} has shipped (${row.state})` };
      if (row.state === 'cancelled') return { outcome: 'ok', record: toFulfillmentOrder(row) };
      try {
        await this.cancelUnchanged(row);
      } catch (err) {
        // Changed in between (the warehouse shipped it, or someone cancelled it first): read again and decide again.
        if (attempt < CANCEL_ATTEMPTS && changedMeanwhile(err)) continue;
        throw err;
      }
    }
  }

  /** Shipments that shipped or were cancelled after the cursor; byHub when the hub's user made that change. */
  async changesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<WmsFulfillmentOrder>>> {
    const page = await changedRows(this.model, zShipment, [['state', 'in', ['shipped', 'done', 'cancelled']]], SHIPMENT_FIELDS, cursor, limit, this.cursor);
    const { hubUid } = await this.setup();
    return { changes: page.rows.map((r) => ({ record: toFulfillmentOrder(r), byHub: r.write_uid === hubUid })), cursor: page.cursor, more: page.more };
  }

  /**
   * Makes the lowest id the reference's one live shipment: the others are cancelled unless
   * shipped (nothing undoes a parcel), and a lowest one still in draft (its create answered,
   * its `wait` never ran) is set waiting, so the warehouse sees it. Returns the lowest, re-read.
   */
  private async converge(rows: ShipmentRow[]): Promise<ShipmentRow | null> {
    const [canonical, ...others] = rows;
    if (!canonical) return null;
    let changed = false;
    for (const other of others) {
      if (!PENDING.has(other.state)) continue;
      await this.cancelUnchanged(other).catch((err: unknown) => {
        // Shipped or cancelled in between (by the create racing this one): no longer a live duplicate.
        if (!changedMeanwhile(err)) throw err;
      });
      changed = true;
    }
    if (canonical.state === 'draft') {
      await this.model.button('wait', [canonical.id]).catch((err: unknown) => {
        // Cancelled in between (the rollback of its order): it stays as it is.
        if (!changedMeanwhile(err)) throw err;
      });
      changed = true;
    }
    return changed ? this.row(canonical.id) : canonical;
  }

  /** Cancels `row` unless it was written since it was read (Tryton then raises ConcurrencyException). */
  private cancelUnchanged(row: ShipmentRow): Promise<void> {
    return this.model.button('cancel', [row.id], { context: { _timestamp: { [`stock.shipment.out,${row.id}`]: row._timestamp } } });
  }

  /**
   * The active product of each SKU. A SKU the WMS does not know is retryable: the product flow
   * that registers it may simply not have reached the WMS yet, and the order step is retried
   * for as long as a business would wait before rolling the order back.
   */
  private async productsOf(skus: string[]): Promise<Map<string, number>> {
    const rows = await this.rpc.model('product.product').searchRead(z.object({ id: z.number().int(), code: z.string().nullable() }), [['code', 'in', [...new Set(skus)]]], ['code']);
    const ids = new Map(rows.flatMap((r) => (r.code === null ? [] : [[r.code, r.id] as const])));
    const unknown = skus.filter((s) => !ids.has(s));
    if (unknown.length) throw ApplicationFailure.retryable(`${this.rpc.system} knows no product with code ${unknown.join(', ')}`, WMS_UNKNOWN_SKU, { skus: unknown });
    return ids;
  }
}

function refTaken(externalRef: string): CreateResult<WmsFulfillmentOrder> {
  return { outcome: 'conflict', code: EXTERNAL_REF_CONFLICT, message: `a fulfilment order with reference "${externalRef}" already exists` };
}
