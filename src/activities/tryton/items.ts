import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { SKU_CONFLICT, type CreateResult, type Page, type WriteOptions } from '../ports/common';
import type { CreateItemInput, ErpItem, ErpMoney, UpdateItemInput } from '../ports/erp';
import { acknowledgingStockWarning, archiveVariant } from './archive';
import type { ErpSetup } from './erp-setup';
import { createIdentifiers, externalRefDomain, IDENTIFIER_FIELDS, readHubIdentifiers, replaceExternalRef, zIdentifierRow } from './identifiers';
import { decimalFromMinor, minorFromDecimal } from './money';
import { isoFromMicros, TrytonUserError, zBool, zDatetime, zDecimal, type Domain, type TrytonRpc } from './rpc';

/**
 * ERP items as Tryton products: one variant (product.product) per SKU, its template holding
 * the name and list price.
 *
 * - sku = the variant's code (its suffix_code; hub-made templates have no prefix).
 * - An item exists while its variant is active: Tryton's code constraint looks only at the
 *   variant's own flag, so an archived variant frees its SKU. deleteItem archives (variant, and
 *   the template when no other variant is left on it), so Tryton keeps the product's history.
 * - status = the template's active flag: an inactive item keeps its SKU, as the REST contract's
 *   does, and Tryton hides the product from sales. (The variant's flag is taken for existence.)
 * - version = the latest create/write timestamp of template and variant, in microseconds:
 *   Tryton stamps every write with its transaction's time, so it grows with every change of
 *   either, and the change feed uses the same number.
 *
 * Tryton's default search also hides variants of an archived template, and its `active` domain
 * tests both flags, so lookups run with active_test off and test the variant's flag here.
 */
export const TRYTON_CURRENCY_MISMATCH = 'TrytonCurrencyMismatch';
export const TRYTON_ITEM_NOT_FOUND = 'TrytonItemNotFound';

/** Tryton's message for the variant code's EXCLUDE constraint (product.msg_product_code_unique). */
const CODE_TAKEN = /code of active product must be unique/i;
/** SQLite refuses one statement with many more rows (notes §8.9); PostgreSQL has no such limit. */
const CREATE_CHUNK = 50;

const stamps = {
  create_date: zDatetime,
  write_date: zDatetime.nullable(),
  create_uid: z.number().int().nullable(),
  write_uid: z.number().int().nullable(),
};
type Stamps = { create_date: number; write_date: number | null; create_uid?: number | null; write_uid?: number | null };

export const variantRow = z.object({
  id: z.number().int(),
  code: z.string().nullable(),
  active: zBool,
  ...stamps,
  'template.': z.object({ id: z.number().int(), name: z.string(), list_price: zDecimal.nullable(), active: zBool, ...stamps }),
  'identifiers.': z.array(zIdentifierRow).optional(),
});
export type VariantRow = z.infer<typeof variantRow>;

const STAMP_FIELDS = ['create_date', 'write_date', 'create_uid', 'write_uid'];
export const VARIANT_FIELDS = [
  'id',
  'code',
  'active',
  ...STAMP_FIELDS,
  'template.name',
  'template.list_price',
  'template.active',
  ...STAMP_FIELDS.map((f) => `template.${f}`),
  ...IDENTIFIER_FIELDS,
];

/** Archived records too: the variant's own flag is read and tested here. */
export const ALL_RECORDS = { active_test: false } as const;

/** When a record last changed and who changed it (write_date is null until the first write). */
export function lastChange(r: Stamps): { at: number; uid: number | null } {
  return r.write_date !== null ? { at: r.write_date, uid: r.write_uid ?? null } : { at: r.create_date, uid: r.create_uid ?? null };
}

export function itemVersion(row: VariantRow): number {
  return Math.max(lastChange(row).at, lastChange(row['template.']).at);
}

export function toItem(row: VariantRow, currency: string): ErpItem {
  const template = row['template.'];
  const facts = readHubIdentifiers(row['identifiers.']);
  return {
    id: String(row.id),
    sku: row.code ?? '',
    name: template.name,
    price: template.list_price === null ? null : { amount: minorFromDecimal(template.list_price, currency), currency_code: currency },
    status: row.active && template.active ? 'active' : 'inactive',
    external_ref: facts.external_ref,
    version: itemVersion(row),
    creation_key: facts.creation_key,
    created_at: isoFromMicros(row.create_date),
    updated_at: isoFromMicros(itemVersion(row)),
  };
}

export interface CreateItemRequest {
  input: CreateItemInput;
  opts: WriteOptions;
}

