import { ApplicationFailure } from '@temporalio/common';
import { SKU_CONFLICT, type CreateResult, type Page, type WriteOptions } from '../ports/common';
import type { CreateSkuInput, WmsSku } from '../ports/wms';
import { archiveVariant } from './archive';
import { createIdentifiers, externalRefDomain, readHubIdentifiers, replaceExternalRef } from './identifiers';
import { ALL_RECORDS, itemVersion, VARIANT_FIELDS, variantRow, type VariantRow } from './items';
import { isoFromMicros, TrytonUserError, type Domain, type TrytonRpc } from './rpc';
import type { WmsSetup } from './wms-setup';

/**
 * The WMS's SKU records as Tryton products, shaped as the ERP's items are (items.ts): one
 * variant per SKU, sku = its code, description = its template's name, external_ref and
 * creation_key as identifiers (identifiers.ts). A SKU exists while its variant is active;
 * deleting archives it (archive.ts), which frees the code and keeps the warehouse's history of
 * the product (its moves stay, and so does the stock sequence, see wms-stock.ts).
 */
export const TRYTON_SKU_NOT_FOUND = 'TrytonSkuNotFound';

/** Tryton's message for the variant code's unique constraint (product.msg_product_code_unique). */
const CODE_TAKEN = /code of active product must be unique/i;

export function toSku(row: VariantRow): WmsSku {
  const facts = readHubIdentifiers(row['identifiers.']);
  return {
    id: String(row.id),
    sku: row.code ?? '',
    description: row['template.'].name,
    external_ref: facts.external_ref,
    creation_key: facts.creation_key,
    created_at: isoFromMicros(row.create_date),
    updated_at: isoFromMicros(itemVersion(row)),
  };
}

export class TrytonSkus {
  constructor(
    private readonly rpc: TrytonRpc,
    private readonly setup: () => Promise<WmsSetup>,
  ) {}

  /** Variant rows, archived ones included (their flag is tested here), in id order. */
  private rows(domain: Domain, limit?: number): Promise<VariantRow[]> {
    return this.rpc.model('product.product').searchRead(variantRow, domain, VARIANT_FIELDS, { context: ALL_RECORDS, order: [['id', 'ASC']], limit });
  }

  private async activeRow(sku: string): Promise<VariantRow | null> {
    return (await this.rows([['code', '=', sku]])).find((r) => r.active) ?? null;
  }

  /**
   * Find, then create. A SKU found with this request's idempotency key is that earlier
   * attempt's product (`created`, as a REST system replays a keyed POST); any other, or one a
   * concurrent create took between the search and the create (Tryton's unique constraint), is
   * sku_conflict, for the saga to decide whether it is ours.
   */
  async create(input: CreateSkuInput, opts: WriteOptions): Promise<CreateResult<WmsSku>> {
    const existing = await this.activeRow(input.sku);
    if (existing) return readHubIdentifiers(existing['identifiers.']).creation_key === opts.idempotencyKey ? created(existing) : skuTaken(input.sku);
    const { unit } = await this.setup();
    let templateId: number | undefined;
    try {
      [templateId] = await this.rpc.model('product.template').create([
        {
          // Tryton requires a name; the SKU stands in for an empty description.
          name: input.description || input.sku,
          type: 'goods',
          default_uom: unit,
          // One create with the identifiers: the product never exists without its proof of origin.
          products: [['create', [{ suffix_code: input.sku, identifiers: createIdentifiers({ externalRef: input.external_ref, creationKey: opts.idempotencyKey }) }]]],
        },
      ]);
    } catch (err) {
      if (err instanceof TrytonUserError && CODE_TAKEN.test(err.trytonMessage)) return skuTaken(input.sku);
      throw err;
    }
    const [row] = await this.rows([['template', '=', templateId ?? 0]]);
    if (!row) throw ApplicationFailure.retryable(`${this.rpc.system} created template ${String(templateId)} for ${input.sku} but reads no variant`, TRYTON_SKU_NOT_FOUND);
    return created(row);
  }

