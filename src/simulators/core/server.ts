import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { errorBody, HttpError, parseOr400 } from './errors';
import { faultSpecSchema, FaultRegistry, type Fault } from './faults';
import { Journal } from './journal';
import { KeyedMutex } from './keyed-mutex';
import { simulatorOptionsSchema, type ResolvedSimulatorOptions, type SimulatorOptions } from './options';
import { RateLimiter } from './rate-limit';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Store, type Collection, type Tx } from './store';
import { WebhookDispatcher, type OutboxEntry, type WebhookEvent } from './webhooks';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EmitInput {
  type: string;
  /** Entity the sequence counts for, e.g. "item:itm_…"; events of one entity are numbered 1, 2, … */
  entity: string;
  data: unknown;
  /** Use when the record carries its own sequence (stock levels); otherwise one is allocated. */
  sequence?: number;
}

export interface RouteContext {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  tx: Tx;
  /** One timestamp per request, so a record's created_at/updated_at and its event agree. */
  now: string;
  /**
   * The request's Idempotency-Key, null without one. Creates store it on the record as
   * `creation_key`: it is how a client whose create's outcome is unknown (lost response,
   * cancelled run) proves that a record is the one its own request made before deleting it.
   */
  idempotencyKey: string | null;
  emit(event: EmitInput): void;
  newId(prefix: string): string;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

/** Synchronous on purpose: a handler runs to completion between awaits, so writes cannot interleave. */
export type RouteHandler = (ctx: RouteContext) => RouteResult;

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

interface IdempotencyRecord {
  fingerprint: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
  created_at: string;
}

interface Outcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

/**
 * Business refusals are outcomes of an executed request and are replayed like successes (what
 * Stripe does); validation errors (400) never executed anything, so a corrected retry with the
 * same key must be allowed to run.
 */
const STORED_ERROR_STATUSES = new Set([404, 409, 410, 422]);

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `limit` and `cursor` as every list endpoint takes them. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().min(1).optional(),
});

/**
 * Everything the ERP and WMS simulators share: auth, rate limiting, idempotency, fault injection,
 * the journal, webhooks and the control API. A domain defines collections and routes on it, then
 * calls start().
 */
export class SimulatorCore {
  readonly store = new Store();
  private readonly opts: ResolvedSimulatorOptions;
  private readonly app = express();
  private readonly idempotency: Collection<IdempotencyRecord>;
  private readonly outbox: Collection<OutboxEntry>;
  private readonly faults = new FaultRegistry();
  private readonly limiter: RateLimiter | undefined;
  private readonly mutex = new KeyedMutex();
  private readonly apiKeyDigests: Buffer[];
  private readonly controlKeyDigest: Buffer;
  private readonly statsKeys = new WeakMap<Request, string>();
  private requestCounts = new Map<string, number>();
  private statusCounts = new Map<string, number>();
  private dispatcher: WebhookDispatcher | undefined;
  private started = false;

  constructor(
    /** Lower-case name, used for the journal file and messages ("erp", "wms"). */
    readonly name: string,
    options: SimulatorOptions,
  ) {
    this.opts = simulatorOptionsSchema.parse(options);
    this.limiter = this.opts.rateLimit ? new RateLimiter(this.opts.rateLimit) : undefined;
    this.apiKeyDigests = this.opts.apiKeys.map(digest);
    this.controlKeyDigest = digest(this.opts.controlKey);
    this.idempotency = this.store.collection<IdempotencyRecord>('_idempotency');
    this.outbox = this.store.collection<OutboxEntry>('_outbox', { status: (e) => e.status });
    this.app.disable('x-powered-by');
    this.app.set('etag', false);
    this.app.use((req, res, next) => {
      res.on('finish', () => this.count(req, res.statusCode));
      next();
    });
    this.app.get('/_health', (_req, res) => {
      res.json({ ok: true, system: this.name });
    });
    this.installControlApi();
  }