export class TrytonItems {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly setup: () => Promise<ErpSetup>,
  ) {}

  private get products() {
    return this.rpc.model('product.product');
  }

  /** Variant rows (archived included) by domain, in id order. */
  async rows(domain: Domain, opts: { limit?: number } = {}): Promise<VariantRow[]> {
    return this.products.searchRead(variantRow, domain, VARIANT_FIELDS, { context: ALL_RECORDS, order: [['id', 'ASC']], limit: opts.limit });
  }

  async items(rows: VariantRow[]): Promise<ErpItem[]> {
    const { companyCurrency } = await this.setup();
    return rows.map((r) => toItem(r, companyCurrency));
  }

  async findBySku(sku: string): Promise<ErpItem | null> {
    const [item] = await this.items((await this.rows([['code', '=', sku]])).filter((r) => r.active));
    return item ?? null;
  }

  async listByExternalRef(externalRef: string): Promise<ErpItem[]> {
    return this.items((await this.rows(externalRefDomain(externalRef))).filter((r) => r.active));
  }

  /**
   * The catalogue in id order. Archived variants (deleted items) are skipped after the read, so
   * a page may hold fewer than `limit` items and still have a next one.
   */
  async list(query: { limit: number; cursor?: string }): Promise<Page<ErpItem>> {
    const after = query.cursor ? Number(query.cursor) : 0;
    const rows = await this.rows([['code', '!=', null], ['id', '>', Number.isSafeInteger(after) ? after : 0]], { limit: query.limit });
    const last = rows.at(-1);
    return { data: await this.items(rows.filter((r) => r.active)), next_cursor: rows.length === query.limit && last ? String(last.id) : null };
  }

  /** The variant, archived or not; null when there is none with this id. */
  async row(id: string): Promise<VariantRow | null> {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    const [row] = await this.rows([['id', '=', n]]);
    return row ?? null;
  }

  /**
   * Find-or-create by SKU: the new templates in one `create` per chunk; a SKU an active item
   * already holds is answered by answerFor.
   */
  async createMany(requests: readonly CreateItemRequest[]): Promise<Array<CreateResult<ErpItem>>> {
    const setup = await this.setup();
    for (const { input } of requests) this.checkCurrency(input.price, setup);
    const results: Array<CreateResult<ErpItem> | undefined> = new Array(requests.length);
    // One item goes straight to `create` (its unique constraint answers for a taken SKU, one
    // round trip saved on the usual path); a batch looks first, so one taken SKU does not send
    // the whole chunk down the one-by-one path.
    const existing = new Map<string, VariantRow>();
    const lookUp = requests.length > 1 ? await this.rows([['code', 'in', [...new Set(requests.map((r) => r.input.sku))]]]) : [];
    for (const row of lookUp) {
      if (row.active && row.code !== null) existing.set(row.code, row);
    }
    const toCreate: number[] = [];
    const claimed = new Set<string>();
    requests.forEach((request, i) => {
      const found = existing.get(request.input.sku);
      if (found) {
        results[i] = answerFor(request, toItem(found, setup.companyCurrency));
      } else if (claimed.has(request.input.sku)) {
        results[i] = skuTaken(request.input.sku);
      } else {
        claimed.add(request.input.sku);
        toCreate.push(i);
      }
    });
    for (let start = 0; start < toCreate.length; start += CREATE_CHUNK) {
      const chunk = toCreate.slice(start, start + CREATE_CHUNK);
      const made = await this.createChunk(chunk.map((i) => requests[i]!), setup);
      chunk.forEach((i, k) => (results[i] = made[k]));
    }
    return results.map((r, i) => {
      if (!r) throw new Error(`createMany left request ${i} (${requests[i]!.input.sku}) without a result`);
      return r;
    });
  }

  async update(id: string, patch: UpdateItemInput): Promise<ErpItem> {
    const setup = await this.setup();
    this.checkCurrency(patch.price, setup);
    const row = await this.row(id);
    if (!row || !row.active) throw ApplicationFailure.nonRetryable(`${this.rpc.system} has no item ${id}`, TRYTON_ITEM_NOT_FOUND, { id });
    const template: Record<string, unknown> = {};
    if (patch.name !== undefined) template.name = patch.name;
    if (patch.price !== undefined) template.list_price = patch.price === null ? null : decimalFromMinor(patch.price.amount, setup.companyCurrency);
    if (patch.status !== undefined) template.active = patch.status === 'active';
    if (patch.external_ref !== undefined) {
      template.products = [['write', [row.id], { identifiers: replaceExternalRef(row['identifiers.'], patch.external_ref) }]];
    }
    // One write of the template carrying the variant's change: one transaction, so a lost
    // answer leaves either all of the patch or none of it.
    if (Object.keys(template).length) await acknowledgingStockWarning(this.rpc, () => this.rpc.model('product.template').write([row['template.'].id], template));
    const [item] = await this.items((await this.rows([['id', '=', row.id]])));
    if (!item) throw ApplicationFailure.retryable(`${this.rpc.system} item ${id} vanished during an update`, TRYTON_ITEM_NOT_FOUND);
    return item;
  }

  /**
   * Archives the item: the variant (which frees its SKU) and, when no other active variant is
   * left on it, its template, in one write. false when it was not active; a retry after a lost
   * answer therefore says false, which the undo reads as "gone", the state it needs.
   */
  async delete(id: string): Promise<boolean> {
    const row = await this.row(id);
    if (!row || !row.active) return false;
    await archiveVariant(this.rpc, { id: row.id, templateId: row['template.'].id });
    return true;
  }

  private async createChunk(requests: readonly CreateItemRequest[], setup: ErpSetup): Promise<Array<CreateResult<ErpItem>>> {
    try {
      return await this.insert(requests, setup);
    } catch (err) {
      // A SKU taken by a concurrent create since our search: the whole chunk rolled back, so
      // each is tried on its own and only the taken one reports the conflict.
      if (!(err instanceof TrytonUserError && CODE_TAKEN.test(err.trytonMessage))) throw err;
      if (requests.length === 1) {
        const request = requests[0]!;
        const found = await this.findBySku(request.input.sku);
        return [found ? answerFor(request, found) : skuTaken(request.input.sku)];
      }
      const one = async (r: CreateItemRequest) => (await this.createChunk([r], setup))[0]!;
      const results: Array<CreateResult<ErpItem>> = [];
      for (const r of requests) results.push(await one(r));
      return results;
    }
  }

  private async insert(requests: readonly CreateItemRequest[], setup: ErpSetup): Promise<Array<CreateResult<ErpItem>>> {
    const templateIds = await this.rpc.model('product.template').create(
      requests.map(({ input, opts }) => ({
        name: input.name,
        type: 'goods',
        default_uom: setup.unit,
        sale_uom: setup.unit,
        salable: true,
        active: input.status !== 'inactive',
        ...(input.price ? { list_price: decimalFromMinor(input.price.amount, setup.companyCurrency) } : {}),
        products: [['create', [{ suffix_code: input.sku, identifiers: createIdentifiers({ externalRef: input.external_ref, creationKey: opts.idempotencyKey }) }]]],
      })),
    );
    const byTemplate = new Map<number, VariantRow>();
    for (const row of await this.rows([['template', 'in', templateIds]])) byTemplate.set(row['template.'].id, row);
    return templateIds.map((tpl, i) => {
      const row = byTemplate.get(tpl);
      if (!row) throw ApplicationFailure.retryable(`${this.rpc.system} created template ${tpl} for ${requests[i]!.input.sku} but reads no variant`, TRYTON_ITEM_NOT_FOUND);
      return { outcome: 'created', record: toItem(row, setup.companyCurrency) };
    });
  }

  /**
   * A template's list price is in the company's currency. Converting another currency would
   * need a rate the hub does not own, and storing its amount as if it were the company's would
   * misprice the item, so a price in another currency is refused for good.
   */
  private checkCurrency(price: ErpMoney | null | undefined, setup: ErpSetup): void {
    if (price && price.currency_code.toLowerCase() !== setup.companyCurrency) {
      throw ApplicationFailure.nonRetryable(
        `${this.rpc.system} keeps list prices in ${setup.companyCurrency.toUpperCase()}, not ${price.currency_code.toUpperCase()}`,
        TRYTON_CURRENCY_MISMATCH,
      );
    }
  }
}

/**
 * The answer for a request whose SKU an active item holds: an item made under the request's own
 * idempotency key is that earlier attempt's result (`created`, as a REST system replays a keyed
 * POST); any other is 'sku_conflict', for the saga to decide whether it is ours.
 */
function answerFor(request: CreateItemRequest, existing: ErpItem): CreateResult<ErpItem> {
  return existing.creation_key === request.opts.idempotencyKey ? { outcome: 'created', record: existing } : skuTaken(request.input.sku);
}

function skuTaken(sku: string): CreateResult<ErpItem> {
  return { outcome: 'conflict', code: SKU_CONFLICT, message: `an active product with code "${sku}" already exists` };
}
