import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { failureForStatus, JsonHttpClient } from '../http';

/**
 * The hub's view of the Strapi 5 REST API for `products`. Built on the shared JsonHttpClient
 * rather than @strapi/client: that one throws its own error classes, and every adapter must fail
 * the same way (4xx non-retryable, 429 after Retry-After, 5xx/network retryable), which the
 * shared client already does. Strapi's REST surface is small enough that the SDK adds nothing.
 */

export const CMS_SYSTEM = 'CMS';
/** A response that does not match the schema: a contract problem that retrying will not fix. */
export const CMS_INVALID_RESPONSE = 'CmsInvalidResponse';

/** Strapi's JSON for one product entry (snake_case, as the content type defines it). */
const productEntrySchema = z.object({
  documentId: z.string().min(1),
  medusa_id: z.string().min(1),
  title: z.string().nullable(),
  handle: z.string().nullable(),
  description: z.string().nullable(),
  // A JSON field: Strapi does not enforce its shape, so this is where a hand edit would show.
  skus: z.array(z.string()).nullable(),
  subtitle: z.string().nullable(),
  seo_title: z.string().nullable(),
  seo_description: z.string().nullable(),
  // Optional: a Strapi whose schema predates it (issue 9) answers without it.
  hub_created_by: z.string().nullable().optional(),
  updatedAt: z.string(),
});
type StrapiProductEntry = z.infer<typeof productEntrySchema>;

const singleResponseSchema = z.object({ data: productEntrySchema });
const listResponseSchema = z.object({ data: z.array(productEntrySchema) });
const pagedListResponseSchema = listResponseSchema.extend({ meta: z.object({ pagination: z.object({ pageCount: z.number().int() }) }) });
/** Strapi's error body, e.g. for a unique violation: `{ error: { status, name, details: { errors: [{ path, message }] } } }`. */
const errorResponseSchema = z.object({
  error: z.object({
    name: z.string(),
    message: z.string(),
    details: z
      .object({ errors: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional() })
      .optional(),
  }),
});

export interface CmsProductEntry {
  documentId: string;
  medusaId: string;
  title: string | null;
  handle: string | null;
  description: string | null;
  skus: string[];
  /** Content the CMS owns: editors write it, the hub only reads it. */
  subtitle: string | null;
  seoTitle: string | null;
  seoDescription: string | null;
  updatedAt: string;
  /** The key of the hub step that created the entry (schema.js: hub_created_by); absent if none did. */
  createdBy?: string;
}

/** The fields the hub owns and writes; the CMS-owned ones are never sent, so edits survive syncs. */
export interface CmsProductWrite {
  medusaId: string;
  title: string;
  handle: string;
  description: string | null;
  skus: string[];
}

/** The hub-owned fields as an entry holds them (nulls included), for putting them back. */
export interface CmsHubFields {
  title: string | null;
  handle: string | null;
  description: string | null;
  skus: string[];
}

export type CmsCreateResult = { kind: 'created'; entry: CmsProductEntry } | { kind: 'duplicate' };

export interface CmsClientOptions {
  baseUrl: string;
  /** Omitted: anonymous requests, which Strapi answers per its Public role (nothing, here). */
  apiToken?: string;
  timeoutMs?: number;
}

const PRODUCTS = '/api/products';

export class CmsClient {
  private readonly http: JsonHttpClient;

  constructor(opts: CmsClientOptions) {
    this.http = new JsonHttpClient({
      system: CMS_SYSTEM,
      baseUrl: opts.baseUrl,
      headers: opts.apiToken ? { authorization: `Bearer ${opts.apiToken}` } : {},
      timeoutMs: opts.timeoutMs,
    });
  }



  async findProductByMedusaId(medusaId: string): Promise<CmsProductEntry | null> {
    const res = await this.http.request<unknown>('GET', PRODUCTS, {
      query: { 'filters[medusa_id][$eq]': medusaId, 'pagination[pageSize]': 1 },
    });
    const [entry] = parse(listResponseSchema, res.body, 'GET', PRODUCTS).data;
    return entry ? toEntry(entry) : null;
  }

  /** The entries of these Medusa products (at most 100 ids, Strapi's page limit), in one request. */
  async findProductsByMedusaIds(medusaIds: string[]): Promise<CmsProductEntry[]> {
    const query: Record<string, string | number> = { 'pagination[pageSize]': 100 };
    medusaIds.forEach((id, i) => (query[`filters[medusa_id][$in][${i}]`] = id));
    const res = await this.http.request<unknown>('GET', PRODUCTS, { query });
    return parse(listResponseSchema, res.body, 'GET', PRODUCTS).data.map(toEntry);
  }

