import { proxyActivities, setCurrentDetails, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { BatchResult } from '../../activities/catalog/batch';
import type { CmsCatalogActivities, CmsCatalogueEntry } from '../../activities/strapi/catalog';
import type { ErpCatalogActivities } from '../../activities/erp/catalog';
import type { CatalogProduct, MedusaCatalogActivities, MedusaCataloguePage } from '../../activities/medusa/catalog';
import type { CatalogueRecord, CataloguePage, CataloguePageInput } from '../../activities/records/catalogue';
import type { WmsCatalogActivities } from '../../activities/wms/catalog';
import { batchOptions, cmsEntryFor, expectedSkuRecords, isHubOwned, productSkus, type QueueNames, type TargetSystem } from './catalogue';

/**
 * Reconciliation: reads the catalogue of Medusa (the source of truth) and of each target page by
 * page, and reports the drift: records missing from a target, extra records a target holds for
 * no Medusa product, and fields that differ. With `repair` it then fixes what it found: creates
 * the missing, rewrites the mismatched and removes the extras the hub owns (by external_ref),
 * never a record someone else made. The report is the run's result, and its summary is on the
 * run's memo and current details, so it can be read in the Web UI.
 */
export const RECONCILE_FLOW = 'reconcile-catalogue';

export const reconcileWorkflowId = (startedAt: Date, suffix: string): string =>
  `${RECONCILE_FLOW}/${startedAt.toISOString().replace(/[-:]|\.\d+/g, '')}-${suffix}`;

export interface ReconcileInput {
  systems: TargetSystem[];
  repair: boolean;
  skuPrefix?: string;
  pageSize?: number;
  concurrency?: number;
  queues?: QueueNames;
}

export type DriftKind = 'missing' | 'extra' | 'mismatch';

export interface DriftItem {
  system: TargetSystem;
  kind: DriftKind;
  /** SKU (ERP, WMS) or Medusa product id (CMS). */
  key: string;
  productId: string | null;
  field?: string;
  expected?: string;
  actual?: string;
  /** For extras: whether the hub wrote it (and so may remove it). */
  owned?: boolean;
}

export interface RepairOutcome {
  system: TargetSystem;
  action: 'create' | 'update' | 'upsert' | 'delete';
  ok: number;
  failed: Array<{ key: string; error: string }>;
}

export interface ReconcileReport {
  products: number;
  systems: TargetSystem[];
  counts: Record<TargetSystem, Record<DriftKind, number>>;
  drift: DriftItem[];
  repaired: RepairOutcome[] | null;
}

export async function reconcileCatalogue(input: ReconcileInput): Promise<ReconcileReport> {
  const { workflowId } = workflowInfo();
  const pageSize = input.pageSize ?? 100;
  const concurrency = input.concurrency ?? 8;
  const medusa = proxyActivities<MedusaCatalogActivities>(batchOptions(input.queues, 'medusa'));
  const erp = proxyActivities<ErpCatalogActivities>(batchOptions(input.queues, 'erp'));
  const wms = proxyActivities<WmsCatalogActivities>(batchOptions(input.queues, 'wms'));
  const cms = proxyActivities<CmsCatalogActivities>(batchOptions(input.queues, 'cms'));
  const has = (s: TargetSystem): boolean => input.systems.includes(s);

  setCurrentDetails('reading the catalogue from Medusa');
  const products = new Map<string, CatalogProduct>();
  for (let offset: number | null = 0; offset !== null; ) {
    const page: MedusaCataloguePage = await medusa.medusaListProductsPage({ offset, limit: pageSize, skuPrefix: input.skuPrefix });
    for (const p of page.products) products.set(p.id, p);
    offset = page.nextOffset;
  }
  const expected = new Map([...products.values()].flatMap(expectedSkuRecords).map((r) => [r.sku, r]));

  const readAll = async (list: (q: CataloguePageInput) => Promise<CataloguePage>): Promise<CatalogueRecord[]> => {
    const records: CatalogueRecord[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const page: CataloguePage = await list({ cursor, limit: 200, skuPrefix: input.skuPrefix });
      records.push(...page.records);
      cursor = page.nextCursor;
    }
    return records;
  };

  const drift: DriftItem[] = [];
  const compareSkuSystem = (system: 'erp' | 'wms', field: string, actual: CatalogueRecord[]): void => {
    const bySku = new Map(actual.map((r) => [r.sku, r]));
    for (const e of expected.values()) {
      const a = bySku.get(e.sku);
      if (!a) drift.push({ system, kind: 'missing', key: e.sku, productId: e.productId });
      else if (a.externalRef !== e.productId) {
        drift.push({ system, kind: 'mismatch', key: e.sku, productId: e.productId, field: 'external_ref', expected: e.productId, actual: a.externalRef ?? '' });
      } else if (a.text !== e.text) drift.push({ system, kind: 'mismatch', key: e.sku, productId: e.productId, field, expected: e.text, actual: a.text });
    }
    for (const a of actual) {
      if (!expected.has(a.sku)) drift.push({ system, kind: 'extra', key: a.sku, productId: a.externalRef, owned: isHubOwned(a.externalRef) });
    }
  };
  if (has('erp')) {
    setCurrentDetails('reading the ERP catalogue');
    compareSkuSystem('erp', 'name', await readAll((q) => erp.erpListItemsPage(q)));
  }
  if (has('wms')) {
    setCurrentDetails('reading the WMS catalogue');
    compareSkuSystem('wms', 'description', await readAll((q) => wms.wmsListSkusPage(q)));
  }
  if (has('cms')) {
    setCurrentDetails('reading the CMS entries');
    const entries: CmsCatalogueEntry[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const res: { entries: CmsCatalogueEntry[]; nextPage: number | null } = await cms.cmsListEntriesPage({ page, pageSize: 100, skuPrefix: input.skuPrefix });
      entries.push(...res.entries);
      page = res.nextPage;
    }
    const byId = new Map(entries.map((e) => [e.medusaId, e]));
    for (const p of products.values()) {
      const e = byId.get(p.id);
      const skus = productSkus(p).join(',');
      if (!e) drift.push({ system: 'cms', kind: 'missing', key: p.id, productId: p.id });
      else if (e.title !== p.title) drift.push({ system: 'cms', kind: 'mismatch', key: p.id, productId: p.id, field: 'title', expected: p.title, actual: e.title ?? '' });
      else if (e.skus.join(',') !== skus) drift.push({ system: 'cms', kind: 'mismatch', key: p.id, productId: p.id, field: 'skus', expected: skus, actual: e.skus.join(',') });
    }
    let orphans = entries.filter((e) => !products.has(e.medusaId)).map((e) => e.medusaId);
    if (input.skuPrefix && orphans.length > 0) {
      // Under a SKU prefix, an entry may belong to a product that still exists but no longer has
      // a SKU with the prefix: only an entry whose product is gone from Medusa is an extra.
      const alive = new Set<string>();
      for (let i = 0; i < orphans.length; i += 100) {
        const ids = orphans.slice(i, i + 100);
        for (const p of (await medusa.medusaListProductsPage({ offset: 0, limit: ids.length, ids })).products) alive.add(p.id);
      }
      orphans = orphans.filter((id) => !alive.has(id));
    }
    for (const id of orphans) drift.push({ system: 'cms', kind: 'extra', key: id, productId: id, owned: true });
  }

  const counts = countDrift(input.systems, drift);
  const summary = (): string =>
    input.systems.map((s) => `${s}: ${counts[s].missing} missing, ${counts[s].extra} extra, ${counts[s].mismatch} mismatched`).join('; ');
  setCurrentDetails(`**${drift.length} drift(s)** over ${products.size} products — ${summary()}`);
  upsertMemo({ reconcile: { products: products.size, counts, drift: drift.slice(0, 50) } });

  let repaired: RepairOutcome[] | null = null;
  if (input.repair && drift.length > 0) {
    setCurrentDetails(`repairing ${drift.length} drift(s) — ${summary()}`);
    const outcomes: Array<Promise<RepairOutcome>> = [];
    const of = (system: TargetSystem, action: RepairOutcome['action'], run: Promise<BatchResult>): void => {
      outcomes.push(run.then((r) => ({ system, action, ok: r.ok.length, failed: r.failed })));
    };
    const pick = (system: TargetSystem, test: (d: DriftItem) => boolean): DriftItem[] => drift.filter((d) => d.system === system && test(d));
    const expectedOf = (d: DriftItem) => expected.get(d.key)!;
    const missing = (d: DriftItem): boolean => d.kind === 'missing';
    const retext = (d: DriftItem): boolean => d.kind === 'mismatch' && d.field !== 'external_ref';
    const ownedExtra = (d: DriftItem): boolean => d.kind === 'extra' && d.owned === true;

    const erpCreate = pick('erp', missing).map(expectedOf);
    if (erpCreate.length) of('erp', 'create', erp.erpUpsertItems({ concurrency, items: erpCreate.map((r) => ({ idempotencyKey: `${workflowId}/erp-item/${r.sku}`, sku: r.sku, name: r.text, price: r.price, externalRef: r.productId })) }));
    const erpUpdate = pick('erp', retext).map(expectedOf);
    if (erpUpdate.length) of('erp', 'update', erp.erpUpdateItemNames({ concurrency, items: erpUpdate.map((r) => ({ sku: r.sku, text: r.text })) }));
    const erpDelete = pick('erp', ownedExtra);
    if (erpDelete.length) of('erp', 'delete', erp.erpDeleteItems({ concurrency, items: erpDelete.map((d) => ({ sku: d.key, externalRef: d.productId! })) }));

    const wmsCreate = pick('wms', missing).map(expectedOf);
    if (wmsCreate.length) of('wms', 'create', wms.wmsUpsertSkus({ concurrency, items: wmsCreate.map((r) => ({ idempotencyKey: `${workflowId}/wms-sku/${r.sku}`, sku: r.sku, description: r.text, externalRef: r.productId })) }));
    const wmsUpdate = pick('wms', retext).map(expectedOf);
    if (wmsUpdate.length) of('wms', 'update', wms.wmsUpdateSkuDescriptions({ concurrency, items: wmsUpdate.map((r) => ({ sku: r.sku, text: r.text })) }));
    const wmsDelete = pick('wms', ownedExtra);
    if (wmsDelete.length) of('wms', 'delete', wms.wmsDeleteSkus({ concurrency, items: wmsDelete.map((d) => ({ sku: d.key, externalRef: d.productId! })) }));

    // The CMS upsert creates a missing entry and rewrites a mismatched one alike.
    const cmsUpsert = pick('cms', (d) => d.kind !== 'extra');
    if (cmsUpsert.length) of('cms', 'upsert', cms.cmsUpsertEntries({ concurrency, entries: cmsUpsert.map((d) => cmsEntryFor(products.get(d.key)!)) }));
    const cmsDelete = pick('cms', ownedExtra);
    if (cmsDelete.length) of('cms', 'delete', cms.cmsDeleteEntries({ concurrency, medusaIds: cmsDelete.map((d) => d.key) }));

    repaired = await Promise.all(outcomes);
    const failed = repaired.reduce((n, r) => n + r.failed.length, 0);
    setCurrentDetails(`**${drift.length} drift(s) found, repaired (${failed} failed)** over ${products.size} products — ${summary()}`);
    upsertMemo({ reconcile: { products: products.size, counts, drift: drift.slice(0, 50), repaired } });
  }
  return { products: products.size, systems: input.systems, counts, drift, repaired };
}

function countDrift(systems: TargetSystem[], drift: DriftItem[]): Record<TargetSystem, Record<DriftKind, number>> {
  const zero = (): Record<DriftKind, number> => ({ missing: 0, extra: 0, mismatch: 0 });
  const counts = { erp: zero(), wms: zero(), cms: zero() };
  for (const d of drift) if (systems.includes(d.system)) counts[d.system][d.kind]++;
  return counts;
}
