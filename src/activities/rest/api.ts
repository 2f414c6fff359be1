import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { JsonHttpClient } from '../http';
import type { CreateResult, Page, TransitionResult, WriteOptions } from '../ports/common';
import { RequestPacer } from '../pacer';

export type { CreateResult, Page, TransitionResult, WriteOptions } from '../ports/common';

/**
 * The generic REST connector (docs/connectors/rest-openapi.yaml): what its ERP and WMS have in
 * common. "SaaS-style" REST APIs with a Bearer API key,
 * an Idempotency-Key on every write, cursor pagination, 404 for a missing record and 409 for a
 * business refusal. The system clients keep their own typed methods and schemas and delegate the
 * HTTP and contract handling here, so a fix to how such an API is spoken lands in one place.
 */
export interface SaasClientConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  /** This process's requests per second to the system (see RequestPacer); unset, they are not paced. */
  maxRequestsPerSecond?: number;
}

/** Query string of a list endpoint; undefined values are left out. */
export type ListQuery = Record<string, string | number | undefined>;

export interface SaasSystem {
  /** Name used in error messages and the Web UI, e.g. "ERP". */
  system: string;
  /** ApplicationFailure type for a response that breaks the contract, e.g. "ErpContractViolation". */
  contractViolationType: string;
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
const pageOf = <T>(item: z.ZodType<T>) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

/** The record a 2xx carries, or the error a 409 carries; CreateResult and TransitionResult name these two. */
type Refusable<T> = { record: T; refused?: undefined } | { refused: { code: string; message: string } };

/** Path-level calls of one SaaS API; see SaasResource for the usual collection endpoints. */
export class SaasApi {
  private readonly http: JsonHttpClient;

  constructor(
    private readonly spec: SaasSystem,
    config: SaasClientConfig,
  ) {
    this.http = new JsonHttpClient({
      system: spec.system,
      baseUrl: config.baseUrl,
      headers: { authorization: `Bearer ${config.apiKey}` },
      timeoutMs: config.timeoutMs,
      // A burst of one second's worth, like the rate limits SaaS APIs usually publish.
      pacer: config.maxRequestsPerSecond ? new RequestPacer(config.maxRequestsPerSecond, Math.ceil(config.maxRequestsPerSecond)) : undefined,
    });
  }

  /** A collection under `path` (POST path, GET path, GET/PATCH/DELETE path/:id). */
  resource<T>(path: string, schema: z.ZodType<T>): SaasResource<T> {
    return new SaasResource(this, path, schema);
  }

  /** 409 is returned as `conflict` rather than thrown, because the caller can resolve it. */
  async create<T>(path: string, schema: z.ZodType<T>, body: unknown, opts: WriteOptions): Promise<CreateResult<T>> {
    const r = await this.refusable('POST', path, schema, body, opts);
    return r.refused ? { outcome: 'conflict', ...r.refused } : { outcome: 'created', record: r.record };
  }

  /** 409 is returned as `refused` rather than thrown: the state change is not allowed, and that is an answer. */
  async transition<T>(method: string, path: string, schema: z.ZodType<T>, body: unknown, opts: WriteOptions): Promise<TransitionResult<T>> {
    const r = await this.refusable(method, path, schema, body, opts);
    return r.refused ? { outcome: 'refused', ...r.refused } : { outcome: 'ok', record: r.record };
  }

  /** null when the record does not exist. */
  async getOrNull<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
    const res = await this.http.request<unknown>('GET', path, { accept: [404] });
    return res.status === 404 ? null : this.parse(schema, res.body);
  }

  async list<T>(path: string, schema: z.ZodType<T>, query: ListQuery): Promise<Page<T>> {
    const res = await this.http.request<unknown>('GET', path, { query: { ...query } });
    return this.parse(pageOf(schema), res.body);
  }

  /** A write whose every non-2xx is a failure (PATCH, PUT). */
  async write<T>(method: string, path: string, schema: z.ZodType<T>, body: unknown, opts: WriteOptions): Promise<T> {
    const res = await this.http.request<unknown>(method, path, { body, headers: writeHeaders(opts) });
    return this.parse(schema, res.body);
  }

  /** true when this call (or the earlier attempt with the same key) deleted it; false when it was not there. */
  async delete(path: string, opts: WriteOptions): Promise<boolean> {
    const res = await this.http.request<unknown>('DELETE', path, { headers: writeHeaders(opts), accept: [404] });
    if (res.status === 404) return false;
    this.parse(deletedSchema, res.body);
    return true;
  }

  private async refusable<T>(method: string, path: string, schema: z.ZodType<T>, body: unknown, opts: WriteOptions): Promise<Refusable<T>> {
    const res = await this.http.request<unknown>(method, path, { body, headers: writeHeaders(opts), accept: [409] });
    if (res.status === 409) {
      const { error } = this.parse(errorSchema, res.body);
      return { refused: { code: error.code, message: error.message } };
    }
    return { record: this.parse(schema, res.body) };
  }

  /**
   * A response that does not match the contract will not match on retry either, so it fails the
   * activity for good (a plain ZodError would be retried until the schedule-to-close timeout).
   */
  private parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const result = schema.safeParse(body);
    if (!result.success) {
      throw ApplicationFailure.nonRetryable(
        `${this.spec.system} answered an unexpected body: ${z.prettifyError(result.error)}`,
        this.spec.contractViolationType,
      );
    }
    return result.data;
  }
}

/**
 * The usual endpoints of one record type: create, get, list, update and delete by id. Ids are
 * URL-encoded here so no system client can forget it.
 */
export class SaasResource<T> {
  constructor(
    private readonly api: SaasApi,
    private readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  create(input: unknown, opts: WriteOptions): Promise<CreateResult<T>> {
    return this.api.create(this.path, this.schema, input, opts);
  }

  get(id: string): Promise<T | null> {
    return this.api.getOrNull(this.byId(id), this.schema);
  }

  list(query: ListQuery): Promise<Page<T>> {
    return this.api.list(this.path, this.schema, query);
  }

  /**
   * Every record matching the filter, page by page. For a filter on a field that is not unique
   * (the records of one product): one page would silently leave the rest out.
   */
  async listAll(query: ListQuery): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor ? { cursor } : {}) });
      all.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return all;
  }

  /** For a filter on a field the system keeps unique (sku, external_ref): the record or null. */
  async findOne(query: ListQuery): Promise<T | null> {
    return (await this.list({ ...query, limit: 1 })).data[0] ?? null;
  }

  update(id: string, patch: unknown, opts: WriteOptions): Promise<T> {
    return this.api.write('PATCH', this.byId(id), this.schema, patch, opts);
  }

  delete(id: string, opts: WriteOptions): Promise<boolean> {
    return this.api.delete(this.byId(id), opts);
  }

  /** POST path/:id/:action, e.g. cancel or ship; 409 is `refused`. */
  action(id: string, action: string, body: unknown, opts: WriteOptions): Promise<TransitionResult<T>> {
    return this.api.transition('POST', `${this.byId(id)}/${action}`, this.schema, body, opts);
  }

  private byId(id: string): string {
    return `${this.path}/${encodeURIComponent(id)}`;
  }
}

function writeHeaders(opts: WriteOptions): Record<string, string> {
  return { 'idempotency-key': opts.idempotencyKey, ...(opts.origin ? { 'x-origin': opts.origin } : {}) };
}