  /** One page of entries in a stable order (by id), for reconciliation; `pageSize` is at most Strapi's maxLimit (100). */
  async listProducts(page: number, pageSize: number): Promise<{ entries: CmsProductEntry[]; pageCount: number }> {
    const res = await this.http.request<unknown>('GET', PRODUCTS, {
      query: { 'pagination[page]': page, 'pagination[pageSize]': pageSize, sort: 'id:asc' },
    });
    const body = parse(pagedListResponseSchema, res.body, 'GET', PRODUCTS);
    return { entries: body.data.map(toEntry), pageCount: body.meta.pagination.pageCount };
  }

  /**
   * Creates an entry. A unique violation on medusa_id is an answer, not a failure: it is how a
   * retried create learns that its first attempt (or a concurrent one) got there first.
   */
  async createProduct(data: CmsProductWrite, createdBy?: string): Promise<CmsCreateResult> {
    const body = { data: { ...toStrapi(data), ...(createdBy !== undefined ? { hub_created_by: createdBy } : {}) } };
    const res = await this.http.request<unknown>('POST', PRODUCTS, { body, accept: [400] });
    if (res.status === 400) {
      if (isUniqueViolation(res.body, 'medusa_id')) return { kind: 'duplicate' };
      throw failureForStatus({ system: CMS_SYSTEM, method: 'POST', path: PRODUCTS, status: 400, body: JSON.stringify(res.body) });
    }
    return { kind: 'created', entry: toEntry(parse(singleResponseSchema, res.body, 'POST', PRODUCTS).data) };
  }

  /** Writes the hub-owned fields of an existing entry (Strapi's PUT only touches the fields sent). */
  async updateProduct(documentId: string, data: CmsProductWrite): Promise<CmsProductEntry> {
    const path = `${PRODUCTS}/${encodeURIComponent(documentId)}`;
    const res = await this.http.request<unknown>('PUT', path, { body: { data: toStrapi(data) } });
    return toEntry(parse(singleResponseSchema, res.body, 'PUT', path).data);
  }

  /** Puts the hub-owned fields back as they were before a rolled-back run updated them. */
  async restoreProduct(documentId: string, fields: CmsHubFields): Promise<CmsProductEntry> {
    const path = `${PRODUCTS}/${encodeURIComponent(documentId)}`;
    const res = await this.http.request<unknown>('PUT', path, { body: { data: fields } });
    return toEntry(parse(singleResponseSchema, res.body, 'PUT', path).data);
  }

  /** Writes only the given fields; Strapi's PUT leaves the others (the editors' copy) as they are. */
  async patchProduct(documentId: string, fields: Partial<Pick<CmsProductWrite, 'title' | 'handle'>>): Promise<CmsProductEntry> {
    const path = `${PRODUCTS}/${encodeURIComponent(documentId)}`;
    const res = await this.http.request<unknown>('PUT', path, { body: { data: fields } });
    return toEntry(parse(singleResponseSchema, res.body, 'PUT', path).data);
  }

  /**
   * Deletes by documentId; false on a 404. Strapi 5.54 answers 204 even for an unknown
   * documentId, so a delete is idempotent either way; the 404 case covers versions that differ.
   */
  async deleteProduct(documentId: string): Promise<boolean> {
    const res = await this.http.request<unknown>('DELETE', `${PRODUCTS}/${encodeURIComponent(documentId)}`, { accept: [404] });
    return res.status !== 404;
  }
}

function toStrapi(data: CmsProductWrite): Record<string, unknown> {
  return {
    medusa_id: data.medusaId,
    title: data.title,
    handle: data.handle,
    description: data.description,
    skus: data.skus,
  };
}

function toEntry(e: StrapiProductEntry): CmsProductEntry {
  return {
    documentId: e.documentId,
    medusaId: e.medusa_id,
    title: e.title,
    handle: e.handle,
    description: e.description,
    skus: e.skus ?? [],
    subtitle: e.subtitle,
    seoTitle: e.seo_title,
    seoDescription: e.seo_description,
    updatedAt: e.updatedAt,
    ...(e.hub_created_by ? { createdBy: e.hub_created_by } : {}),
  };
}

function isUniqueViolation(body: unknown, field: string): boolean {
  const parsed = errorResponseSchema.safeParse(body);
  if (!parsed.success || parsed.data.error.name !== 'ValidationError') return false;
  return (parsed.data.error.details?.errors ?? []).some(
    (e) => e.path.length === 1 && e.path[0] === field && /unique/i.test(e.message),
  );
}

function parse<S extends z.ZodType>(schema: S, body: unknown, method: string, path: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw ApplicationFailure.nonRetryable(
      `${CMS_SYSTEM} ${method} ${path} answered with an unexpected body:\n${z.prettifyError(result.error)}`,
      CMS_INVALID_RESPONSE,
      { system: CMS_SYSTEM, method, path },
    );
  }
  return result.data;
}
