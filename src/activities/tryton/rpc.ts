import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { failureForNetworkError, failureForStatus, HTTP_SERVER_ERROR, type HttpErrorDetails } from '../http';
import { RequestPacer } from '../pacer';

/**
 * Tryton's JSON-RPC (POST /<db>/rpc/) spoken with Node's fetch: login and session, the user's
 * context on every call, Tryton's value encoding, and the one place its failures are classified
 * for Temporal's retry policy. The ERP and WMS adapters (erp.ts, wms.ts) build on this and need
 * no error handling of their own beyond the UserErrors they expect (see TrytonUserError).
 *
 * Failure classes, and why:
 * - HTTP status (Tryton answers transport problems with HTML pages): as every adapter does
 *   (http.ts): 429 waits for Retry-After, 5xx/408 retry, other 4xx are final. A 401 first logs
 *   in again once, because a session can expire or the server can be restarted with another key.
 * - `error: ["UserError", [message, description, domain]]` at HTTP 200: Tryton refused the
 *   request on business grounds (validation, unique constraint, workflow state). It will refuse
 *   the same request again, so TrytonUserError is non-retryable; adapters catch the ones that
 *   mean "already there". An AccessError has the same shape and says "not allowed to access":
 *   TRYTON_ACCESS_DENIED, non-retryable, since only an operator granting rights fixes it.
 * - ConcurrencyException (a stale `_timestamp`): someone wrote in between; a retry re-reads.
 * - Any other error (`[str(exc), traceback]`): an unexpected Python exception. Retryable, like a
 *   500: Tryton's dispatcher re-raises database failures this way once its own retries are
 *   spent (lock timeouts, serialization failures) and a just-restarted server fails like this
 *   while its pool warms, and both pass; a deterministic bug costs retries until the activity's
 *   schedule-to-close, with Tryton's message in the Web UI.
 * - A 2xx body that is not JSON (cut off by a proxy or a dying worker): retryable, as http.ts
 *   does. JSON of the wrong shape: TRYTON_CONTRACT_VIOLATION, non-retryable, as the REST
 *   connector does, since the same call will answer the same shape.
 */
export const TRYTON_USER_ERROR = 'TrytonUserError';
export const TRYTON_USER_WARNING = 'TrytonUserWarning';
export const TRYTON_ACCESS_DENIED = 'TrytonAccessDenied';
export const TRYTON_CONCURRENCY = 'TrytonConcurrency';
export const TRYTON_SERVER_ERROR = 'TrytonServerError';
export const TRYTON_LOGIN_REQUIRED = 'TrytonLoginRequired';
export const TRYTON_CONTRACT_VIOLATION = 'TrytonContractViolation';

/**
 * A UserError Tryton raised: thrown as a non-retryable ApplicationFailure (so uncaught it fails
 * the activity for good), and a class so an adapter can catch the refusals it expects (the
 * unique constraints that mean "already there") and match on `message`.
 */
export class TrytonUserError extends ApplicationFailure {
  constructor(
    readonly system: string,
    readonly method: string,
    /** Tryton's message, e.g. "Code of active product must be unique." */
    readonly trytonMessage: string,
    readonly description: string,
  ) {
    super(`${system} ${method} refused: ${trytonMessage}${description ? ` (${description})` : ''}`, TRYTON_USER_ERROR, true, [
      { system, method, message: trytonMessage, description },
    ]);
  }
}

/**
 * A UserWarning: Tryton asks "are you sure?" (e.g. archiving a product that still has stock)
 * and refuses until the user acknowledged `name`. Non-retryable uncaught (nobody answers it);
 * an adapter that knows the answer for the hub acknowledges it (TrytonRpc.acknowledgeWarning)
 * and sends the call again.
 */
export class TrytonUserWarning extends ApplicationFailure {
  constructor(
    readonly system: string,
    readonly method: string,
    /** The key to acknowledge, e.g. "<hash>.deactivate_product_with_stock". */
    readonly warningName: string,
    readonly trytonMessage: string,
  ) {
    super(`${system} ${method} asks for confirmation: ${trytonMessage}`, TRYTON_USER_WARNING, true, [{ system, method, warning: warningName, message: trytonMessage }]);
  }
}

export interface TrytonRpcConfig {
  /** Base URL of trytond, e.g. http://127.0.0.1:8000 */
  url: string;
  database: string;
  user: string;
  password: string;
  /** Name used in failure messages and the Web UI, e.g. "Tryton ERP". */
  system?: string;
  /** Per request; Tryton runs queued work (sale.process) inside the request, so confirms take ~0.7 s. */
  timeoutMs?: number;
  /** This process's requests per second to trytond (see RequestPacer); unset, they are not paced. */
  maxRequestsPerSecond?: number;
  language?: string;
}

