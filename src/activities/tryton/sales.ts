import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { EXTERNAL_REF_CONFLICT, type CreateResult } from '../ports/common';
import type { CreateSalesOrderInput, ErpSalesOrder } from '../ports/erp';
import { TRYTON_ERP_SETUP, type ErpSetup } from './erp-setup';
import { ALL_RECORDS, lastChange } from './items';
import { decimalFromMinor, minorFromDecimal } from './money';
import { isoFromMicros, TrytonUserError, zBool, zDatetime, zDecimal, type TrytonRpc } from './rpc';

/**
 * Sales orders as Tryton sales (sale.sale), one per Medusa order, keyed by the web shop's
 * web_id = the Medusa order id. web_shop's EXCLUDE constraint on (web_shop, web_id) makes a
 * retried create unable to book twice; it holds per shop only, so lookups search every shop.
 *
 * Booked with invoice_method manual (no accounting data needed), quoted and confirmed, which
 * creates the ERP's customer shipment. Status:
 * - canceled: the sale is cancelled, or it was confirmed and all its moves are cancelled (the
 *   shipment was cancelled and the exception ignored: a confirmed sale cannot be cancelled);
 * - shipped: shipment_state "sent" (with invoice_method manual a sale never reaches "done");
 * - open: every other state.
 * version = the sale's last create/write time in µs: every transition writes the sale.
 */
export const TRYTON_UNKNOWN_SKU = 'TrytonUnknownSku';
export const TRYTON_UNKNOWN_CURRENCY = 'TrytonUnknownCurrency';
export const TRYTON_SALE_TRANSITION = 'TrytonSaleTransition';
export const TRYTON_SALE_NOT_FOUND = 'TrytonSaleNotFound';

/** Tryton's message for web_shop's unique (web_shop, web_id). */
const WEB_ID_TAKEN = /web id .*must be unique/i;

const saleRow = z.object({
  id: z.number().int(),
  web_id: z.string().nullable(),
  web_shop: z.number().int().nullable(),
  state: z.string(),
  shipment_state: z.string(),
  total_amount: zDecimal.nullable(),
  create_date: zDatetime,
  write_date: zDatetime.nullable(),
  create_uid: z.number().int().nullable(),
  write_uid: z.number().int().nullable(),
  'currency.': z.object({ code: z.string() }),
  'lines.': z.array(
    z.object({
      quantity: z.number().nullable(),
      unit_price: zDecimal.nullable(),
      'product.': z.object({ code: z.string().nullable() }).nullable().optional(),
    }),
  ),
  'moves.': z.array(z.object({ state: z.string() })),
  'shipments.': z.array(z.object({ id: z.number().int(), state: z.string() })),
});
type SaleRow = z.infer<typeof saleRow>;
const SALE_FIELDS = [
  'id',
  'web_id',
  'web_shop',
  'state',
  'shipment_state',
  'total_amount',
  'create_date',
  'write_date',
  'create_uid',
  'write_uid',
  'currency.code',
  'lines.quantity',
  'lines.unit_price',
  'lines.product.code',
  'moves.state',
  'shipments.state',
];

function status(row: SaleRow): ErpSalesOrder['status'] {
  if (row.state === 'cancelled') return 'canceled';
  if (row.shipment_state === 'sent') return 'shipped';
  const moves = row['moves.'];
  if (['processing', 'done'].includes(row.state) && moves.length > 0 && moves.every((m) => m.state === 'cancelled')) return 'canceled';
  return 'open';
}

function toOrder(row: SaleRow): ErpSalesOrder {
  const currency = row['currency.'].code.toLowerCase();
  const version = lastChange(row).at;
  return {
    id: String(row.id),
    external_ref: row.web_id ?? '',
    status: status(row),
    lines: row['lines.'].map((l) => ({
      sku: l['product.']?.code ?? '',
      quantity: l.quantity ?? 0,
      unit_price: l.unit_price === null ? 0 : minorFromDecimal(l.unit_price, currency),
    })),
    currency_code: currency,
    total: row.total_amount === null ? 0 : minorFromDecimal(row.total_amount, currency),
    version,
    created_at: isoFromMicros(row.create_date),
    updated_at: isoFromMicros(version),
  };
}