  /**
   * Many at once, answering each as create() would: one search for the SKUs already there, one
   * `create` for the rest. A SKU taken meanwhile fails the whole call (Tryton rolls it back);
   * the caller (create-batcher.ts) then creates each on its own.
   */
  async createMany(requests: ReadonlyArray<{ input: CreateSkuInput; opts: WriteOptions }>): Promise<Array<CreateResult<WmsSku>>> {
    const existing = new Map<string, VariantRow>();
    for (const row of await this.rows([['code', 'in', [...new Set(requests.map((r) => r.input.sku))]]])) {
      if (row.active && row.code !== null) existing.set(row.code, row);
    }
    const results: Array<CreateResult<WmsSku> | undefined> = requests.map(() => undefined);
    const toCreate: number[] = [];
    const claimed = new Set<string>();
    requests.forEach(({ input, opts }, i) => {
      const found = existing.get(input.sku);
      if (found) results[i] = readHubIdentifiers(found['identifiers.']).creation_key === opts.idempotencyKey ? created(found) : skuTaken(input.sku);
      else if (claimed.has(input.sku)) results[i] = skuTaken(input.sku);
      else {
        claimed.add(input.sku);
        toCreate.push(i);
      }
    });
    if (toCreate.length > 0) {
      const { unit } = await this.setup();
      const templateIds = await this.rpc.model('product.template').create(
        toCreate.map((i) => {
          const { input, opts } = requests[i]!;
          return {
            name: input.description || input.sku,
            type: 'goods',
            default_uom: unit,
            products: [['create', [{ suffix_code: input.sku, identifiers: createIdentifiers({ externalRef: input.external_ref, creationKey: opts.idempotencyKey }) }]]],
          };
        }),
      );
      const made = new Map((await this.rows([['template', 'in', templateIds]])).map((r) => [r.code, r]));
      for (const i of toCreate) {
        const row = made.get(requests[i]!.input.sku);
        if (!row) throw ApplicationFailure.retryable(`${this.rpc.system} created ${requests[i]!.input.sku} but reads no variant`, TRYTON_SKU_NOT_FOUND);
        results[i] = created(row);
      }
    }
    return results.map((r, i) => {
      if (!r) throw new Error(`createMany left request ${i} (${requests[i]!.input.sku}) without a result`);
      return r;
    });
  }

  async findBySku(sku: string): Promise<WmsSku | null> {
    const row = await this.activeRow(sku);
    return row ? toSku(row) : null;
  }

  async listByExternalRef(externalRef: string): Promise<WmsSku[]> {
    return (await this.rows(externalRefDomain(externalRef))).filter((r) => r.active).map(toSku);
  }

  /** In id order; archived variants are skipped after the read, so a page may hold fewer than `limit` and still have a next one. */
  async list(query: { limit: number; cursor?: string }): Promise<Page<WmsSku>> {
    const after = Number(query.cursor ?? 0);
    const rows = await this.rows([['code', '!=', null], ['id', '>', Number.isSafeInteger(after) ? after : 0]], query.limit);
    const last = rows.at(-1);
    return { data: rows.filter((r) => r.active).map(toSku), next_cursor: rows.length === query.limit && last ? String(last.id) : null };
  }

  async update(id: string, patch: { description?: string; external_ref?: string | null }): Promise<WmsSku> {
    const row = await this.row(id);
    if (!row?.active) throw ApplicationFailure.nonRetryable(`${this.rpc.system} has no sku record ${id}`, TRYTON_SKU_NOT_FOUND, { id });
    const template: Record<string, unknown> = {};
    if (patch.description !== undefined) template.name = patch.description || (row.code ?? '');
    if (patch.external_ref !== undefined) template.products = [['write', [row.id], { identifiers: replaceExternalRef(row['identifiers.'], patch.external_ref) }]];
    // One write of the template carrying the variant's change: a lost answer leaves all of it or none.
    if (Object.keys(template).length) await this.rpc.model('product.template').write([row['template.'].id], template);
    const [updated] = await this.rows([['id', '=', row.id]]);
    if (!updated) throw ApplicationFailure.retryable(`${this.rpc.system} sku record ${id} vanished during an update`, TRYTON_SKU_NOT_FOUND);
    return toSku(updated);
  }

  /** false when it was not active: a retry after a lost answer says "gone", the state an undo needs. */
  async delete(id: string): Promise<boolean> {
    const row = await this.row(id);
    if (!row?.active) return false;
    await archiveVariant(this.rpc, { id: row.id, templateId: row['template.'].id });
    return true;
  }

  private async row(id: string): Promise<VariantRow | null> {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    return (await this.rows([['id', '=', n]]))[0] ?? null;
  }
}

function created(row: VariantRow): CreateResult<WmsSku> {
  return { outcome: 'created', record: toSku(row) };
}

function skuTaken(sku: string): CreateResult<WmsSku> {
  return { outcome: 'conflict', code: SKU_CONFLICT, message: `an active product with code "${sku}" already exists` };
}