export type TrytonContext = Record<string, unknown>;
/** A Tryton domain, e.g. [['code', '=', 'SKU-1']] or ['OR', [...], [...]]. */
export type Domain = readonly unknown[];
export type Order = ReadonlyArray<readonly [string, 'ASC' | 'DESC']>;

export interface CallOptions<T> {
  /** Merged over the user's context (from res.user.get_preferences) for this call only. */
  context?: TrytonContext;
  /** Validates `result`; a mismatch is TRYTON_CONTRACT_VIOLATION. */
  schema?: z.ZodType<T>;
}

// ---- value encoding -------------------------------------------------------------------------

/** Tryton's Decimal on the wire; amounts stay strings so no float ever rounds them. */
export function decimal(value: string | number): { __class__: 'Decimal'; decimal: string } {
  return { __class__: 'Decimal', decimal: String(value) };
}

/** Tryton's naive-UTC datetime from microseconds since the epoch (the precision Tryton stores). */
export function datetimeFromMicros(micros: number): Record<string, number | string> {
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  return {
    __class__: 'datetime',
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: (ms % 1000) * 1000 + (micros % 1000),
  };
}

export function datetime(d: Date): Record<string, number | string> {
  return datetimeFromMicros(d.getTime() * 1000);
}

/** A Decimal as its string, e.g. "19.9000". */
export const zDecimal = z.object({ __class__: z.literal('Decimal'), decimal: z.string() }).transform((d) => d.decimal);

/**
 * A datetime as microseconds since the epoch. Tryton stores naive UTC (trytond sets TZ=UTC, and
 * PostgreSQL's CURRENT_TIMESTAMP is read in the server's UTC zone), and microseconds fit a
 * double exactly until the year 2255.
 */
export const zDatetime = z
  .object({
    __class__: z.literal('datetime'),
    year: z.number().int(),
    month: z.number().int(),
    day: z.number().int(),
    hour: z.number().int(),
    minute: z.number().int(),
    second: z.number().int(),
    microsecond: z.number().int(),
  })
  .transform((d) => Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second) * 1000 + d.microsecond);

