import { Webhook } from 'standardwebhooks';
import type { Collection, Store } from './store';

export interface WebhookRetryPolicy {
  /** Delay before the first retry; doubles per attempt. */
  baseMs: number;
  maxMs: number;
  /** After this many failed attempts the message is marked `failed` and no longer retried. */
  maxAttempts: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 10 };

export interface WebhookConfig {
  url: string;
  /** "whsec_<base64>" as Standard Webhooks defines it. */
  secret: string;
  retry?: Partial<WebhookRetryPolicy>;
  /** Deliveries in flight at once; more would reorder events even further. */
  concurrency?: number;
  /** Event types the subscriber wants; absent: all. Others are never queued (see subscribes). */
  events?: readonly string[];
}

/** Body of every event the simulators emit. */
export interface WebhookEvent {
  type: string;
  id: string;
  occurred_at: string;
  data: unknown;
  /** Monotonic per entity, so receivers can drop stale or reordered events. */
  sequence: number;
  /** The caller's X-Origin header on the write that caused the event, for echo suppression. */
  origin: string | null;
}

export interface OutboxEntry {
  /** Also the webhook-id header: stays the same across retries so receivers can deduplicate. */
  id: string;
  type: string;
  /** The exact bytes signed and sent, so every attempt delivers an identical body. */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/**
 * Delivers the persisted outbox asynchronously. Every state change of an entry is journalled, so
 * pending messages survive a restart and delivery resumes where it stopped (at-least-once).
 */
export class WebhookDispatcher {
  private readonly signer: Webhook;
  private readonly retry: WebhookRetryPolicy;
  private readonly concurrency: number;
  /** undefined: every event type. */
  private readonly events: ReadonlySet<string> | undefined;
  private readonly pending = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** While paused nothing is sent; entries stay pending (a receiver outage, switched on by the control API). */
  private paused = false;
  /** Bumped on reset so attempts that were in flight do not resurrect wiped entries. */
  private generation = 0;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly store: Store,
    private readonly outbox: Collection<OutboxEntry>,
  ) {
    this.signer = new Webhook(cfg.secret);
    this.retry = { ...DEFAULT_WEBHOOK_RETRY, ...cfg.retry };
    this.concurrency = cfg.concurrency ?? 8;
    this.events = cfg.events && new Set(cfg.events);
  }

  /**
   * Whether an event of `type` is to be queued at all. Asked before anything is written, so an
   * unsubscribed event costs no outbox entry, no journal line, no signature and no request.
   * Entries already queued (before a restart with a narrower subscription) are still delivered:
   * they were promised when they were written.
   */
  subscribes(type: string): boolean {
    return this.events === undefined || this.events.has(type);
  }

  /** The subscribed event types, sorted, or null for all (what the control API reports). */
  subscribedEvents(): string[] | null {
    return this.events ? [...this.events].sort() : null;
  }

  /** Picks up entries left pending by a previous run. */
  resume(): void {
    for (const e of this.outbox.values()) if (e.status === 'pending') this.pending.add(e.id);
    this.kick();
  }

  /** Called after a committed write queued `id`. */
  enqueued(id: string): void {
    this.pending.add(id);
    this.kick();
  }

  /**
   * Holds (true) or resumes (false) delivery. Lets a test lose a webhook on purpose, as a bridge
   * outage longer than the retries would, and see that the receiver still learns of the change.
   */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.kick();
  }

  isPaused(): boolean {
    return this.paused;
  }

  reset(): void {
    this.generation++;
    this.pending.clear();
    for (const c of this.controllers) c.abort();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.controllers) c.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.paused) return;
    const now = Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const id of this.pending) {
      if (this.inFlight.has(id)) continue;
      const entry = this.outbox.get(id);
      if (!entry || entry.status !== 'pending') {
        this.pending.delete(id);
        continue;
      }
      const due = Date.parse(entry.next_attempt_at);
      if (due > now) {
        earliest = Math.min(earliest, due);
      } else if (this.inFlight.size < this.concurrency) {
        const p = this.attempt(entry).finally(() => {
          this.inFlight.delete(id);
          this.kick();
        });
        this.inFlight.set(id, p);
      }
    }
    if (Number.isFinite(earliest)) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, earliest - now));
      // A pending retry must not keep a test process (or a stopping simulator) alive.
      this.timer.unref();
    }
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const generation = this.generation;
    const controller = new AbortController();
    this.controllers.add(controller);
    let status: number | null = null;
    let error: string | null = null;
    try {
      // The timestamp is the attempt's, not the event's: receivers reject old timestamps to stop
      // replays, so a retry an hour later must carry a fresh one (and a fresh signature).
      const timestamp = new Date();
      const res = await fetch(this.cfg.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'commerce-hub-simulator',
          'webhook-id': entry.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': this.signer.sign(entry.id, timestamp, entry.payload),
        },
        body: entry.payload,
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `receiver answered ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    } finally {
      this.controllers.delete(controller);
    }
    if (this.closed || generation !== this.generation) return;
    const current = this.outbox.get(entry.id);
    if (!current) return;
    const attempts = current.attempts + 1;
    const now = Date.now();
    const next: OutboxEntry = { ...current, attempts, last_status: status, last_error: error };
    if (error === null) {
      next.status = 'delivered';
      next.delivered_at = new Date(now).toISOString();
      this.pending.delete(entry.id);
    } else if (attempts >= this.retry.maxAttempts) {
      next.status = 'failed';
      this.pending.delete(entry.id);
    } else {
      const backoff = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempts - 1));
      // Jitter so a receiver that comes back is not hit by every queued message at once.
      next.next_attempt_at = new Date(now + backoff * (0.8 + Math.random() * 0.4)).toISOString();
    }
    this.store.tx((tx) => tx.put(this.outbox, entry.id, next));
  }
}