  route(method: Method, template: string, handler: RouteHandler): void {
    if (this.started) throw new Error('routes must be defined before start()');
    const h = (req: Request, res: Response) => this.handle(method, template, handler, req, res);
    switch (method) {
      case 'GET':
        this.app.get(template, h);
        break;
      case 'POST':
        this.app.post(template, h);
        break;
      case 'PUT':
        this.app.put(template, h);
        break;
      case 'PATCH':
        this.app.patch(template, h);
        break;
      case 'DELETE':
        this.app.delete(template, h);
        break;
    }
  }

  async start(): Promise<RunningSimulator> {
    if (this.started) throw new Error('already started');
    this.started = true;
    const { journal, lines } = Journal.open(join(this.opts.dataDir, `${this.name}.journal.jsonl`));
    this.store.load(journal, lines);
    if (this.opts.webhook) {
      this.dispatcher = new WebhookDispatcher(this.opts.webhook, this.store, this.outbox);
      this.dispatcher.resume();
    }
    this.app.use((req, res) => {
      res.status(404).json(errorBody('not_found', `no route for ${req.method} ${req.path}`));
    });
    // Express calls a 4-argument middleware for errors; anything reaching it is a simulator bug.
    this.app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      this.sendError(res, err);
    });

    const server = createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      close: () => (closing ??= this.shutdown(server, journal)),
    };
  }

  private async shutdown(server: Server, journal: Journal): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would hold close() open forever; idle ones can go now, busy ones
    // get a moment to finish their response.
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 3_000);
    await closed;
    clearTimeout(force);
    await this.dispatcher?.close();
    journal.close();
  }

  // ---- request pipeline --------------------------------------------------------------------

  private async handle(method: Method, template: string, handler: RouteHandler, req: Request, res: Response): Promise<void> {
    this.statsKeys.set(req, `${method} ${template}`);
    try {
      const apiKey = this.authenticate(req);
      if (this.limiter) {
        const r = this.limiter.take(apiKey);
        if (!r.ok) {
          throw new HttpError(429, 'rate_limited', `rate limit exceeded; retry in ${r.retryAfterSeconds}s`, {
            'retry-after': String(r.retryAfterSeconds),
          });
        }
      }
      const body = WRITE_METHODS.has(method) ? await this.readJsonBody(req) : undefined;
      const fault = this.faults.take(method, req.path, req.get('idempotency-key'));
      if (fault?.mode === 'fail_before') return this.sendFault(res, fault);
      if (fault?.mode === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));

      const origin = req.get('x-origin') ?? null;
      const run = (idem?: { key: string; fingerprint: string }) =>
        this.execute(handler, { params: flattenParams(req.params), query: req.query, body }, origin, req, idem);
      const key = WRITE_METHODS.has(method) ? req.get('idempotency-key') : undefined;
      let outcome: Outcome;
      if (key !== undefined) {
        if (key.length < 1 || key.length > 255) {
          throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
        }
        const fingerprint = createHash('sha256')
          .update(`${method} ${req.path}\n${canonicalJson(body)}`)
          .digest('base64url');
        outcome = await this.mutex.run(key, () => {
          const stored = this.idempotency.get(key);
          if (!stored) return run({ key, fingerprint });
          if (stored.fingerprint !== fingerprint) {
            throw new HttpError(
              422,
              'idempotency_key_reused',
              `Idempotency-Key "${key}" was already used for a different request (${stored.method} ${stored.path})`,
            );
          }
          return { status: stored.status, body: stored.body, replayed: true };
        });
      } else {
        outcome = run();
      }

      // The write above is committed; answering an error now is the "lost response" case.
      if (fault?.mode === 'fail_after_commit') return this.sendFault(res, fault);
      if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
      if (outcome.body === undefined) res.status(outcome.status).end();
      else res.status(outcome.status).json(outcome.body);
    } catch (err) {
      this.sendError(res, err);
    }
  }

  private execute(
    handler: RouteHandler,
    input: Pick<RouteContext, 'params' | 'query' | 'body'>,
    origin: string | null,
    req: Request,
    idem: { key: string; fingerprint: string } | undefined,
  ): Outcome {
    const now = new Date().toISOString();
    return this.store.tx((tx) => {
      let result: RouteResult;
      try {
        result = handler({
          ...input,
          tx,
          now,
          idempotencyKey: idem?.key ?? null,
          emit: (e) => this.emit(tx, e, origin, now),
          newId: (prefix) => `${prefix}_${randomBytes(10).toString('hex')}`,
        });
      } catch (err) {
        if (!(idem && err instanceof HttpError && STORED_ERROR_STATUSES.has(err.status))) throw err;
        result = { status: err.status, body: err.toBody() };
      }
      if (idem) {
        tx.put(this.idempotency, idem.key, {
          fingerprint: idem.fingerprint,
          method: req.method,
          path: req.path,
          status: result.status,
          body: result.body,
          created_at: now,
        });
      }
      return { ...result, replayed: false };
    });
  }

  private emit(tx: Tx, e: EmitInput, origin: string | null, now: string): void {
    // Sequences are allocated even without a webhook receiver, so they stay monotonic if one is
    // configured later.
    const sequence = e.sequence ?? tx.next(`seq:${e.entity}`);
    const dispatcher = this.dispatcher;
    // Likewise for an unsubscribed type: the entity's numbering goes on, the event is just not
    // sent, so a subscriber sees gaps in `sequence` but never a number twice or out of order.
    if (!dispatcher?.subscribes(e.type)) return;
    // Random, not a counter: after a reset a counter would reuse ids a receiver already
    // deduplicated, and it would silently drop the new events.
    const id = `evt_${randomBytes(12).toString('hex')}`;
    const event: WebhookEvent = { type: e.type, id, occurred_at: now, data: e.data, sequence, origin };
    tx.put(this.outbox, id, {
      id,
      type: e.type,
      payload: JSON.stringify(event),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_status: null,
      last_error: null,
      created_at: now,
      delivered_at: null,
    });
    tx.afterCommit.push(() => dispatcher.enqueued(id));
  }

  private authenticate(req: Request): string {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match) {
      const d = digest(match[1]);
      if (this.apiKeyDigests.some((k) => timingSafeEqual(k, d))) return match[1];
    }
    throw new HttpError(401, 'unauthorized', 'missing or invalid API key (Authorization: Bearer <key>)', {
      'www-authenticate': 'Bearer',
    });
  }

  private async readJsonBody(req: Request): Promise<unknown> {
    const limit = this.opts.bodyLimitBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buf.length;
      if (size > limit) throw new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, { connection: 'close' });
      chunks.push(buf);
    }
    if (size === 0) return undefined;
    const type = req.get('content-type') ?? '';
    if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
      throw new HttpError(415, 'unsupported_media_type', 'request bodies must be application/json');
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `malformed JSON body: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private sendFault(res: Response, fault: Fault): void {
    if (fault.retry_after !== undefined) res.set('Retry-After', String(fault.retry_after));
    res.status(fault.status).json(errorBody('injected_fault', `fault ${fault.id} (${fault.mode}) injected by the control API`));
  }

  private sendError(res: Response, err: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) {
      res.set(err.headers).status(err.status).json(err.toBody());
      return;
    }
    console.error(`[${this.name}-simulator] unexpected error`, err);
    res.status(500).json(errorBody('internal_error', 'the simulator failed unexpectedly'));
  }

  private count(req: Request, status: number): void {
    if (req.path.startsWith('/_control') || req.path === '/_health') return;
    const key = this.statsKeys.get(req) ?? `${req.method} <unmatched>`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
    this.statusCounts.set(String(status), (this.statusCounts.get(String(status)) ?? 0) + 1);
  }

  // ---- control API -------------------------------------------------------------------------

  private installControlApi(): void {
    const control = (handler: (req: Request) => Promise<RouteResult> | RouteResult) => async (req: Request, res: Response) => {
      try {
        const given = req.get('x-control-key');
        if (given === undefined || !timingSafeEqual(digest(given), this.controlKeyDigest)) {
          throw new HttpError(401, 'unauthorized', 'missing or invalid X-Control-Key');
        }
        const result = await handler(req);
        res.status(result.status).json(result.body);
      } catch (err) {
        this.sendError(res, err);
      }
    };

    this.app.post(
      '/_control/faults',
      control(async (req) => {
        const spec = parseOr400(faultSpecSchema, await this.readJsonBody(req), 'fault');
        return { status: 201, body: this.faults.add(spec) };
      }),
    );
    this.app.get('/_control/faults', control(() => ({ status: 200, body: { data: this.faults.list() } })));
    this.app.delete(
      '/_control/faults',
      control(() => {
        const n = this.faults.list().length;
        this.faults.clear();
        return { status: 200, body: { deleted: n } };
      }),
    );
    this.app.delete(
      '/_control/faults/:id',
      control((req) => {
        const id = String(req.params.id);
        if (!this.faults.remove(id)) throw new HttpError(404, 'not_found', `no fault ${id}`);
        return { status: 200, body: { id, deleted: true } };
      }),
    );
    this.app.get(
      '/_control/stats',
      control(() => ({
        status: 200,
        body: {
          requests: Object.fromEntries(this.requestCounts),
          statuses: Object.fromEntries(this.statusCounts),
          records: this.store.sizes(),
          idempotency_keys: this.idempotency.size,
          webhooks: {
            configured: this.dispatcher !== undefined,
            events: this.dispatcher?.subscribedEvents() ?? null,
            paused: this.dispatcher?.isPaused() ?? false,
            pending: this.outbox.findBy('status', 'pending').length,
            delivered: this.outbox.findBy('status', 'delivered').length,
            failed: this.outbox.findBy('status', 'failed').length,
          },
        },
      })),
    );
    this.app.post(
      '/_control/reset',
      control(() => {
        // Everything goes, faults and counters included: a reset gives the next test or bench
        // run a simulator indistinguishable from a freshly started empty one.
        this.dispatcher?.reset();
        this.store.reset();
        this.faults.clear();
        this.limiter?.reset();
        this.requestCounts = new Map();
        this.statusCounts = new Map();
        return { status: 200, body: { reset: true } };
      }),
    );
    const webhookQuery = pageQuerySchema.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() });
    this.app.get(
      '/_control/webhooks',
      control((req) => {
        const q = parseOr400(webhookQuery, req.query, 'query');
        const page = this.outbox.page({
          limit: q.limit,
          cursor: q.cursor,
          index: q.status ? { name: 'status', value: q.status } : undefined,
        });
        return {
          status: 200,
          body: {
            configured: this.dispatcher !== undefined,
            events: this.dispatcher?.subscribedEvents() ?? null,
            data: page.data.map(({ payload, ...rest }) => ({ ...rest, event: JSON.parse(payload) as unknown })),
            next_cursor: page.next_cursor,
          },
        };
      }),
    );
    this.app.put(
      '/_control/webhooks/delivery',
      control(async (req) => {
        const { paused } = parseOr400(z.strictObject({ paused: z.boolean() }), await this.readJsonBody(req), 'delivery');
        if (!this.dispatcher) throw new HttpError(409, 'no_webhook', 'this simulator has no webhook configured');
        this.dispatcher.setPaused(paused);
        return { status: 200, body: { paused } };
      }),
    );
    this.app.post(
      '/_control/webhooks/:id/retry',
      control((req) => {
        const id = String(req.params.id);
        const entry = this.outbox.get(id);
        if (!entry) throw new HttpError(404, 'not_found', `no webhook message ${id}`);
        if (entry.status === 'delivered') throw new HttpError(409, 'already_delivered', `${id} was delivered`);
        const now = new Date().toISOString();
        this.store.tx((tx) => tx.put<OutboxEntry>(this.outbox, id, { ...entry, status: 'pending', attempts: 0, next_attempt_at: now }));
        this.dispatcher?.enqueued(id);
        return { status: 200, body: { id, status: 'pending' } };
      }),
    );
  }
}

/** Express 5 types wildcard params as arrays; our templates only use named segments. */
function flattenParams(params: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** JSON with sorted keys, so an idempotent retry that serializes its body differently still matches. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