export class TrytonSales {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly setup: () => Promise<ErpSetup>,
  ) {}

  private get sales() {
    return this.rpc.model('sale.sale');
  }

  private get shipments() {
    return this.rpc.model('stock.shipment.out');
  }

  private async rowsOf(domain: unknown[]): Promise<SaleRow[]> {
    return this.sales.searchRead(saleRow, domain, SALE_FIELDS, { order: [['id', 'ASC']] });
  }

  /** Our shop's sale first: another shop may reuse the id (web_id is unique per shop only). */
  private async rowByRef(externalRef: string): Promise<SaleRow | null> {
    const { shop } = await this.setup();
    const rows = await this.rowsOf([['web_id', '=', externalRef]]);
    return rows.find((r) => r.web_shop === shop) ?? rows[0] ?? null;
  }

  private async row(id: string): Promise<SaleRow> {
    const n = Number(id);
    const [row] = Number.isSafeInteger(n) && n > 0 ? await this.rowsOf([['id', '=', n]]) : [];
    if (!row) throw ApplicationFailure.nonRetryable(`${this.rpc.system} has no sale ${id}`, TRYTON_SALE_NOT_FOUND, { id });
    return row;
  }

  async findByExternalRef(externalRef: string): Promise<ErpSalesOrder | null> {
    const row = await this.rowByRef(externalRef);
    return row && toOrder(row);
  }

  /**
   * Books the order: create, quote, confirm. Three calls and three transactions, so a failure
   * between them leaves a draft or quotation under our web_id; the retry finds it, finishes
   * its booking and answers 'external_ref_conflict' (the activity then adopts it).
   */
  async create(input: CreateSalesOrderInput): Promise<CreateResult<ErpSalesOrder>> {
    const existing = await this.rowByRef(input.external_ref);
    if (existing) {
      if (existing.state === 'draft' || existing.state === 'quotation') await this.book(existing);
      return refTaken(input.external_ref);
    }
    const setup = await this.setup();
    if (setup.shopGuestParty === setup.customer) {
      // Tryton would take the sale and refuse to quote it, every time: say so at the cause.
      throw ApplicationFailure.nonRetryable(
        `${this.rpc.system}: the customer sales are booked to is the guest party of the web shop, and Tryton does not process a shop's guest sales; clear the shop's guest party or configure another customer`,
        TRYTON_ERP_SETUP,
      );
    }
    const currency = input.currency_code.toLowerCase();
    const values = {
      party: setup.customer,
      invoice_address: setup.address,
      shipment_address: setup.address,
      web_shop: setup.shop,
      web_id: input.external_ref,
      reference: input.external_ref,
      warehouse: setup.warehouse,
      invoice_method: 'manual',
      shipment_method: 'order',
      ...(currency === setup.companyCurrency ? {} : { currency: await this.currencyId(currency) }),
      ...(setup.saleHasShipmentCostMethod ? { shipment_cost_method: null } : {}),
      lines: [['create', await this.lines(input, setup, currency)]],
    };
    let id: number | undefined;
    try {
      [id] = await this.sales.create([values]);
    } catch (err) {
      if (err instanceof TrytonUserError && WEB_ID_TAKEN.test(err.trytonMessage)) return refTaken(input.external_ref);
      throw err;
    }
    if (id === undefined) throw ApplicationFailure.retryable(`${this.rpc.system} sale.create answered no id`, TRYTON_SALE_NOT_FOUND);
    const [row] = await this.rowsOf([['id', '=', id]]);
    if (!row) throw ApplicationFailure.retryable(`${this.rpc.system} cannot read the sale ${id} it just created`, TRYTON_SALE_NOT_FOUND);
    return { outcome: 'created', record: toOrder(await this.book(row)) };
  }

  /** open → shipped or open → canceled; a call for the status it already has changes nothing. */
  async setStatus(id: string, target: 'shipped' | 'canceled'): Promise<ErpSalesOrder> {
    let row = await this.row(id);
    const current = status(row);
    if (current === target) return toOrder(row);
    if (current !== 'open') {
      throw ApplicationFailure.nonRetryable(`${this.rpc.system} sale ${id} is ${current}; it cannot become ${target}`, TRYTON_SALE_TRANSITION, { id, current, target });
    }
    row = target === 'shipped' ? await this.ship(row) : await this.cancel(row);
    return toOrder(row);
  }

  /** Quote and confirm whatever is left of that; confirm runs sale.process, which makes the shipment. */
  private async book(row: SaleRow): Promise<SaleRow> {
    if (row.state === 'draft') await this.sales.button('quote', [row.id]);
    if (row.state === 'draft' || row.state === 'quotation') await this.sales.button('confirm', [row.id]);
    return this.reread(row.id);
  }

  /**
   * The WMS shipped the order: the ERP books it by pushing its own customer shipment through
   * assign, pick, pack and done. The assignment is forced because the ERP database holds no
   * stock (the WMS does): the ERP's books then say the goods left, the sale's shipment_state
   * becomes "sent", and the move history shows when and by whom. Each step is one call, so a
   * retry continues from the state the shipment reached.
   */
  private async ship(row: SaleRow): Promise<SaleRow> {
    let sale = row.state === 'draft' || row.state === 'quotation' ? await this.book(row) : row;
    if (sale.state === 'confirmed' && sale['shipments.'].length === 0) {
      // A queue worker may run sale.process later; the hub needs the shipment now.
      await this.sales.button('process', [sale.id]);
      sale = await this.reread(sale.id);
    }
    const steps: Record<string, string> = { draft: 'wait', waiting: 'assign_force', assigned: 'pick', picked: 'pack', packed: 'do', shipped: 'do' };
    for (const shipment of sale['shipments.']) {
      let state = shipment.state;
      while (steps[state]) {
        await this.shipments.button(steps[state]!, [shipment.id]);
        const [now] = await this.shipments.read(z.object({ state: z.string() }), [shipment.id], ['state']);
        if (!now || now.state === state) throw ApplicationFailure.retryable(`${this.rpc.system} shipment ${shipment.id} stayed ${state}`, TRYTON_SALE_TRANSITION);
        state = now.state;
      }
    }
    return this.reread(sale.id);
  }

  /**
   * Cancels a draft or quotation outright. A confirmed sale cannot be cancelled in Tryton: its
   * shipments are cancelled instead and the shipment exception this raises is handled by
   * ignoring every move (the handle-shipment-exception wizard), which leaves the sale with
   * nothing to ship. A shipment already done makes the cancel a refusal.
   */
  private async cancel(row: SaleRow): Promise<SaleRow> {
    if (row.state === 'draft' || row.state === 'quotation') {
      await this.sales.button('cancel', [row.id]);
      return this.reread(row.id);
    }
    if (row['shipments.'].some((s) => s.state === 'done')) {
      throw ApplicationFailure.nonRetryable(`${this.rpc.system} sale ${row.id} has a shipment done already; it cannot be canceled`, TRYTON_SALE_TRANSITION, { id: row.id });
    }
    let sale = row;
    if (sale.state === 'confirmed' && sale['shipments.'].length === 0) {
      await this.sales.button('process', [sale.id]);
      sale = await this.reread(sale.id);
    }
    await this.shipments.button('cancel', sale['shipments.'].filter((s) => s.state !== 'cancelled').map((s) => s.id));
    sale = await this.reread(sale.id);
    if (sale.shipment_state === 'exception') {
      await this.ignoreShipmentException(sale.id);
      sale = await this.reread(sale.id);
    }
    return sale;
  }

  private async ignoreShipmentException(saleId: number): Promise<void> {
    const wizard = 'wizard.sale.handle.shipment.exception';
    const context = { active_model: 'sale.sale', active_id: saleId, active_ids: [saleId] };
    const [session] = await this.rpc.call(`${wizard}.create`, [], { schema: z.tuple([z.number().int()]).rest(z.unknown()) });
    try {
      const ask = await this.rpc.call(`${wizard}.execute`, [session, {}, 'ask'], {
        context,
        schema: z.object({ view: z.object({ defaults: z.object({ domain_moves: z.array(z.number().int()) }) }) }),
      });
      const moves = ask.view.defaults.domain_moves;
      await this.rpc.call(`${wizard}.execute`, [session, { ask: { ignore_moves: moves, recreate_moves: [], domain_moves: moves } }, 'handle'], { context });
    } finally {
      await this.rpc.call(`${wizard}.delete`, [session]);
    }
  }

  private async reread(id: number): Promise<SaleRow> {
    const [row] = await this.rowsOf([['id', '=', id]]);
    if (!row) throw ApplicationFailure.retryable(`${this.rpc.system} sale ${id} vanished`, TRYTON_SALE_NOT_FOUND);
    return row;
  }

  private async currencyId(code: string): Promise<number> {
    const [id] = await this.rpc.model('currency.currency').search([['code', '=', code.toUpperCase()]], { limit: 1 });
    if (id === undefined) throw ApplicationFailure.nonRetryable(`${this.rpc.system} has no currency ${code.toUpperCase()}`, TRYTON_UNKNOWN_CURRENCY);
    return id;
  }

  /**
   * Lines by SKU. A SKU the ERP has no active item for is retryable: the product's own run may
   * not have created it yet, and the order activities retry for hours.
   */
  private async lines(input: CreateSalesOrderInput, setup: ErpSetup, currency: string): Promise<Array<Record<string, unknown>>> {
    const skus = [...new Set(input.lines.map((l) => l.sku))];
    const rows = await this.rpc
      .model('product.product')
      .searchRead(z.object({ id: z.number().int(), code: z.string().nullable(), active: zBool }), [['code', 'in', skus]], ['id', 'code', 'active'], { context: ALL_RECORDS });
    const byCode = new Map(rows.filter((r) => r.active).map((r) => [r.code, r.id]));
    const missing = skus.filter((s) => !byCode.has(s));
    if (missing.length) {
      throw ApplicationFailure.retryable(`${this.rpc.system} has no item for SKU ${missing.join(', ')} (order ${input.external_ref})`, TRYTON_UNKNOWN_SKU, { missing });
    }
    return input.lines.map((l) => ({
      type: 'line',
      product: byCode.get(l.sku),
      quantity: l.quantity,
      unit: setup.unit,
      unit_price: decimalFromMinor(l.unit_price, currency),
    }));
  }
}

function refTaken(externalRef: string): CreateResult<ErpSalesOrder> {
  return { outcome: 'conflict', code: EXTERNAL_REF_CONFLICT, message: `a sale with web_id "${externalRef}" already exists` };
}