export const zDate = z
  .object({ __class__: z.literal('date'), year: z.number().int(), month: z.number().int(), day: z.number().int() })
  .transform((d) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`);

/** SQLite reads Booleans back as 1/0. */
export const zBool = z.union([z.boolean(), z.number()]).transform((v) => Boolean(v));

/** ISO 8601 (ms precision) of microseconds since the epoch. */
export function isoFromMicros(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

// ---- the client -----------------------------------------------------------------------------

const rpcBody = z.union([
  z.object({ id: z.number(), result: z.unknown() }),
  z.object({ id: z.number(), error: z.tuple([z.unknown(), z.unknown()]).rest(z.unknown()) }),
]);
const loginResult = z.tuple([z.number().int(), z.string()]).rest(z.unknown());
const userErrorArgs = z.tuple([z.string(), z.string().nullable().optional()]).rest(z.unknown());

interface Session {
  uid: number;
  authorization: string;
  context: TrytonContext;
}

export class TrytonRpc {
  readonly system: string;
  private readonly pacer?: RequestPacer;
  private session?: Promise<Session>;
  private nextId = 1;

  constructor(readonly config: TrytonRpcConfig) {
    this.system = config.system ?? 'Tryton';
    // A burst of one second's worth, as the REST connector paces its systems.
    this.pacer = config.maxRequestsPerSecond ? new RequestPacer(config.maxRequestsPerSecond, Math.ceil(config.maxRequestsPerSecond)) : undefined;
  }

  /** The integration user's id: a change whose write_uid is this is the hub's own echo. */
  async uid(): Promise<number> {
    return (await this.login()).uid;
  }

  /** The user's context (company, companies, language, …) every call carries. */
  async context(): Promise<TrytonContext> {
    return (await this.login()).context;
  }

  /**
   * Calls `method` (e.g. "model.product.product.search") with `args` and the user's context
   * appended as the last parameter, which Tryton requires of every model call.
   */
  async call<T = unknown>(method: string, args: readonly unknown[], opts: CallOptions<T> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pending = this.login();
      const session = await pending;
      const params = [...args, { ...session.context, ...opts.context }];
      const res = await this.post(this.dbPath(), method, params, session.authorization);
      if (res.status === 401 && attempt === 0) {
        // Expired or unknown session (it was deleted, or expired after max_age): refused before
        // the call ran, so sending it again after a fresh login is safe. Only the session that
        // failed is dropped, so concurrent callers share one new login.
        if (this.session === pending) this.session = undefined;
        continue;
      }
      return this.result(method, res, opts.schema);
    }
  }

  /**
   * Tryton's clock (its HTTP Date header, whole seconds, rounded down), in ms since the epoch. It
   * is the clock of create_date/write_date, unlike this process's, which may drift from it.
   */
  async serverTime(): Promise<number> {
    const res = await this.post('/rpc/', 'common.server.version', []);
    this.result('common.server.version', res, z.string());
    const ms = res.date ? Date.parse(res.date) : Number.NaN;
    if (Number.isNaN(ms)) throw this.contractViolation('common.server.version', `no usable Date header (${String(res.date)})`);
    return ms;
  }

  /**
   * Answers "yes" to a warning once, for this user (res.user.warning.skip, open to every user;
   * not `always`, so Tryton uses it up when it lets the call through), so the same call sent
   * again goes ahead.
   */
  async acknowledgeWarning(warning: TrytonUserWarning): Promise<void> {
    await this.model('res.user.warning').call('skip', [warning.warningName]);
  }

  /** Calls on one model: `model.<name>.<method>`. */
  model(name: string): TrytonModel {
    return new TrytonModel(this, name);
  }

  /** Forgets the session, e.g. after the server restarted with fresh sessions; the next call logs in. */
  logout(): void {
    this.session = undefined;
  }

  private login(): Promise<Session> {
    // One login for concurrent callers: argon2 makes each cost ~0.3 s, and 5 failures in a row
    // make Tryton answer 429 for a while.
    this.session ??= this.freshSession().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  private async freshSession(): Promise<Session> {
    const { user, password, language } = this.config;
    const res = await this.post(this.dbPath(), 'common.db.login', [user, { password }, language ?? 'en']);
    const [uid, key] = this.result('common.db.login', res, loginResult);
    const authorization = `Session ${Buffer.from(`${user}:${uid}:${key}`).toString('base64')}`;
    const prefs = this.result(
      'model.res.user.get_preferences',
      await this.post(this.dbPath(), 'model.res.user.get_preferences', [true, {}], authorization),
      z.record(z.string(), z.unknown()),
    );
    return { uid, authorization, context: prefs };
  }

  private dbPath(): string {
    return `/${encodeURIComponent(this.config.database)}/rpc/`;
  }

  private async post(path: string, method: string, params: unknown[], authorization?: string): Promise<RawResponse> {
    const details: HttpErrorDetails = { system: this.system, method: 'POST', path: `${path} ${method}` };
    const id = this.nextId++;
    await this.pacer?.take();
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL(path, this.config.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          // undici sends "*", which Tryton takes for a language code and refuses.
          'accept-language': this.config.language ?? 'en',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ id, method, params }),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      throw failureForNetworkError(details, err);
    }
    return { id, status: res.status, text, retryAfter: res.headers.get('retry-after'), date: res.headers.get('date'), details };
  }

  private result<T>(method: string, res: RawResponse, schema?: z.ZodType<T>): T {
    if (res.status === 401 && method !== 'common.db.login') {
      throw ApplicationFailure.nonRetryable(`${this.system} ${method}: the session was refused again right after a fresh login`, TRYTON_LOGIN_REQUIRED);
    }
    if (res.status < 200 || res.status >= 300) {
      throw failureForStatus({ ...res.details, status: res.status, body: stripHtml(res.text) }, res.retryAfter);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw ApplicationFailure.retryable(`${this.system} ${method} answered a body that is not JSON: ${truncate(stripHtml(res.text), 200)}`, HTTP_SERVER_ERROR, res.details);
    }
    const body = rpcBody.safeParse(json);
    if (!body.success || body.data.id !== res.id) {
      throw this.contractViolation(method, `not a JSON-RPC answer to request ${res.id}: ${truncate(res.text, 300)}`);
    }
    if ('error' in body.data) throw this.failureForError(method, body.data.error);
    if (!schema) return body.data.result as T;
    const parsed = schema.safeParse(body.data.result);
    if (!parsed.success) throw this.contractViolation(method, z.prettifyError(parsed.error));
    return parsed.data;
  }

  private failureForError(method: string, error: readonly unknown[]): ApplicationFailure {
    const [kind, args] = error;
    if (kind === 'UserError') {
      const parsed = userErrorArgs.safeParse(args);
      const message = parsed.success ? parsed.data[0] : JSON.stringify(args);
      const description = parsed.success ? (parsed.data[1] ?? '') : '';
      // AccessError is a UserError whose text names the refusal (messages are translatable, but
      // the hub logs in with language "en").
      if (/not allowed to (access|modify|create|delete|read|write|execute)/i.test(message)) {
        return ApplicationFailure.nonRetryable(`${this.system} ${method}: ${message} ${description}`.trim(), TRYTON_ACCESS_DENIED, { method, message, description });
      }
      return new TrytonUserError(this.system, method, message, description);
    }
    if (kind === 'UserWarning') {
      // A question for a person ("are you sure?"): [name, message, description].
      const parsed = z.tuple([z.string(), z.string()]).rest(z.unknown()).safeParse(args);
      return new TrytonUserWarning(this.system, method, parsed.success ? parsed.data[0] : '', parsed.success ? parsed.data[1] : JSON.stringify(args));
    }
    if (kind === 'ConcurrencyException') {
      return ApplicationFailure.retryable(`${this.system} ${method}: ${String(args)}`, TRYTON_CONCURRENCY, { method });
    }
    if (kind === 'LoginException') {
      return ApplicationFailure.nonRetryable(`${this.system} ${method} asks for a login parameter: ${JSON.stringify(args)}`, TRYTON_LOGIN_REQUIRED, { method });
    }
    return ApplicationFailure.retryable(`${this.system} ${method} failed in Tryton: ${truncate(String(kind), 300)}${args ? ` ${truncate(String(args), 1000)}` : ''}`, TRYTON_SERVER_ERROR, {
      method,
    });
  }

  private contractViolation(method: string, why: string): ApplicationFailure {
    return ApplicationFailure.nonRetryable(`${this.system} ${method} answered an unexpected body: ${why}`, TRYTON_CONTRACT_VIOLATION);
  }
}

interface RawResponse {
  id: number;
  status: number;
  text: string;
  retryAfter: string | null;
  date: string | null;
  details: HttpErrorDetails;
}

export interface SearchOptions {
  offset?: number;
  limit?: number | null;
  order?: Order | null;
  context?: TrytonContext;
}

/**
 * The usual calls on one model. `search_read`/`read` take the zod schema of one row, so the
 * adapters work with typed, validated records (Decimals as strings, datetimes as microseconds).
 */
export class TrytonModel {
  constructor(
    private readonly rpc: TrytonRpc,
    readonly name: string,
  ) {}

  call<T = unknown>(method: string, args: readonly unknown[], opts: CallOptions<T> = {}): Promise<T> {
    return this.rpc.call(`model.${this.name}.${method}`, args, opts);
  }

  search(domain: Domain, opts: SearchOptions = {}): Promise<number[]> {
    return this.call('search', [domain, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null], { context: opts.context, schema: z.array(z.number().int()) });
  }

  searchCount(domain: Domain, opts: Pick<SearchOptions, 'context'> = {}): Promise<number> {
    return this.call('search_count', [domain], { context: opts.context, schema: z.number().int() });
  }

  searchRead<T>(schema: z.ZodType<T>, domain: Domain, fields: readonly string[], opts: SearchOptions = {}): Promise<T[]> {
    return this.call('search_read', [domain, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null, fields], { context: opts.context, schema: z.array(schema) });
  }

  /** Rows in the order of `ids`; Tryton refuses ids that do not exist (or are not readable). */
  read<T>(schema: z.ZodType<T>, ids: readonly number[], fields: readonly string[], opts: Pick<SearchOptions, 'context'> = {}): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.call('read', [ids, fields], { context: opts.context, schema: z.array(schema) });
  }

  /** One call for all `values`: Tryton writes ~9 ms per record batched against ~89 ms one by one. */
  create(values: ReadonlyArray<Record<string, unknown>>, opts: Pick<SearchOptions, 'context'> = {}): Promise<number[]> {
    if (values.length === 0) return Promise.resolve([]);
    return this.call('create', [values], { context: opts.context, schema: z.array(z.number().int()) });
  }

  /** Writes `values` on `ids`; more pairs may follow, as Tryton's write takes (ids, values, ids, values, …). */
  async write(ids: readonly number[], values: Record<string, unknown>, ...more: Array<readonly number[] | Record<string, unknown>>): Promise<void> {
    if (ids.length === 0 && more.length === 0) return;
    await this.call('write', [ids, values, ...more]);
  }

  async delete(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.call('delete', [ids]);
  }

  /** A workflow button (quote, confirm, assign_try, …): `[ids]`, answers null. */
  async button(name: string, ids: readonly number[], opts: Pick<SearchOptions, 'context'> = {}): Promise<void> {
    if (ids.length === 0) return;
    await this.call(name, [ids], { context: opts.context });
  }
}

function stripHtml(text: string): string {
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
