import type { Change, ChangePage, CreateResult, Page, WriteOptions } from '../ports/common';
import type { CreateItemInput, CreateSalesOrderInput, ErpChangeFeed, ErpItem, ErpPort, ErpSalesOrder, UpdateItemInput } from '../ports/erp';
import type { MicroBatcher } from '../batcher';
import { trytonCreateBatcher } from './create-batcher';
import { erpSetup } from './erp-setup';
import { TrytonItemChanges } from './item-changes';
import { TrytonItems, type CreateItemRequest } from './items';
import type { TrytonRpc } from './rpc';
import { TrytonSales } from './sales';

/**
 * The ERP port on Tryton (the `erp` database: product, sale, web_shop), as the hub's own user.
 * Items are product variants (items.ts), sales orders are sales of the Medusa web shop
 * (sales.ts), and item changes are polled (item-changes.ts).
 *
 * Tryton has no Idempotency-Key: every create finds-or-creates by its natural key (the SKU, the
 * web_id), and Tryton's unique constraints turn a concurrent or retried create into the same
 * 'conflict' answer the REST connector gives for a 409. The idempotency key of an item's create
 * is kept on the variant (identifiers.ts) as the proof an undo needs; other writes set values,
 * so repeating them changes nothing.
 */
export interface TrytonErpOptions {
  /** web.shop name (or id) whose web_id is the Medusa order id. */
  webShop: string;
  /** party.party name (or id) every Medusa order is sold to. */
  customer: string;
  /** stock.location code (or id) of the warehouse sales ship from; default WH. */
  warehouse?: string;
  /** See item-changes.ts; default 3 s. */
  changeSettleMs?: number;
}

export class TrytonErp implements ErpPort, ErpChangeFeed {
  private readonly items: TrytonItems;
  private readonly sales: TrytonSales;
  private readonly changes: TrytonItemChanges;
  private readonly creates: MicroBatcher<CreateItemRequest, CreateResult<ErpItem>>;

  /** `rpc` logs in to the ERP database as the hub's own user. */
  constructor(
    readonly rpc: TrytonRpc,
    options: TrytonErpOptions,
  ) {
    const setup = erpSetup(rpc, { warehouse: 'WH', ...options });
    this.items = new TrytonItems(rpc, setup);
    this.sales = new TrytonSales(rpc, setup);
    this.changes = new TrytonItemChanges(rpc, setup, this.items, options.changeSettleMs);
    this.creates = trytonCreateBatcher({
      createMany: (requests) => this.items.createMany(requests),
      createOne: async (request) => (await this.items.createMany([request]))[0]!,
    });
  }

  async createItem(input: CreateItemInput, opts: WriteOptions): Promise<CreateResult<ErpItem>> {
    return this.creates.submit({ input, opts });
  }

  /**
   * Beyond the port: many items in one call per 50, for bursts and backfills (Tryton writes
   * ~9 ms per record batched against ~89 ms one by one). Each result is what createItem would
   * have answered for its request.
   */
  createItems(requests: readonly CreateItemRequest[]): Promise<Array<CreateResult<ErpItem>>> {
    return this.items.createMany(requests);
  }

  findItemBySku(sku: string): Promise<ErpItem | null> {
    return this.items.findBySku(sku);
  }

  listItemsByExternalRef(externalRef: string): Promise<ErpItem[]> {
    return this.items.listByExternalRef(externalRef);
  }

  listItems(query: { limit: number; cursor?: string }): Promise<Page<ErpItem>> {
    return this.items.list(query);
  }

  updateItem(id: string, patch: UpdateItemInput): Promise<ErpItem> {
    return this.items.update(id, patch);
  }

  deleteItem(id: string): Promise<boolean> {
    return this.items.delete(id);
  }

  createSalesOrder(input: CreateSalesOrderInput): Promise<CreateResult<ErpSalesOrder>> {
    return this.sales.create(input);
  }

  findSalesOrderByExternalRef(externalRef: string): Promise<ErpSalesOrder | null> {
    return this.sales.findByExternalRef(externalRef);
  }

  updateSalesOrderStatus(id: string, status: 'shipped' | 'canceled'): Promise<ErpSalesOrder> {
    return this.sales.setStatus(id, status);
  }

  itemChangesSince(cursor: string | null, limit: number): Promise<ChangePage<Change<ErpItem>>> {
    return this.changes.since(cursor, limit);
  }
}
